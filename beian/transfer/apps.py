from django.apps import AppConfig


class TransferConfig(AppConfig):
    name = "beian.transfer"
    label = "transfer"
    verbose_name = "表格导入导出"
