"""Work-order operations, one module per part: `templates` (admins' templates and their
versions, audited), `orders` (a work order from a template, on a new or an existing ticket),
and the parts built on them. Import the module you need:
`from deskside.workorders.services import orders`."""
