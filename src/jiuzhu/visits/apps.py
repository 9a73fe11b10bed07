from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "jiuzhu.visits"
    label = "visits"
    verbose_name = "入户调查"
