"""The directory's pages and the CSV import, timed on a seeded data set (issue 14, item 1).

    cp -r /work/benchdata/ws1m /work/benchdata/directory      # never time the shared copy
    DESKSIDE_DATA_DIR=/work/benchdata/directory deskside migrate
    DESKSIDE_DATA_DIR=/work/benchdata/directory python bench/directory.py --rounds 21

Pages are requested in-process through Django's test client, signed in (`force_login`) as the
bench agent (unrestricted L1), so a figure is the server's work for the page (middleware,
queries, template) without HTTP. Each page is requested `--rounds` times; the table gives the
median and the worst (with 21 rounds, the worst is the p95-p99 of a quiet machine).

  contacts         /directory/ (the first page of active contacts, by name)
  search-name      /directory/?q=<a contact's surname>
  search-phone     /directory/?q=<a contact's phone number, written another way>
  client           /directory/?client=<the biggest client>
  contact          /directory/contacts/<the busiest requester>/ (their tickets, newest first)
  contact-tickets  GET /api/v1/directory/contacts/<the same>/tickets

Then the import of a generated file of `--rows` contacts (default 2,000; a tenth of them
existing contacts whose name changes, the rest new) of the biggest client: the dry run, then
the import, each timed once; the import's rows are deleted afterwards so a second run finds
the same data.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=21)
    p.add_argument("--rows", type=int, default=2000)
    args = p.parse_args()

    import django  # noqa: PLC0415 - after the settings module is chosen

    django.setup()
    from django.db.models import Count  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415

    from deskside.accounts.models import Organization, User  # noqa: PLC0415
    from deskside.accounts.services import create_api_token  # noqa: PLC0415
    from deskside.directory import services  # noqa: PLC0415
    from deskside.tickets.models import Ticket  # noqa: PLC0415

    agent = User.objects.get(email="bench-agent@msp.example")
    web = Client(HTTP_HOST="localhost")
    web.force_login(agent)
    api = Client(
        HTTP_HOST="localhost",
        HTTP_AUTHORIZATION=f"Bearer {create_api_token(user=agent, name='bench')}",
    )
    biggest = (
        Organization.objects.filter(is_msp=False).annotate(n=Count("people")).order_by("-n").first()
    )
    busiest_id = (
        Ticket.objects.filter(organization=biggest)
        .values("requester")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("requester", flat=True)[:1]
    )
    busiest = User.objects.get(pk=busiest_id[0])
    named = User.objects.filter(organization=biggest).exclude(full_name="").first()
    phoned = User.objects.filter(organization=biggest).exclude(phone_e164="").first()
    surname = named.full_name.split()[-1]
    phone = phoned.phone_e164
    written = f"({phone[2:5]}) {phone[5:8]}-{phone[8:]}" if phone.startswith("+1") else phone
    print(
        f"{User.objects.filter(kind='customer').count()} contacts, "
        f"{Ticket.objects.count()} tickets; client {biggest.slug} ({biggest.n} people); "
        f"busiest requester {busiest.email} "
        f"({Ticket.objects.filter(requester=busiest).count()} tickets)"
    )
    pages = {
        "contacts": (web, "/directory/"),
        "search-name": (web, f"/directory/?q={surname}"),
        "search-phone": (web, f"/directory/?q={written}"),
        "client": (web, f"/directory/?client={biggest.slug}"),
        "contact": (web, f"/directory/contacts/{busiest.public_id}/"),
        "contact-tickets": (api, f"/api/v1/directory/contacts/{busiest.public_id}/tickets"),
    }
    times: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(args.rounds):
        for name, (client, url) in pages.items():
            start = time.perf_counter()
            response = client.get(url)
            times[name].append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
    print(f"\n| page | median ms | worst ms | ({args.rounds} rounds) |\n| --- | --- | --- | --- |")
    for name, values in times.items():
        print(f"| {name} | {statistics.median(values):.1f} | {max(values):.1f} | |")

    existing = list(
        User.objects.filter(organization=biggest, kind="customer").values_list("email", flat=True)[
            : args.rows // 10
        ]
    )
    lines = ["email,full_name,phone,client,vip"]
    lines += [f"{email},Renamed {i},,{biggest.slug}," for i, email in enumerate(existing)]
    lines += [
        f"bench-import-{i}@{biggest.slug}.example,Imported {i},+1 617 555 {i % 10000:04d},"
        f"{biggest.slug},{'yes' if i % 50 == 0 else ''}"
        for i in range(args.rows - len(existing))
    ]
    data = ("\n".join(lines) + "\n").encode()
    before = {
        u.email: u.full_name
        for u in User.objects.filter(email__in=existing).only("email", "full_name")
    }
    start = time.perf_counter()
    plan = services.import_contacts(actor=agent, data=data, dry_run=True)
    dry = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    plan = services.import_contacts(actor=agent, data=data)
    applied = (time.perf_counter() - start) * 1000
    print(
        f"\nimport of {args.rows} rows ({plan.created} created, {plan.updated} updated, "
        f"{plan.errors} errors): dry run {dry:.0f} ms, import {applied:.0f} ms"
    )
    # Leave the data set as it was.
    User.objects.filter(email__startswith="bench-import-").delete()
    for email, name in before.items():
        User.objects.filter(email=email).update(full_name=name)


if __name__ == "__main__":
    main()
