from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("units/", views.UnitListView.as_view(), name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_update, name="unit_update"),
    path("people/", views.PersonListView.as_view(), name="person_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/suggest/", views.person_suggest, name="person_suggest"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_update, name="person_update"),
]
