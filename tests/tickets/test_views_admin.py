"""The tickets admin is read-only: browsing works, nothing bypasses the services."""

from django.urls import reverse

from deskside.accounts import services as accounts


def test_admin_browses_tickets_read_only(client, acme_ticket, msp):
    admin = accounts.create_user(
        email="root@msp.example",
        password="root-pass-123",
        kind="agent",
        tier="L3",
        organization=msp,
    )
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    changelist = client.get(reverse("admin:tickets_ticket_changelist"))
    assert changelist.status_code == 200
    assert acme_ticket.subject in changelist.content.decode()
    page = client.get(reverse("admin:tickets_ticket_change", args=[acme_ticket.pk]))
    assert page.status_code == 200
    assert client.get(reverse("admin:tickets_ticket_add")).status_code == 403
    response = client.post(
        reverse("admin:tickets_ticket_change", args=[acme_ticket.pk]), {"subject": "Changed"}
    )
    assert response.status_code == 403
    acme_ticket.refresh_from_db()
    assert acme_ticket.subject == "Printer offline on floor 2"
