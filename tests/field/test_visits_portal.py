"""The portal's ticket page: the ticket's visits as the customer view (date, window, status,
the technician's first name), nothing internal; another client's customer sees nothing; the
check-out's summary on the customer's timeline, the internal visit events not."""

from deskside.field.services import visits
from tests.field.fixtures_visits import *  # noqa: F403
from tests.field.fixtures_visits import PNG


def test_the_customer_sees_the_visit_and_nothing_internal(signed_in, carol, done, tara, leo):
    visits.sign_on_phone(leo, done, "Carol Customer", PNG)
    html = signed_in(carol).get(f"/portal/{done.ticket.number}/").content.decode()
    assert "On-site visits" in html and "Done" in html and "Leo" in html
    assert "Leo Field" not in html  # the first name only
    assert "key is with reception" not in html and "Toner" not in html  # instructions, parts
    assert "TN-2420" not in html and "signature-" not in html
    assert "Printed a test page" in html  # the public check-out summary
    assert "reported on the on-site visit" in html
    assert "arrived at HQ" not in html  # the internal visit events stay internal


def test_a_customer_of_another_client_never_sees_them(signed_in, dave, done):
    answer = signed_in(dave).get(f"/portal/{done.ticket.number}/")
    assert answer.status_code == 404
    assert "On-site visits" not in signed_in(dave).get("/portal/").content.decode()


def test_no_panel_without_visits(signed_in, carol, acme_ticket):
    html = signed_in(carol).get(f"/portal/{acme_ticket.number}/").content.decode()
    assert "On-site visits" not in html
