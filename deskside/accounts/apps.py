from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "deskside.accounts"
    label = "accounts"
    verbose_name = "Directory"

    def ready(self) -> None:
        # In ready(): these import models, which exist only once the app registry is loaded.
        from django.contrib.auth.signals import user_logged_in  # noqa: PLC0415

        from deskside.accounts import checks  # noqa: F401, PLC0415 - registers the deploy checks
        from deskside.accounts.middleware import stamp_session_at_sign_in  # noqa: PLC0415

        user_logged_in.connect(stamp_session_at_sign_in, dispatch_uid="deskside-session-seen")
