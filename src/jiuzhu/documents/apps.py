from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "jiuzhu.documents"
    verbose_name = "文书与公示"

    def ready(self) -> None:
        from jiuzhu.documents import receivers  # noqa: F401  (connects the signal receivers)
