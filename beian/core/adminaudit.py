"""The Django admin (`/django-admin/`) on the one audit path.

- Only active superusers may enter it (the school's IT operator in an emergency); school
  admins and everyone else work in the application's pages, through the services.
- Every write made there — a record added, changed or deleted, an inline row (a role granted
  on the user page), a password set, a bulk delete — appends an audit row with the changed
  fields before → after, masked by the same redaction as every other row.
- Django's own `django_admin_log` is not written (nothing outside the chained audit log
  claims to be a record of changes).
- A write to an account, a group, their teams, a person or a unit is announced
  (`core.hooks.records_changed`) as the services announce theirs: compliance re-checks the
  record after commit and the public directory's index is refreshed.

`install(site)` is called from `CoreConfig.ready()`, after the admin registered every
ModelAdmin: it swaps each one for a subclass with `AuditedAdminMixin`, so a ModelAdmin added
later by any app (or a third-party package) is covered without remembering to.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import models

from .audit import _plain, audit, audit_raw
from .choices import AuditEventType
from .hooks import records_changed

VIA = "django-admin"

#: The records an admin write changes, as `records_changed` names them: model label →
#: (keyword, attribute holding the record's id). Labels, not models: core imports no app.
_ANNOUNCED = {
    "registry.MediaAccount": ("accounts", "pk"),
    "registry.ChatGroup": ("groups", "pk"),
    "registry.AccountMember": ("accounts", "record_id"),
    "registry.GroupMember": ("groups", "record_id"),
    "orgs.Person": ("people", "pk"),
    "orgs.Unit": ("units", "pk"),
}


def announce(obj) -> None:
    """Tell the listeners of `records_changed` that the admin wrote `obj`'s record."""
    found = _ANNOUNCED.get(obj._meta.label)
    if found is None:
        return
    keyword, attribute = found
    pk = getattr(obj, attribute, None)
    if pk is not None:
        records_changed(**{keyword: [pk]})


def _value(instance, field) -> object:
    if field.many_to_many:
        if instance is None or instance.pk is None:
            return []
        return sorted(str(o) for o in getattr(instance, field.name).all())
    value = getattr(instance, field.name, None) if instance is not None else None
    return _plain(value)


def _model_fields(model) -> dict[str, models.Field]:
    return {
        f.name: f
        for f in model._meta.get_fields()
        if getattr(f, "concrete", False) or getattr(f, "many_to_many", False)
        if not f.auto_created or f.many_to_many
    }


def form_changes(form, before: dict | None) -> dict[str, list]:
    """{field: [before, after]} for the model fields the form changed; `before` is the
    record's state read from the database before the save (`_before`)."""
    fields = _model_fields(form._meta.model)
    changes = {}
    for name in form.changed_data:
        field = fields.get(name)
        if field is None:
            continue
        old = (before or {}).get(name)
        if field.many_to_many:
            new = sorted(str(o) for o in form.cleaned_data.get(name) or [])
        else:
            new = _value(form.instance, field)
        if old != new:
            changes[name] = [old, new]
    return changes


def _before(obj) -> dict | None:
    """The stored values of every field (many-to-many included), read before the save."""
    if obj is None or obj.pk is None:
        return None
    stored = type(obj)._default_manager.filter(pk=obj.pk).first()
    if stored is None:
        return None
    return {name: _value(stored, field) for name, field in _model_fields(type(obj)).items()}


def _fields_of(message) -> list[str]:
    """The field names of Django's change message ([{"changed": {"fields": […]}}])."""
    names = []
    if isinstance(message, list):
        for part in message:
            for value in part.values() if isinstance(part, dict) else ():
                if isinstance(value, dict):
                    names.extend(str(n) for n in value.get("fields", []))
    return names


class AuditedAdminMixin:
    """Audits every write of a ModelAdmin. `audit_events` may name the event of an inline
    model's rows: {"users.RoleAssignment": {"create": "role_granted", "delete": …}}."""

    def _pending(self, request) -> dict:
        if not hasattr(request, "_beian_admin_changes"):
            request._beian_admin_changes = {}
        return request._beian_admin_changes

    def _event(self, model, action: str, default: str) -> str:
        # Not a class attribute of the mixin: it comes first in the MRO and would hide the
        # ModelAdmin's own `audit_events`.
        events = getattr(self, "audit_events", {})
        return events.get(model._meta.label, {}).get(action, default)

    def save_model(self, request, obj, form, change):
        before = _before(obj) if change else None
        super().save_model(request, obj, form, change)
        self._pending(request)[id(obj)] = (form, before)

    def save_formset(self, request, form, formset, change):
        befores, pks = {}, {}
        for inline_form in formset.initial_forms:
            instance = inline_form.instance
            if instance.pk is not None:
                befores[instance.pk] = _before(instance)
                pks[id(instance)] = instance.pk
        super().save_formset(request, form, formset, change)
        model = formset.model
        parent = {"parent": str(form.instance), "via": VIA}
        for obj in [*formset.new_objects, *(o for o, _n in formset.changed_objects)]:
            announce(obj)
        for obj in formset.deleted_objects:
            announce(obj)  # a team row: its record (record_id) is still set
        for obj in formset.new_objects:
            audit(
                event=self._event(model, "create", AuditEventType.CREATE),
                actor=request.user,
                obj=obj,
                request=request,
                detail={**parent, "changes": self._snapshot(obj)},
            )
        for obj, _names in formset.changed_objects:
            inline_form = next((f for f in formset.forms if f.instance is obj), None)
            changes = (
                form_changes(inline_form, befores.get(obj.pk)) if inline_form is not None else {}
            )
            audit(
                event=self._event(model, "update", AuditEventType.UPDATE),
                actor=request.user,
                obj=obj,
                request=request,
                detail={**parent, "changes": changes},
            )
        for obj in formset.deleted_objects:  # deleted by now: their pk was cleared
            audit_raw(
                event=self._event(model, "delete", AuditEventType.DELETE),
                actor=request.user,
                object_type=model._meta.label,
                object_id=str(pks.get(id(obj), "")),
                object_repr=str(obj),
                request=request,
                detail={**parent, "changes": self._snapshot(obj, gone=True)},
            )

    @staticmethod
    def _snapshot(obj, gone: bool = False) -> dict[str, list]:
        out = {}
        for name, field in _model_fields(type(obj)).items():
            if field.primary_key or (field.many_to_many and obj.pk is None):
                continue
            try:
                value = _value(obj, field)
            except ValueError:
                continue
            if value in (None, "", []):
                continue
            out[name] = [value, None] if gone else [None, value]
        return out

    def _log(self, request, obj, event, message) -> None:
        announce(obj)
        pending = self._pending(request).pop(id(obj), None)
        if pending is not None:
            form, before = pending[0], pending[1]
            changes = (
                form_changes(form, before)
                if event != AuditEventType.CREATE
                else self._snapshot(obj)
            )
            if event == AuditEventType.UPDATE and not changes:
                return  # only inline rows changed; they have their own rows
            detail = {"via": VIA, "changes": changes}
        else:
            # Writes outside the change form: the password form, list_editable, a revert.
            detail = {"via": VIA, "fields": _fields_of(message) or [str(message)[:200]]}
        audit(event=event, actor=request.user, obj=obj, request=request, detail=detail)

    def log_addition(self, request, obj, message):
        self._log(request, obj, AuditEventType.CREATE, message)

    def log_change(self, request, obj, message):
        self._log(request, obj, AuditEventType.UPDATE, message)

    def log_deletion(self, request, obj, object_repr):
        audit(
            event=self._event(type(obj), "delete", AuditEventType.DELETE),
            actor=request.user,
            obj=obj,
            request=request,
            detail={"via": VIA, "changes": self._snapshot(obj, gone=True)},
        )

    def log_deletions(self, request, queryset):
        for obj in queryset:
            self.log_deletion(request, obj, str(obj))


def superusers_only(request) -> bool:
    user = request.user
    return bool(user.is_active and user.is_superuser)


def install(site: admin.AdminSite = admin.site) -> None:
    """Limit the site to superusers and put every registered ModelAdmin on the audit path."""
    site.has_permission = superusers_only
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, AuditedAdminMixin):
            continue
        cls = type(model_admin)
        audited = type(f"Audited{cls.__name__}", (AuditedAdminMixin, cls), {})
        site._registry[model] = audited(model, site)
