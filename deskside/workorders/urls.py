"""The work-order pages under /workorders/: each part's patterns (urls_<part>.py)."""

from deskside.workorders import urls_projects

app_name = "workorders"

urlpatterns: list = [*urls_projects.urlpatterns]
