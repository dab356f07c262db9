from django.contrib.auth.decorators import login_required
from django.urls import path
from django.views.generic import RedirectView

from beian.notify import views as notify_views

from . import views, views_bulk

app_name = "filings"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("waiting/", views.waiting, name="waiting"),
    path("waiting/bulk/", views_bulk.waiting_bulk, name="waiting_bulk"),
    path("all/", views.filing_list, name="list"),
    path("new/", views.create, name="create"),
    path("late/<int:account_pk>/", views.create_late, name="create_late"),
    path("group/<int:group_pk>/", views.create_group, name="create_group"),
    path("change/<int:account_pk>/", views.change_create, name="change_create"),
    path("close/account/<int:account_pk>/", views.closing_account, name="closing_account"),
    path("close/group/<int:group_pk>/", views.closing_group, name="closing_group"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/take-over/", views.take_over, name="take_over"),
    path("<int:pk>/form.docx", views.download_docx, name="docx"),
    path("<int:pk>/attach/", views.attach, name="attach"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment, name="attachment"),
    # The inbox moved to the notify app; the old addresses keep working.
    path(
        "inbox/",
        login_required(RedirectView.as_view(pattern_name="notify:inbox", query_string=True)),
        name="inbox",
    ),
    path("inbox/<int:pk>/open/", notify_views.notification_open, name="notification_open"),
    path("inbox/read-all/", notify_views.inbox_read_all, name="inbox_read_all"),
]
