"""The work-order pages (one module per part)."""
