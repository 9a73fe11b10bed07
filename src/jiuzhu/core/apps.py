from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jiuzhu.core"
    verbose_name = "平台基础"

    def ready(self) -> None:
        # security.md §D.18: refuse to start when SM4 or SM3 give wrong answers.
        from jiuzhu.core import checks  # noqa: F401  (registers system checks)
        from jiuzhu.protection.sm import self_test

        self_test()
