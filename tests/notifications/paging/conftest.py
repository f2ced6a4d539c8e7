"""The paging tests' fixtures, for the notifications they cause."""

from tests.paging.conftest import (  # noqa: F401 - fixtures
    at,
    default_contract,
    office_hours,
    p1,
    policy,
    rule,
    schedule,
)
