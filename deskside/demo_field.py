"""The demo's field service (issue 17), loaded after the knowledge and insight with the clock
at "now": the field demo's base (`deskside.field.demo`: technicians, clearances, a week of
visits, one technician on leave with backfill to do), then the field parts' own demos."""

from deskside.field import demo as field_demo


def load(*, password: str) -> None:
    field_demo.seed_demo(password=password)
