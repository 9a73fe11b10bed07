from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "jiuzhu.policy"
    verbose_name = "政策参数与试算"

    def ready(self) -> None:
        from jiuzhu.policy import checks  # noqa: F401  (registers the parameter-file check)
