"""Who may see which work orders and templates: every page and endpoint reads through these."""
