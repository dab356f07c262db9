from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "beian.core"
    label = "core"
    verbose_name = "核心"

    def ready(self):
        from . import adminaudit, auditchain, policy, signals  # noqa: F401

        adminaudit.install()  # after the admin registered every ModelAdmin (it is listed first)
