"""Concurrent edits of SLA set-up (issue 12, item 9): calendars and contracts carry a version;
a stale edit is a conflict (409 with the current version in the API; the page shows the
current values and keeps the input), an edit of a calendar deleted meanwhile is a 404 (it was
a 500: the service's .get() found nothing), and a calendar deleted while a contract is pointed
at it ends in a clean refusal on one side."""

import pytest
from django.urls import reverse

from deskside.core import versioning
from deskside.sla import services as sla
from deskside.sla.exceptions import SlaError
from deskside.sla.models import Calendar, Contract
from tests.conftest import client_for
from tests.core.races import in_threads
from tests.sla.test_views import WEEK, login


@pytest.fixture
def always(admin):
    return sla.create_calendar(actor=admin, name="24x7", definition={"24x7": True})


def test_api_stale_calendar_patch_is_409(admin, always):
    api = client_for(admin)
    path = f"/api/v1/calendars/{always.public_id}"
    assert api.get(path).json()["version"] == 1
    first = api.patch(path, {"name": "Always", "version": 1})
    assert first.status_code == 200, first.json()
    assert first.json()["version"] == 2
    stale = api.patch(path, {"name": "Round the clock", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["field"] == "version" and stale.json()["version"] == 2
    assert Calendar.objects.get().name == "Always"


def test_api_edit_of_a_deleted_calendar_is_404_not_500(admin, always):
    api = client_for(admin)
    stale = Calendar.objects.get(pk=always.pk)
    sla.delete_calendar(actor=admin, calendar=always)
    with pytest.raises(versioning.Gone):
        sla.update_calendar(actor=admin, calendar=stale, name="Back")
    with pytest.raises(versioning.Gone):
        sla.delete_calendar(actor=admin, calendar=stale)
    response = api.patch(f"/api/v1/calendars/{always.public_id}", {"name": "Back"})
    assert response.status_code == 404
    assert not Calendar.objects.exists()


def test_api_stale_contract_patch_is_409_and_targets_count_as_a_change(admin, always):
    contract = sla.create_contract(actor=admin, name="Std", calendar=always, is_default=True)
    contract = contract.contract
    api = client_for(admin)
    path = f"/api/v1/contracts/{contract.public_id}"
    assert api.get(path).json()["version"] == 1
    targets = [{"priority": "P3", "first_response_minutes": 60, "resolution_minutes": 480}]
    first = api.patch(path, {"targets": targets, "version": 1})
    assert first.status_code == 200, first.json()
    assert first.json()["version"] == 2
    stale = api.patch(path, {"warning_percent": 50, "version": 1})
    assert stale.status_code == 409 and stale.json()["version"] == 2
    assert Contract.objects.get().warning_percent != 50


def test_calendar_page_stale_save_is_a_conflict_that_keeps_the_input(admin, always):
    client = login(admin)
    url = reverse("sla:calendar", args=[always.public_id])
    assert 'name="version" value="1"' in client.get(url).content.decode()
    sla.update_calendar(actor=admin, calendar=always, name="Renamed elsewhere")
    response = client.post(url, {**WEEK, "name": "My calendar", "version": "1"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed by someone else since you opened it" in html
    assert "Renamed elsewhere" in html and 'value="My calendar"' in html
    assert 'name="version" value="2"' in html
    assert Calendar.objects.get().name == "Renamed elsewhere"
    assert client.post(url, {**WEEK, "name": "My calendar", "version": "2"}).status_code == 302
    assert Calendar.objects.get().name == "My calendar"


@pytest.mark.django_db(transaction=True)
def test_racing_calendar_delete_and_contract_end_clean(admin):
    for i in range(3):
        calendar = sla.create_calendar(actor=admin, name=f"Race {i}", definition={"24x7": True})
        _, errors = in_threads(
            lambda c=calendar, i=i: sla.create_contract(
                actor=admin, name=f"Contract {i}", calendar=c, is_default=i == 0
            ),
            lambda c=calendar: sla.delete_calendar(actor=admin, calendar=c),
        )
        assert len(errors) == 1, errors
        assert isinstance(errors[0], SlaError), errors
        if Calendar.objects.filter(pk=calendar.pk).exists():
            assert Contract.objects.filter(calendar=calendar).count() == 1
        else:
            assert not Contract.objects.filter(calendar_id=calendar.pk).exists()


def test_contract_page_stale_save_is_a_conflict_that_keeps_the_input(admin, always):
    contract = sla.create_contract(
        actor=admin, name="Standard", calendar=always, is_default=True
    ).contract
    client = login(admin)
    url = reverse("sla:contract", args=[contract.public_id])
    page = client.get(url)
    assert 'name="version" value="1"' in page.content.decode()
    data = {
        k: ("" if v is None else v)
        for k, v in page.context["form"].initial.items()
        if not isinstance(v, bool)
    }
    data["is_default"] = "on"
    sla.update_contract(actor=admin, contract=contract, name="Renamed elsewhere")
    response = client.post(url, {**data, "name": "My contract", "version": "1"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed by someone else since you opened it" in html
    assert "Renamed elsewhere" in html and 'value="My contract"' in html
    assert Contract.objects.get().name == "Renamed elsewhere"
