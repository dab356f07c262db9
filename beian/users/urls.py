"""Login and logout keep their global names (settings.LOGIN_URL, templates); the user and
role management pages live under the "users" namespace."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import security_views, views

user_patterns = [
    path("", views.UserListView.as_view(), name="user_list"),
    path("new/", views.user_create, name="user_create"),
    path("<int:pk>/", views.user_detail, name="user_detail"),
    path("<int:pk>/roles/grant/", views.role_grant, name="role_grant"),
    path("<int:pk>/roles/<int:assignment_pk>/revoke/", views.role_revoke, name="role_revoke"),
    path("<int:pk>/password/", security_views.password_reset, name="password_reset"),
    path("<int:pk>/two-factor/reset/", security_views.otp_reset, name="otp_reset"),
]

# The signed-in user's own sign-in settings (the user menu).
me_patterns = [
    path("password/", security_views.PasswordChangeView.as_view(), name="password_change"),
    path("two-factor/", security_views.security, name="security"),
    path("two-factor/setup/", security_views.otp_setup, name="otp_setup"),
    path("two-factor/recovery-codes/", security_views.recovery_codes, name="recovery_codes"),
    path("two-factor/disable/", security_views.otp_disable, name="otp_disable"),
]

urlpatterns = [
    path("login/verify/", security_views.login_verify, name="login_verify"),
    path("me/", include((me_patterns, "me"))),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("users/", include((user_patterns, "users"))),
]
