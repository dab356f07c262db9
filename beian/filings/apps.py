from django.apps import AppConfig


class FilingsConfig(AppConfig):
    name = "beian.filings"
    label = "filings"
    verbose_name = "备案审批"

    def ready(self):
        from beian.registry.panels import register_panel

        from .panels import record_filings_panel

        register_panel(record_filings_panel, order=10)
