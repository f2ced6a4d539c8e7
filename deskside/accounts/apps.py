from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "deskside.accounts"
    label = "accounts"
    verbose_name = "Directory"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from deskside.accounts import checks  # noqa: F401 - registers the deploy checks
        from deskside.accounts.middleware import stamp_session_at_sign_in

        user_logged_in.connect(stamp_session_at_sign_in, dispatch_uid="deskside-session-seen")
