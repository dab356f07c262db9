"""Central access checks. Scope is defined once per model as `Model.objects.visible_to(user)`;
every view, export, search and API starts from it."""

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404


def visible(model_or_qs, user) -> QuerySet:
    qs = model_or_qs if isinstance(model_or_qs, QuerySet) else model_or_qs._default_manager.all()
    return qs.visible_to(user)


def get_visible_or_404(model_or_qs, user, **lookup) -> Model:
    """The object if it exists *and* the user may see it; 404 in both other cases, so that
    "absent" and "not yours" cannot be told apart."""
    qs = visible(model_or_qs, user)
    try:
        return qs.get(**lookup)
    except (qs.model.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc
