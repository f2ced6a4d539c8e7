"""Sign-in, password and account pages (names without a namespace: Django's auth views
reverse `password_reset_done`, `password_change_done` ... by these names)."""

from django.urls import include, path

from deskside.accounts import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", views.mfa_verify, name="mfa_verify"),
    path("logout/", views.logout_view, name="logout"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("account/", views.account, name="account"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "account/password/done/",
        views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("account/two-factor/", views.mfa_setup, name="mfa_setup"),
    path("account/two-factor/codes/", views.mfa_recovery_codes, name="mfa_recovery_codes"),
    path("account/two-factor/off/", views.mfa_disable, name="mfa_disable"),
    path("account/sessions/others/end/", views.end_other_sessions_view, name="end_other_sessions"),
    path("account/sessions/<str:handle>/end/", views.end_session, name="end_session"),
    path("account/security/", views.security_policy, name="security_policy"),
    path("account/security/reset/<int:user_id>/", views.mfa_reset, name="mfa_reset"),
    # Single sign-on (mozilla-django-oidc): /oidc/authenticate/ and /oidc/callback/.
    path("oidc/", include("deskside.accounts.oidc_urls")),
]
