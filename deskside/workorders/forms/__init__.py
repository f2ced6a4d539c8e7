"""The work-order pages' forms (one module per part)."""
