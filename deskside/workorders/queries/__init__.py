"""Work-order queries, one module per part."""
