from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "beian.inspections"
    label = "inspections"
    verbose_name = "年检与毕业交接"

    def ready(self):
        from beian.core.hooks import on_records_changed
        from beian.notify.providers import register
        from beian.registry.panels import register_panel

        from .handover import people_changed_listener
        from .panels import account_inspections_panel
        from .reminders import inspection_due_points

        # People marked 毕业 / 离职 (person form, roster import) put the records they hold
        # on their units' hand-over lists once the write commits.
        on_records_changed(people_changed_listener)
        # Each account's inspection history on its page.
        register_panel(account_inspections_panel, order=30)
        # Opened, 7 days and 1 day before the deadline, overdue, rectification due.
        register(inspection_due_points, name="inspections.due_points")
