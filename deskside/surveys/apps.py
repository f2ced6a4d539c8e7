from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "deskside.surveys"
    label = "surveys"
    verbose_name = "Customer satisfaction"

    def ready(self) -> None:
        # A survey is written in the transaction of the resolution it asks about, by this one
        # handler on the tickets' event hook; its links ride in the resolution mail through
        # the mail app's context hook (deskside.mail.outbound.provide_context).
        from deskside.mail.outbound import provide_context  # noqa: PLC0415
        from deskside.surveys.mailing import resolution_context  # noqa: PLC0415
        from deskside.surveys.services import resolved  # noqa: PLC0415
        from deskside.tickets.timeline import on_event  # noqa: PLC0415

        on_event(["resolved"], resolved, name="surveys.resolved")
        provide_context("surveys.links", resolution_context)
