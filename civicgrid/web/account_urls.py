from django.contrib.auth import views as auth_views
from django.urls import path

from civicgrid.core import views as core_views

from . import account_views

urlpatterns = [
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("2fa/", account_views.otp_verify, name="otp_verify"),
    path("2fa/setup/", account_views.otp_setup, name="otp_setup"),
    path("audit/", core_views.audit_log, name="audit_log"),
]
