from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "beian.compliance"
    label = "compliance"
    verbose_name = "合规检查"

    def ready(self):
        from beian.core.hooks import on_records_changed
        from beian.registry.panels import register_panel

        from .views import record_findings_panel

        register_panel(record_findings_panel, order=20)
        on_records_changed(_recheck_after_commit)


def _recheck_after_commit(*, accounts=(), groups=(), people=(), units=()) -> None:
    """Saved records are re-checked once their transaction commits. A unit's head, kind or
    parent changes what its accounts are judged against, so those accounts are re-checked."""
    from beian.orgs.models import Unit
    from beian.registry.models import MediaAccount

    from .recheck import records_changed

    accounts = list(accounts)
    if units:
        subtree = Unit.objects.subtree_ids(units)
        accounts += MediaAccount.objects.filter(owner_unit_id__in=subtree).values_list(
            "pk", flat=True
        )
    records_changed(accounts=accounts, groups=groups, people=people)
