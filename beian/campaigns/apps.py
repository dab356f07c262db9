from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "beian.campaigns"
    label = "campaigns"
    verbose_name = "填报任务/清查"

    def ready(self):
        from beian.core.hooks import on_records_changed

        from .services import records_changed_listener

        # Records registered or corrected through the registry's forms and the imports
        # join the open tasks of their units ("added") or mark them "corrected".
        on_records_changed(records_changed_listener)

        from beian.notify.providers import register

        from .reminders import campaign_due_points

        # Opened, 7 days and 1 day before the deadline, overdue: kept in step every run.
        register(campaign_due_points, name="campaigns.due_points")
