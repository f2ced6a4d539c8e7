"""The demo's field service (issue 17), loaded after the history with the caller's clock back
("now"): the field demo's base (`deskside.field.demo`: technicians, clearances, a week of
visits, one technician on leave with backfill to do), then the field parts' own demos: a visit
done and signed on the phone, time entries with billing rules and timesheets, a proposed route
plan."""

from deskside.field import demo as field_demo
from deskside.field import demo_route, demo_time, demo_visits


def load(*, password: str) -> None:
    field_demo.seed_demo(password=password)
    demo_visits.seed_demo()
    demo_time.seed_demo()
    demo_route.seed_demo()
