from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "beian.registry"
    label = "registry"
    verbose_name = "新媒体账号与群聊"

    def ready(self):
        from . import checks  # noqa: F401
