from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "jiuzhu.audit"
    verbose_name = "审计日志"

    def ready(self) -> None:
        from jiuzhu.audit import receivers  # noqa: F401  (connects signal receivers)
