from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "deskside.sla"
    label = "sla"
    verbose_name = "SLA"

    def ready(self) -> None:
        # The one place the SLA engine meets the ticket services: an explicit installation of
        # the clock they call (tickets.deadlines), not a signal.
        from deskside.sla.engine import SlaClock  # noqa: PLC0415 - needs the app registry
        from deskside.tickets import deadlines  # noqa: PLC0415

        deadlines.install(SlaClock())

        # Any change to the SLA set-up, by the services, the admin or a script, renews the
        # token that tells each process's cached terms to reload (sla.engine.terms_for).
        from django.db.models.signals import post_delete, post_save  # noqa: PLC0415

        from deskside.sla.engine import setup_changed  # noqa: PLC0415
        from deskside.sla.models import Calendar, Contract, SLATarget  # noqa: PLC0415

        for model in (Calendar, Contract, SLATarget):
            post_save.connect(setup_changed, sender=model, dispatch_uid=f"sla-setup-{model}")
            post_delete.connect(setup_changed, sender=model, dispatch_uid=f"sla-setup-d-{model}")
