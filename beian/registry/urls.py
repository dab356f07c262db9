from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("accounts/", views.AccountListView.as_view(), name="account_list"),
    path("accounts/new/", views.account_create, name="account_create"),
    path("accounts/<int:pk>/", views.account_detail, name="account_detail"),
    path("accounts/<int:pk>/edit/", views.account_edit, name="account_edit"),
    path("accounts/<int:pk>/qr/", views.account_qr, name="account_qr"),
    path("accounts/<int:pk>/close/", views.account_close, name="account_close"),
    path("accounts/<int:pk>/tier/", views.account_tier, name="account_tier"),
    path("groups/", views.GroupListView.as_view(), name="group_list"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path("groups/<int:pk>/edit/", views.group_edit, name="group_edit"),
    path("groups/<int:pk>/dissolve/", views.group_dissolve, name="group_dissolve"),
]
