from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "beian.publication"
    label = "publication"
    verbose_name = "公开查询与公布"
