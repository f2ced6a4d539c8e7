"""Django admin of the work orders: each part's registrations (read-only: services own them)."""

from deskside.workorders import admin_orders, admin_projects, admin_templates  # noqa: F401
