"""The work-order pages under /workorders/ (the integrator composes the parts)."""

from deskside.workorders import urls_orders, urls_templates

app_name = "workorders"

# templates/ first: "<public_id>/" of the orders would otherwise match "templates/".
urlpatterns = [*urls_templates.urlpatterns, *urls_orders.urlpatterns]
