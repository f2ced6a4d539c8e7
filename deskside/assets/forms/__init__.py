"""The assets app's forms, one module per part."""
