from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "jiuzhu.casework"
    verbose_name = "救助申请办理"
