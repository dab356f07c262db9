"""Shared view machinery: scoped, filtered, sortable, paginated lists; and helpers the apps'
views build on. Every list starts from `Model.objects.visible_to(user)`."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50


class ScopedListView(LoginRequiredMixin, SingleTableMixin, FilterView):
    """A list page: the user's scope, the filter form (with `q` search), sorting by column
    headers and server-side pagination with a page-size choice.

    Subclasses set `model`, `filterset_class`, `table_class`, `title`, `nav`, and may override
    `scoped_queryset()` to add `select_related` so the query count stays fixed.
    """

    template_name = "core/list.html"
    title = ""
    nav = ""
    create_url = None  # a URL name; shown as a button when `can_create()` is true
    export_url = None  # a URL name taking this list's filters in its query string
    export_layouts: tuple = ()  # (label, extra query) for each export button
    import_kind = ""  # the sheet kind of the import page, when users may import here
    strict = False  # an invalid filter shows the whole (scoped) list with the form's errors

    def scoped_queryset(self):
        return self.model.objects.visible_to(self.request.user)

    def get_queryset(self):
        return self.scoped_queryset()

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["request"] = self.request
        return kwargs

    def get_table_pagination(self, table):
        try:
            per_page = int(self.request.GET.get("per_page", DEFAULT_PAGE_SIZE))
        except ValueError:
            per_page = DEFAULT_PAGE_SIZE
        return {"per_page": per_page if per_page in PAGE_SIZES else DEFAULT_PAGE_SIZE}

    def can_create(self) -> bool:
        return False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=self.title,
            nav=self.nav,
            page_sizes=PAGE_SIZES,
            create_url=self.create_url if self.can_create() else None,
            export_url=self.export_url,
            export_layouts=self.export_layouts,
            export_query=self.request.GET.urlencode(),
            import_kind=self.import_kind if self.can_create() else "",
        )
        return context


def require(condition: bool) -> None:
    """403 unless `condition`: for actions on an object the user can see but not change."""
    if not condition:
        raise PermissionDenied
