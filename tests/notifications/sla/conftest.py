"""The sla tests' fixtures, for the notifications they cause."""

from tests.sla.conftest import (  # noqa: F401 - fixtures
    acme_contract,
    around_the_clock,
    at,
    contracts,
    default_contract,
    office_hours,
)
