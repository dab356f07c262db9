from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "beian.users"
    label = "users"
    verbose_name = "用户与角色"

    def ready(self):
        from . import signals  # noqa: F401  (the second-factor step noted at sign-in)
