from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "beian.campaigns"
    label = "campaigns"
    verbose_name = "填报任务/清查"
