"""The assets app's services, one module per part."""
