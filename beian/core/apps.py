from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "beian.core"
    label = "core"
    verbose_name = "核心"

    def ready(self):
        from . import policy, signals  # noqa: F401
