"""Login and logout keep their global names (settings.LOGIN_URL, templates); the user and
role management pages live under the "users" namespace."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

user_patterns = [
    path("", views.UserListView.as_view(), name="user_list"),
    path("new/", views.user_create, name="user_create"),
    path("<int:pk>/", views.user_detail, name="user_detail"),
    path("<int:pk>/roles/grant/", views.role_grant, name="role_grant"),
    path("<int:pk>/roles/<int:assignment_pk>/revoke/", views.role_revoke, name="role_revoke"),
]

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("users/", include((user_patterns, "users"))),
]
