from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "deskside.workspace"
    label = "workspace"
    verbose_name = "Agent workspace: saved views"
