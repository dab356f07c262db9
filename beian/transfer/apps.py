from django.apps import AppConfig


class TransferConfig(AppConfig):
    name = "beian.transfer"
    label = "transfer"
    verbose_name = "表格导入导出"

    def ready(self):
        from beian.registry.panels import register_panel

        from .panels import account_forms_panel

        register_panel(account_forms_panel, order=30)
