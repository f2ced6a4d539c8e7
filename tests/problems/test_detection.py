"""The detection pass over the database: clusters per client, stored in place of the last
pass's; dismissals remembered; the worker's claim; the settings (administrators, audited);
the command line."""

from datetime import timedelta

import pytest

from deskside import cli
from deskside.accounts import services as accounts
from deskside.problems import detection, services, worker
from deskside.problems.exceptions import InvalidInput, NotAllowed
from deskside.problems.models import Cluster, DetectionState
from deskside.tickets.models import TicketType
from tests import audit_helpers
from tests.problems.conftest import NOW, OUTLOOK, T0

pytestmark = pytest.mark.django_db


def _members(cluster):
    return set(cluster.members.values_list("ticket_id", flat=True))


def test_a_pass_finds_the_acme_cluster_and_not_globex(planted):
    outcome = detection.detect()
    assert (outcome.tickets, outcome.clusters) == (9, 1)
    cluster = Cluster.objects.get()
    assert cluster.organization.slug == "acme" and cluster.size == 4
    assert _members(cluster) == {t.pk for t in planted["acme"]}
    assert "password" in cluster.terms and "outlook" in cluster.terms
    assert cluster.label in {s for s, _ in OUTLOOK}
    assert cluster.first_at < cluster.last_at and cluster.window_days == 14
    state = DetectionState.objects.get()
    assert (state.last_tickets, state.last_clusters) == (9, 1)


def test_the_window_leaves_older_tickets_out(planted, at):
    at(NOW + timedelta(days=14))  # the first Outlook tickets are now 17 days old
    assert detection.detect().clusters == 0
    assert detection.detect(window_days=30).clusters == 1


def test_a_pass_replaces_the_last_one(planted):
    detection.detect()
    first = Cluster.objects.get()
    members = _members(first)
    detection.detect()
    second = Cluster.objects.get()
    assert first.pk != second.pk and _members(second) == members
    assert not Cluster.objects.filter(pk=first.pk).exists()


def test_a_dismissed_cluster_stays_away_until_it_grows(planted, alice, make_ticket, carol):
    detection.detect()
    services.dismiss_cluster(actor=alice, cluster=Cluster.objects.get())
    assert Cluster.objects.count() == 0
    assert detection.detect().clusters == 0
    make_ticket(carol, subject="Outlook asking for the password again", description="Outlook")
    assert detection.detect().clusters == 1
    assert Cluster.objects.get().size == 5


def test_a_cluster_already_a_problem_is_not_shown_again(cluster, alice):
    services.problem_from_cluster(actor=alice, cluster=cluster)
    assert detection.detect().clusters == 0


def test_people_need_the_admin_role_and_settings_are_checked(planted, alice, admin):
    with pytest.raises(NotAllowed):
        detection.detect(actor=alice)
    assert detection.detect(actor=admin).clusters == 1
    with pytest.raises(InvalidInput) as err:
        detection.detect(threshold=1.5)
    assert err.value.field == "threshold"
    with pytest.raises(InvalidInput):
        detection.detect(window_days=0)


def test_configure_is_audited_and_for_admins(admin, alice):
    start = audit_helpers.mark()
    with pytest.raises(NotAllowed):
        detection.configure(actor=alice, window_days=7)
    detection.configure(actor=admin, window_days=7, threshold=0.4)
    state = DetectionState.objects.get()
    assert (state.window_days, state.threshold, state.min_size) == (7, 0.4, 3)
    entry = audit_helpers.only(start)
    assert entry.object_type == "problems.detection" and entry.after["window_days"] == 7
    with pytest.raises(InvalidInput):
        detection.configure(actor=admin, min_size=1)


def test_the_worker_claims_the_pass_once_per_period(planted, at):
    worker.problems_pass()
    assert Cluster.objects.count() == 1
    Cluster.objects.all().delete()
    worker.problems_pass()  # not due again yet
    assert Cluster.objects.count() == 0
    at(NOW + detection.EVERY)
    worker.problems_pass()
    assert Cluster.objects.count() == 1
    assert not detection.claim(NOW + detection.EVERY)


def test_the_command_line(planted, capsys):
    assert cli.main(["problems", "detect", "--quiet"]) == 0
    assert "9 tickets read, 1 recurring clusters stored" in capsys.readouterr().out
    assert cli.main(["problems", "detect", "--threshold", "2"]) == 2
    assert "threshold must be from 0.05 to 0.95" in capsys.readouterr().err
    assert Cluster.objects.count() == 1  # a refused run changed nothing


def test_different_sites_and_types_are_never_clustered_together(at, make_ticket, carol, acme_hq):
    """The same words at Acme's HQ and at its branch, and as incidents and as service requests
    at HQ: three scopes, three clusters, none mixing tickets of two scopes."""
    branch = accounts.create_site(organization=acme_hq.organization, name="Branch office")
    plan = {
        (acme_hq, TicketType.INCIDENT): [],
        (branch, TicketType.INCIDENT): [],
        (acme_hq, TicketType.SERVICE_REQUEST): [],
    }
    for i, (subject, description) in enumerate(OUTLOOK[:3]):
        at(T0 + timedelta(hours=6 * i))
        for (site, kind), made in plan.items():
            made.append(
                make_ticket(carol, subject=subject, description=description, site=site, type=kind)
            )
    at(NOW)
    assert detection.detect().clusters == 3
    found = {(c.site_id, c.ticket_type): _members(c) for c in Cluster.objects.all()}
    assert found == {(site.pk, kind): {t.pk for t in made} for (site, kind), made in plan.items()}
    # Three of each scope are below a minimum size of 4: mixed, the nine would make one.
    assert detection.detect(min_size=4).clusters == 0
