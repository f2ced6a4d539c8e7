"""The field pages, one module per part: board, clearance, day, plans, signoff, time, visits
(each a set of thin views over the services; their paths in deskside/field/urls.py)."""
