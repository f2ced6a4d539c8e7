"""Single sign-on routes: /oidc/authenticate/ (to the provider) and /oidc/callback/."""

from django.urls import path
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView as CallbackView

from deskside.accounts.oidc import AuthenticationRequestView

urlpatterns = [
    path("authenticate/", AuthenticationRequestView.as_view(), name="oidc_authentication_init"),
    path("callback/", CallbackView.as_view(), name="oidc_authentication_callback"),
]
