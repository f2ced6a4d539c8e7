from django.apps import AppConfig
from django.db.models.signals import post_migrate


class WorkspaceConfig(AppConfig):
    name = "deskside.workspace"
    label = "workspace"
    verbose_name = "Agent workspace: saved views"

    def ready(self) -> None:
        # Built-in rows, not domain logic: the default views exist after every migrate and
        # after a flush (tests that use a live server flush the database after each test).
        from deskside.workspace.services import ensure_default_views  # noqa: PLC0415 - models

        post_migrate.connect(ensure_default_views, sender=self, dispatch_uid="workspace-defaults")
