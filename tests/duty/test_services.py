"""The services' rules: who may change what, and every bad input refused naming its field."""

from datetime import datetime, timedelta

import pytest

from deskside.core import clock
from deskside.duty import services
from deskside.duty.exceptions import InUse, InvalidInput, NotAllowed, WrongState
from deskside.duty.models import Swap
from deskside.paging.models import EscalationPolicy, EscalationStep
from tests.duty.conftest import BERLIN, NEW_YORK, UTC

NOW = datetime(2026, 3, 1, tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def _now():
    with clock.frozen(NOW):
        yield


def d(day, hour=0):
    return datetime(2026, 3, day, hour, tzinfo=BERLIN)


def test_only_admins_change_schedules(alice, admin, weekly):
    with pytest.raises(NotAllowed):
        services.create_schedule(actor=alice, name="Mine")
    with pytest.raises(NotAllowed):
        services.update_schedule(actor=alice, schedule=weekly, name="X", timezone="UTC")
    with pytest.raises(NotAllowed):
        services.create_layer(
            actor=alice, schedule=weekly, name="L", starts_at=d(2), members=[alice]
        )
    with pytest.raises(NotAllowed):
        services.delete_schedule(actor=alice, schedule=weekly)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "Primary"}, "name"),  # taken
        ({"name": "New"}, "slug"),  # reserved address
        ({"name": "Other", "timezone": "Mars/Olympus"}, "timezone"),
    ],
)
def test_schedule_validation(admin, weekly, kwargs, field):
    with pytest.raises(InvalidInput) as caught:
        services.create_schedule(actor=admin, **kwargs)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"members": []}, "members"),
        ({"starts_at": datetime(2026, 3, 2)}, "starts_at"),
        ({"ends_at": d(1)}, "ends_at"),
        ({"shift_length": 0}, "shift_length"),
        ({"shift_unit": "months"}, "shift_unit"),
        ({"timezone": "Nowhere"}, "timezone"),
        (
            {"restrictions": [{"days": [7], "start": "18:00", "end": "08:00"}]},
            "restrictions[0].days",
        ),
        (
            {"restrictions": [{"days": [0], "start": "25:00", "end": "08:00"}]},
            "restrictions[0].start",
        ),
        ({"restrictions": [{"days": [0], "start": "18:00", "end": "8"}]}, "restrictions[0].end"),
        ({"restrictions": "weeknights"}, "restrictions"),
    ],
)
def test_layer_validation(admin, alice, weekly, kwargs, field):
    args = {"name": "L", "starts_at": d(2, 9), "members": [alice], **kwargs}
    with pytest.raises(InvalidInput) as caught:
        services.create_layer(actor=admin, schedule=weekly, **args)
    assert caught.value.field == field


def test_layer_members_must_be_agents(admin, weekly, carol):
    with pytest.raises(InvalidInput) as caught:
        services.create_layer(
            actor=admin, schedule=weekly, name="L", starts_at=d(2), members=[carol]
        )
    assert caught.value.field == "members"


def test_update_layer_replaces_members_in_order(admin, weekly, alice, leo, tara):
    layer = weekly.layers.get()
    services.update_layer(
        actor=admin,
        layer=layer,
        name="Weekly",
        starts_at=d(2, 9),
        members=[tara, alice],
        restrictions=[{"days": [4, 0], "start": "8:00", "end": "16:00"}],
    )
    assert [m.user for m in layer.members.all()] == [tara, alice]
    layer.refresh_from_db()
    assert layer.restrictions == [{"days": [0, 4], "start": "08:00", "end": "16:00"}]


def test_overrides_for_yourself_or_by_an_admin(weekly, alice, leo, admin):
    own = services.create_override(
        actor=alice, schedule=weekly, user=alice, starts_at=d(3), ends_at=d(4)
    )
    with pytest.raises(NotAllowed) as caught:
        services.create_override(
            actor=alice, schedule=weekly, user=leo, starts_at=d(3), ends_at=d(4)
        )
    assert caught.value.field == "user"
    services.create_override(actor=admin, schedule=weekly, user=leo, starts_at=d(3), ends_at=d(4))
    with pytest.raises(NotAllowed):
        services.delete_override(actor=leo, override=own)
    services.delete_override(actor=alice, override=own)


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "field"),
    [
        (d(4), d(3), "ends_at"),
        (d(3), d(3), "ends_at"),
        (
            datetime(2026, 2, 1, tzinfo=BERLIN),
            datetime(2026, 2, 2, tzinfo=BERLIN),
            "ends_at",
        ),  # past
        (d(3), d(3) + timedelta(days=400), "ends_at"),
        (datetime(2026, 3, 3), d(4), "starts_at"),
    ],
)
def test_override_periods(weekly, admin, leo, starts_at, ends_at, field):
    with pytest.raises(InvalidInput) as caught:
        services.create_override(
            actor=admin, schedule=weekly, user=leo, starts_at=starts_at, ends_at=ends_at
        )
    assert caught.value.field == field


def test_swap_needs_both_people_on_the_schedule(weekly, alice, dora, leo):
    with pytest.raises(InvalidInput) as caught:
        services.propose_swap(
            actor=alice, schedule=weekly, partner=dora, starts_at=d(3), ends_at=d(4)
        )
    assert caught.value.field == "partner"
    with pytest.raises(InvalidInput) as caught:
        services.propose_swap(
            actor=dora, schedule=weekly, partner=alice, starts_at=d(3), ends_at=d(4)
        )
    assert caught.value.field == "requester"
    with pytest.raises(InvalidInput) as caught:
        services.propose_swap(
            actor=alice, schedule=weekly, partner=alice, starts_at=d(3), ends_at=d(4)
        )
    assert caught.value.field == "partner"
    with pytest.raises(NotAllowed) as caught:
        services.propose_swap(
            actor=alice, requester=leo, schedule=weekly, partner=alice, starts_at=d(3), ends_at=d(4)
        )
    assert caught.value.field == "requester"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"return_starts_at": d(10)}, "return_ends_at"),
        ({"return_ends_at": d(10)}, "return_starts_at"),
        ({"return_starts_at": d(11), "return_ends_at": d(10)}, "return_ends_at"),
        ({"return_starts_at": d(3, 12), "return_ends_at": d(10)}, "return_starts_at"),  # overlap
    ],
)
def test_swap_return_periods(weekly, alice, leo, extra, field):
    with pytest.raises(InvalidInput) as caught:
        services.propose_swap(
            actor=alice, schedule=weekly, partner=leo, starts_at=d(3), ends_at=d(4), **extra
        )
    assert caught.value.field == field


def test_only_partner_or_admin_decides_and_only_once(weekly, alice, leo, tara, admin):
    swap = services.propose_swap(
        actor=alice, schedule=weekly, partner=leo, starts_at=d(3), ends_at=d(4)
    )
    for outsider in (tara, alice):
        with pytest.raises(NotAllowed):
            services.accept_swap(actor=outsider, swap=swap)
    accepted = services.accept_swap(actor=leo, swap=swap)
    assert accepted.status == Swap.Status.ACCEPTED and accepted.decided_by == leo
    with pytest.raises(WrongState):
        services.decline_swap(actor=leo, swap=swap)
    with pytest.raises(NotAllowed):
        services.cancel_swap(actor=leo, swap=swap)
    assert services.cancel_swap(actor=admin, swap=swap).status == Swap.Status.CANCELLED
    with pytest.raises(WrongState):
        services.cancel_swap(actor=alice, swap=swap)
    other = services.propose_swap(
        actor=alice, schedule=weekly, partner=tara, starts_at=d(3), ends_at=d(4)
    )
    assert services.decline_swap(actor=admin, swap=other).status == Swap.Status.DECLINED


def test_customers_can_do_nothing(weekly, carol):
    with pytest.raises(NotAllowed):
        services.create_override(
            actor=carol, schedule=weekly, user=carol, starts_at=d(3), ends_at=d(4)
        )
    with pytest.raises(NotAllowed):
        services.person_feed(actor=carol)


def test_a_schedule_an_escalation_step_pages_cannot_be_deleted(admin, weekly):
    policy = EscalationPolicy.objects.create(name="P1 nights", slug="p1-nights")
    EscalationStep.objects.create(policy=policy, position=0, target="schedule", schedule=weekly)
    with pytest.raises(InUse) as caught:
        services.delete_schedule(actor=admin, schedule=weekly)
    assert caught.value.status_code == 409
    assert weekly.layers.exists()


GAP_MESSAGE = "02:30 does not exist on 29 Mar 2026 in Europe/Berlin"


@pytest.mark.parametrize(
    "starts_at",
    [
        datetime(2026, 3, 29, 2, 30, tzinfo=BERLIN),  # as the pages give it (fold=0)
        datetime(2026, 3, 29, 2, 30, tzinfo=BERLIN, fold=1),
        datetime.fromisoformat("2026-03-29T02:30+01:00"),  # the winter offset
        datetime.fromisoformat("2026-03-29T02:30+02:00"),  # the summer offset
    ],
)
def test_a_first_handoff_inside_the_spring_gap_is_refused(admin, alice, weekly, starts_at):
    """Read with fold=0, 02:30 on the spring-forward Sunday is 03:30 CEST, and every later
    daily hand-off would be at 03:30 instead of 02:30."""
    with pytest.raises(InvalidInput) as caught:
        services.create_layer(
            actor=admin,
            schedule=weekly,
            name="Nights",
            starts_at=starts_at,
            members=[alice],
            shift_unit="days",
        )
    assert caught.value.field == "starts_at"
    assert GAP_MESSAGE in caught.value.message


def test_the_gap_is_checked_in_the_layers_own_zone(admin, alice, weekly):
    # 02:30 on 8 March does not exist in New York; in Berlin (the schedule's zone) it does.
    with pytest.raises(InvalidInput) as caught:
        services.create_layer(
            actor=admin,
            schedule=weekly,
            name="US",
            timezone="America/New_York",
            starts_at=datetime(2026, 3, 8, 2, 30, tzinfo=NEW_YORK),
            members=[alice],
        )
    assert "02:30 does not exist on 8 Mar 2026 in America/New_York" in caught.value.message
    layer = services.create_layer(
        actor=admin,
        schedule=weekly,
        name="Berlin",
        starts_at=datetime(2026, 3, 8, 2, 30, tzinfo=BERLIN),
        members=[alice],
    )
    assert layer.starts_at == datetime(2026, 3, 8, 1, 30, tzinfo=UTC)


def test_real_instants_around_the_gap_are_kept(admin, alice, weekly):
    for name, starts_at, expected in [
        ("Before", datetime(2026, 3, 29, 1, 59, tzinfo=BERLIN), datetime(2026, 3, 29, 0, 59)),
        ("After", datetime(2026, 3, 29, 3, 0, tzinfo=BERLIN), datetime(2026, 3, 29, 1, 0)),
        # In UTC 02:30 is a real instant (04:30 CEST), even if 02:30 Berlin is not.
        ("Utc", datetime(2026, 3, 29, 2, 30, tzinfo=UTC), datetime(2026, 3, 29, 2, 30)),
    ]:
        layer = services.create_layer(
            actor=admin,
            schedule=weekly,
            name=name,
            starts_at=starts_at,
            members=[alice],
            shift_unit="days",
        )
        assert layer.starts_at == expected.replace(tzinfo=UTC)


def test_a_shift_too_long_for_the_arithmetic_is_refused(admin, alice, weekly):
    with pytest.raises(InvalidInput) as caught:
        services.create_layer(
            actor=admin,
            schedule=weekly,
            name="Huge",
            starts_at=d(2, 9),
            members=[alice],
            shift_length=10**9,
            shift_unit="days",
        )
    assert caught.value.field == "shift_length"
