from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "beian.notify"
    label = "notify"
    verbose_name = "通知与提醒"

    def ready(self):
        from . import alerts  # noqa: F401  (security alerts listen to lockouts)
