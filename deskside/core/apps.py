from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "deskside.core"
    label = "core"

    def ready(self) -> None:
        # The outbound guard's socket wrappers, once per process (active only inside
        # `netguard.guarded()` blocks: deskside.core.netguard).
        from deskside.core import netguard  # noqa: PLC0415

        netguard.install()
