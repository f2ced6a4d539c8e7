"""The work-order API routers (one module per part)."""
