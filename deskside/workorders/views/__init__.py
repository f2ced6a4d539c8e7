"""Work-order views, one module per part."""
