from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("cas/", include("mama_cas.urls")),  # Apereo family: /cas/login, /cas/p3/serviceValidate
    path("authserver/", include("mama_cas.urls")),  # 金智 family: /authserver/serviceValidate
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
]
