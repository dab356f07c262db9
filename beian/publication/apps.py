from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "beian.publication"
    label = "publication"
    verbose_name = "公开查询与公布"

    def ready(self):
        from beian.core.hooks import on_records_changed

        from .index import bump

        on_records_changed(bump)  # the directory's search index is rebuilt after writes
