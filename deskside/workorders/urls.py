"""The work-order pages under /workorders/ (namespace "workorders"): each part's patterns
(urls_<part>.py). The literal paths come first: "<public_id>/" of the orders would otherwise
match "templates/" or "projects/"."""

from deskside.workorders import urls_orders, urls_projects, urls_templates

app_name = "workorders"

urlpatterns: list = [
    *urls_templates.urlpatterns,
    *urls_projects.urlpatterns,
    *urls_orders.urlpatterns,
]
