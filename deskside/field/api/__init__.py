"""The field API, one ninja router per part: board, clearance, plans, time, visits (each
mounted under /api/v1/field/ by deskside/api.py)."""
