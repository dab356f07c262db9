from django.urls import path

from . import views

app_name = "compliance"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("findings/", views.FindingListView.as_view(), name="finding_list"),
    path("findings/export/", views.finding_export, name="finding_export"),
    path("findings/<int:pk>/", views.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/waive/", views.finding_waive, name="finding_waive"),
    path("findings/<int:pk>/unwaive/", views.finding_unwaive, name="finding_unwaive"),
    path("todo/", views.todo, name="todo"),
    path("rules/", views.rule_list, name="rule_list"),
    path("scan/", views.scan_now, name="scan_now"),
    path("names/", views.name_check, name="name_check"),
    path("accounts/<int:pk>/activity/", views.activity_report, name="activity_report"),
]
