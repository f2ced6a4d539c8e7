"""The assets app's queries, one module per part."""
