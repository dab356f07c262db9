from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "beian.api"
    label = "api"
    verbose_name = "接口"
