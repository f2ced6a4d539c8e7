"""Caller look-up (`accounts.queries.callers_matching` / `callers_with_number`): a phone number
in any format, the start of a name, email or client; only active contacts of the clients the
agent serves."""

import pytest

from deskside.accounts import services as accounts
from deskside.accounts.models import Tier, User
from deskside.accounts.names import fold, name_keys
from deskside.accounts.queries import callers_matching, callers_with_number

FORMATS = ["(555) 010-0123", "+1 555 010 0123", "tel:+15550100123", "555.010.0123"]


@pytest.fixture
def erin(acme, acme_hq):
    """An Acme contact with a desk phone and a mobile."""
    return accounts.create_user(
        email="erin.walsh@acme.example",
        full_name="Érin Walsh",
        organization=acme,
        site=acme_hq,
        phone="(555) 010-0123",
        mobile="+44 20 7946 0958",
        is_vip=True,
    )


@pytest.fixture
def gus(globex):
    """A Globex contact."""
    return accounts.create_user(
        email="gus@globex.example",
        full_name="Gus Grant",
        organization=globex,
        phone="+1 555 010 0199",
    )


@pytest.fixture
def acme_only(msp, acme):
    """An L1 agent who serves only Acme."""
    user = accounts.create_user(
        email="rita@msp.example", full_name="Rita Restricted", kind="agent", tier=Tier.L1
    )
    user.served_organizations.set([acme])
    return user


@pytest.mark.parametrize("text", FORMATS)
def test_every_format_of_a_number_finds_its_contact(alice, erin, gus, text):
    assert callers_matching(alice, text) == [erin]
    assert callers_with_number(alice, text) == [erin]


def test_a_mobile_number_finds_its_contact_too(alice, erin):
    assert callers_matching(alice, "0044 20 7946 0958") == [erin]
    assert callers_with_number(alice, "+442079460958") == [erin]


def test_the_first_digits_of_a_number_find_the_contacts_they_start(alice, erin, gus):
    assert callers_matching(alice, "555 010") == [erin, gus]
    assert callers_matching(alice, "(555) 010-01") == [erin, gus]
    assert callers_matching(alice, "+1 555 010 012") == [erin]
    assert callers_matching(alice, "55") == []  # too short to mean anything
    # Seven digits also read as a whole (local) number: still a prefix of the stored ones.
    assert callers_matching(alice, "555-0100") == [erin, gus]
    assert callers_matching(alice, "0044 20 79") == [erin]  # the international prefix
    # A screen-pop needs the whole number: a part of one finds nobody.
    assert callers_with_number(alice, "555 010") == []


@pytest.mark.parametrize("text", ["erin", "ERIN", "Érin", "walsh", "Walsh E", "erin wal", "eri"])
def test_the_start_of_a_first_name_or_surname_finds_the_contact(alice, erin, gus, text):
    assert callers_matching(alice, text) == [erin]


def test_a_part_inside_a_name_is_not_a_match(alice, erin):
    assert callers_matching(alice, "alsh") == []


def test_the_start_of_an_email_finds_the_contact(alice, erin, gus):
    assert callers_matching(alice, "erin.walsh@") == [erin]
    assert callers_matching(alice, "GUS@glo") == [gus]


def test_a_client_name_lists_its_contacts_after_people_matching_themselves(
    alice, erin, gus, carol, acme
):
    assert callers_matching(alice, "acme") == [carol, erin]
    assert callers_matching(alice, "corp") == [carol, erin]  # anywhere in the client's name
    named = accounts.create_user(
        email="acme.fan@globex.example", full_name="Acme Fan", organization=gus.organization
    )
    # Globex's Acme Fan names himself: he comes first, then Acme's contacts.
    assert callers_matching(alice, "acme") == [named, carol, erin]
    assert callers_matching(alice, "acme", limit=2) == [named, carol]


def test_only_customers_who_are_active(alice, erin, leo):
    assert callers_matching(alice, "leo") == []  # an agent is not a caller
    erin.is_active = False
    erin.save(update_fields=["is_active"])
    for text in [*FORMATS, "erin", "erin.walsh@", "acme"]:
        assert callers_matching(alice, text) == []
    assert callers_with_number(alice, "(555) 010-0123") == []


@pytest.mark.parametrize(
    "text", ["+1 555 010 0199", "tel:+15550100199", "555.010.0199", "555 010 019", "gus", "grant",
             "gus@", "globex"]
)  # fmt: skip
def test_an_agent_serving_other_clients_never_finds_their_contacts(acme_only, gus, erin, text):
    assert callers_matching(acme_only, text) == []
    assert callers_with_number(acme_only, text) == []


def test_an_agent_serving_the_client_finds_its_contacts(acme_only, erin, gus):
    assert callers_matching(acme_only, "555 010") == [erin]
    assert callers_matching(acme_only, "walsh") == [erin]


def test_customers_and_strangers_find_nobody(carol, erin, dave):
    assert callers_matching(carol, "erin") == []
    assert callers_matching(dave, "(555) 010-0123") == []
    assert callers_with_number(carol, "(555) 010-0123") == []


def test_nonsense_finds_nobody(alice, erin):
    for text in ["", "   ", "e", "-", "+", "tel:", "()", "x" * 500, "%", "_", "\\"]:
        assert callers_matching(alice, text) == []
    assert callers_with_number(alice, "not a number") == []


def test_like_wildcards_are_plain_characters(alice, erin, gus):
    assert callers_matching(alice, "e%") == []
    assert callers_matching(alice, "g_s") == []


def test_limit_is_kept(alice, acme):
    for i in range(12):
        accounts.create_user(
            email=f"p{i}@acme.example", full_name=f"Pat {i:02d}", organization=acme
        )
    assert len(callers_matching(alice, "pat")) == 10
    assert [p.full_name for p in callers_matching(alice, "pat", limit=3)] == [
        "Pat 00",
        "Pat 01",
        "Pat 02",
    ]
    assert len(callers_matching(alice, "pat", limit=500)) == 12


def test_name_keys_are_kept_with_the_name(erin):
    assert (erin.name_key, erin.surname_key) == ("erin walsh", "walsh erin")
    erin.full_name = "Erin  Van Dyke"
    erin.save(update_fields=["full_name"])
    stored = User.objects.get(pk=erin.pk)
    assert (stored.name_key, stored.surname_key) == ("erin van dyke", "dyke erin van")
    assert name_keys("") == ("", "")
    assert fold("  ÉMILE   Zoë ") == "emile zoe"
