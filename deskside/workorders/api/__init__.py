"""Work-order api, one module per part."""
