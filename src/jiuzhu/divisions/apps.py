from django.apps import AppConfig


class DivisionsConfig(AppConfig):
    name = "jiuzhu.divisions"
    verbose_name = "行政区划与网格"
