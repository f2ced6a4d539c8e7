"""Work-order forms, one module per part."""
