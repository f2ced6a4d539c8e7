"""The field forms, one module per part: board, clearance, day, time, visits."""
