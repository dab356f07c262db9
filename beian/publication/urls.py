from django.urls import path

from . import views

app_name = "publication"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("a/<int:pk>/", views.card, name="card"),
    path("a/<int:pk>/qr.svg", views.card_qr, name="card_qr"),
    path("a/<int:pk>/badge.svg", views.badge, name="badge"),
    path("a/<int:pk>/widget/", views.widget, name="widget"),
    path("check/", views.check, name="check"),
    path("check/qr/", views.check_qr, name="check_qr"),
    path("published/", views.published_index, name="published"),
    path("published/accounts/", views.accounts_list, name="accounts_list"),
    path(
        "published/accounts.<str:fmt>",
        views.accounts_list,
        name="accounts_list_file",
    ),
    path("published/bulletins/<int:pk>/", views.campaign_bulletin, name="bulletin"),
    path(
        "published/bulletins/<int:pk>.<str:fmt>",
        views.campaign_bulletin,
        name="bulletin_file",
    ),
    path("published/inspections/<int:pk>/", views.inspection_results, name="inspection_results"),
    path(
        "published/inspections/<int:pk>.<str:fmt>",
        views.inspection_results,
        name="inspection_results_file",
    ),
    path("settings/", views.settings_page, name="settings"),
]
