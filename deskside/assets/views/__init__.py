"""The assets app's views, one module per part."""
