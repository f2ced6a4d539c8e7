"""Django admin of the assets: each part's registrations (read-only where services own rows)."""

from deskside.assets import admin_assets, admin_disposal, admin_remote, admin_rma  # noqa: F401
