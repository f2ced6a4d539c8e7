"""The assets app's api, one module per part."""
