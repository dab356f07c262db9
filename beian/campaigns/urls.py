from django.urls import path

from . import views, views_board, views_late

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("new/", views.campaign_create, name="campaign_create"),
    path("<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("<int:pk>/open/", views.campaign_open, name="campaign_open"),
    path("<int:pk>/close/", views.campaign_close, name="campaign_close"),
    path("<int:pk>/copy/", views.campaign_copy, name="campaign_copy"),
    path("<int:pk>/attach/", views.campaign_attach, name="campaign_attach"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        views.campaign_attachment,
        name="campaign_attachment",
    ),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/items/<int:item_pk>/confirm/", views.item_confirm, name="item_confirm"),
    path("tasks/<int:pk>/items/<int:item_pk>/correct/", views.item_correct, name="item_correct"),
    path("tasks/<int:pk>/items/<int:item_pk>/close/", views.item_close, name="item_close"),
    path("tasks/<int:pk>/confirm-all/", views.task_confirm_all, name="task_confirm_all"),
    path("tasks/<int:pk>/checklist/", views.task_checklist, name="task_checklist"),
    path("tasks/<int:pk>/zero-report/", views.task_zero, name="task_zero"),
    path("tasks/<int:pk>/scan/", views.task_scan, name="task_scan"),
    path("tasks/<int:pk>/scan/file/", views.task_scan_file, name="task_scan_file"),
    path("tasks/<int:pk>/sheets/<str:code>.xlsx", views.task_sheet, name="task_sheet"),
    path("tasks/<int:pk>/submit/", views.task_submit, name="task_submit"),
    path("tasks/<int:pk>/return/", views.task_return, name="task_return"),
    path("tasks/<int:pk>/confirm/", views.task_confirm, name="task_confirm"),
    # the school's side of a round (views_board.py)
    path("<int:pk>/board/", views_board.campaign_board, name="campaign_board"),
    path("<int:pk>/board/decide/", views_board.board_decide, name="board_decide"),
    path("<int:pk>/board/remind/", views_board.board_remind, name="board_remind"),
    path("<int:pk>/bulletin/", views_board.campaign_bulletin, name="campaign_bulletin"),
    path(
        "<int:pk>/bulletin.<str:fmt>",
        views_board.campaign_bulletin_file,
        name="campaign_bulletin_file",
    ),
    path("<int:pk>/summary/<str:code>.xlsx", views_board.campaign_summary, name="campaign_summary"),
    path("<int:pk>/diff/", views_board.campaign_diff, name="campaign_diff"),
    path("<int:pk>/diff.xlsx", views_board.campaign_diff_file, name="campaign_diff_file"),
    path("tasks/<int:pk>/late-filings/", views_late.task_late_filings, name="task_late_filings"),
]
