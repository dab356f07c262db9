from django.apps import AppConfig


class FilingsConfig(AppConfig):
    name = "beian.filings"
    label = "filings"
    verbose_name = "备案审批"

    def ready(self):
        from beian.registry.panels import register_panel

        from .panels import record_filings_panel

        register_panel(record_filings_panel, order=10)

        from beian.notify.providers import register

        from .tasks import DAILY_AT, remind_filings, waiting_digest

        register(remind_filings, name="filings.remind_filings", daily_at=DAILY_AT)
        register(waiting_digest, name="filings.waiting_digest", daily_at=DAILY_AT)
