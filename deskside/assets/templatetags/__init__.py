"""The assets app's templatetags, one module per part."""
