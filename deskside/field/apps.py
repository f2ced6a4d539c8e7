from django.apps import AppConfig


class FieldConfig(AppConfig):
    name = "deskside.field"
    label = "field"
    verbose_name = "Field service"

    def ready(self) -> None:
        # The sign-off mail's body (its link) is given when the mail worker renders the row.
        from deskside.field.services.signoff import mail_context  # noqa: PLC0415 - app registry
        from deskside.mail.outbound import provide_context  # noqa: PLC0415

        provide_context("field.signoff", mail_context)
