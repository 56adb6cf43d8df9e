from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from resilia.accounts import forms, user_views, views

app_name = "accounts"

password_reset = auth_views.PasswordResetView.as_view(
    form_class=forms.PasswordResetForm,
    template_name="accounts/password_reset_form.html",
    email_template_name="accounts/email/password_reset.txt",
    subject_template_name="accounts/email/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
    # Links are built from SITE_URL, never from the Host header an attacker could forge.
    extra_email_context={"site_url": settings.SITE_URL},
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    form_class=forms.SetPasswordForm,
    template_name="accounts/password_reset_confirm.html",
    success_url=reverse_lazy("accounts:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.second_factor, name="second_factor"),
    path("logout/", views.logout_view, name="logout"),
    path("language/", views.set_language, name="set_language"),
    path("profile/", views.profile, name="profile"),
    path("security/", views.security, name="security"),
    path("security/password/", views.password_change, name="password_change"),
    path("token/", views.api_token, name="api_token"),
    path("password-reset/", password_reset, name="password_reset"),
    path("password-reset/sent/", password_reset_done, name="password_reset_done"),
    path("reset/<uidb64>/<token>/", password_reset_confirm, name="password_reset_confirm"),
    path("reset/done/", password_reset_complete, name="password_reset_complete"),
    path("users/", user_views.user_list, name="user_list"),
    path("users/new/", user_views.user_create, name="user_create"),
    path("users/<int:pk>/", user_views.user_edit, name="user_edit"),
    path("users/<int:pk>/unlock/", user_views.user_unlock, name="user_unlock"),
    path("users/<int:pk>/reset-2fa/", user_views.user_reset_totp, name="user_reset_totp"),
]
