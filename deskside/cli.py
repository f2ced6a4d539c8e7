"""The `deskside` command.

    deskside demo [--host H] [--port P]     migrate, load demo data (once), serve
    deskside serve [--host H] [--port P] [--workers N] [--threads T]   the server (gunicorn)
    deskside migrate                        apply database migrations
    deskside worker [--once] [--interval S] SLA clocks, pages, outgoing mail, webhooks, mailboxes
    deskside createuser EMAIL --kind agent|customer [--organization SLUG] [--tier L1] ...
    deskside token create EMAIL [--name NAME]   print a new API token for that user
    deskside manage ARGS...                 any Django management command
    deskside sla due FILE.json              answer business-time questions (FILE "-": stdin)
    deskside staffing erlang FILE.json      Erlang C what-if: agents per case (FILE "-": stdin)
    deskside triage train                   train the triage model on the resolved tickets now
    deskside mail import PATH...            import .eml files, mbox files, Maildir folders
    deskside import-contacts FILE.csv [--dry-run]   contacts from CSV (see directory.imports)
    deskside smtpd [--port 2525] [--lmtp]   receive mail by SMTP/LMTP from the site's MTA
    deskside problems detect [--window-days N] [--min-size N] [--threshold X]   recurring issues
    deskside reports figures [--rebuild]      store the reports' per-ticket figures now
    deskside field plan FILE.json [--time-limit S] [--improve N] [--json]   what-if route plan
    deskside assets import --client SLUG FILE.csv [--dry-run]   a client's assets from CSV

Errors are one line on stderr and exit code 2, a bad environment variable's too (see
deskside.core.env). DESKSIDE_DEBUG=1 shows the traceback instead.

Links in mails, pages and feeds point at the address `serve` and `demo` run on (their --host and
--port) unless DESKSIDE_BASE_URL is set: see deskside.core.baseurl.
"""

import argparse
import getpass
import json
import logging
import math
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import django
from django.db import DatabaseError

from deskside.core import baseurl
from deskside.core.env import EnvError, env_bool, env_int, env_str

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


class CommandError(Exception):
    """A user-facing failure: printed as one line, exit code 2."""


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")
    django.setup()


def _migrate(verbosity: int = 1) -> None:
    from django.core.management import call_command  # noqa: PLC0415 - after django.setup()

    call_command("migrate", interactive=False, verbosity=verbosity)


def _gunicorn(
    host: str, port: int, workers: int, threads: int = 4, *, extra: Sequence[str] = ()
) -> None:
    """Replace this process with gunicorn serving Deskside (WhiteNoise serves static files).

    Threaded workers (gthread): a connection is kept alive between requests (monitoring tools
    and API clients post many in a row; sync workers close each one), and a slow client holds
    one thread, not a whole worker."""
    if workers < 1 or threads < 1:
        raise CommandError("--workers and --threads must be at least 1")
    if not 0 < port < 65536:
        raise CommandError("--port must be from 1 to 65535")
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "deskside.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "10",
        # gunicorn's largest request line (its default is 4094): URIs up to
        # deskside.core.errors.MAX_URI_LENGTH reach Deskside, which answers a longer one with
        # a JSON 414; gunicorn answers a line over this itself (plain text).
        "--limit-request-line",
        "8190",
        *extra,
    ]
    sys.stdout.flush()
    os.execv(sys.executable, args)  # noqa: S606 - fixed program, arguments from our parser


def _serving(args: argparse.Namespace) -> str:
    """Tell this process and its children (the server's workers, the demo's worker) where the
    site is served, set Django up, and record the address links will use in the data
    directory for a `deskside worker` started on its own (deskside.core.baseurl). Returns the
    address the server answers on."""
    url = baseurl.serving_url(args.host, args.port)
    os.environ[baseurl.SERVED_ENV] = url
    _setup()
    baseurl.record(baseurl.base_url())
    return url


def cmd_demo(args: argparse.Namespace) -> None:
    url = _serving(args)
    from deskside import demo  # noqa: PLC0415 - imports models, needs django.setup()

    print("Applying migrations…", flush=True)
    _migrate(verbosity=0)
    created = demo.load(progress=True)
    print("Demo data " + ("loaded." if created else "already present, left as it is."))
    print(f"\nDeskside is running at {url}/\n")
    print("Sign in with one of these demo accounts (password: " + demo.PASSWORD + "):")
    for email, role in demo.LOGINS:
        print(f"  {email:<28} {role}")
    print(f"\nAPI docs: {url}/api/v1/docs   Stop with Ctrl+C.\n")
    worker = start_demo_worker()
    from django.conf import settings  # noqa: PLC0415 - after django.setup()

    where = settings.EMAIL_FILE_PATH
    if env_str("DESKSIDE_EMAIL_BACKEND"):
        where = "the configured mail backend"
    print(
        f"Worker (SLA clocks, pages, mail, webhooks) running beside the server "
        f"(pid {worker.pid}); its mails go to {where}.\n"
    )
    sys.stdout.flush()
    _gunicorn(args.host, args.port, args.workers, args.threads)


def start_demo_worker() -> subprocess.Popen[bytes]:
    """Start `deskside worker` as a child that stops when this process (which becomes the
    server) ends, so the demo's SLA warnings and breaches fire as they fall due. It logs only
    warnings and errors and, unless a mail backend is configured, writes its mails as files
    to the data directory's sent-mail folder, to keep the server's console readable."""
    env = {
        **os.environ,
        "DESKSIDE_LOG_LEVEL": env_str("DESKSIDE_LOG_LEVEL", "WARNING"),
        "DESKSIDE_EMAIL_BACKEND": env_str(
            "DESKSIDE_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"
        ),
    }
    command = [sys.executable, "-m", "deskside.cli", "worker", "--parent", str(os.getpid())]
    return subprocess.Popen(command, env=env)  # noqa: S603 - fixed program and arguments


def cmd_serve(args: argparse.Namespace) -> None:
    _serving(args)
    if not args.no_migrate:
        _migrate(verbosity=0)
    _gunicorn(args.host, args.port, args.workers, args.threads)


def cmd_worker(args: argparse.Namespace) -> None:
    _setup()
    # The apps' passes import models: after django.setup().
    from deskside.assets.worker import rma_pass  # noqa: PLC0415
    from deskside.assignment.worker import assignment_pass  # noqa: PLC0415
    from deskside.core import worker  # noqa: PLC0415
    from deskside.handovers.worker import handovers_pass  # noqa: PLC0415
    from deskside.kb.worker import review_pass  # noqa: PLC0415
    from deskside.mail.worker import mail_pass  # noqa: PLC0415
    from deskside.notifications.worker import notifications_pass  # noqa: PLC0415
    from deskside.paging.worker import paging_pass  # noqa: PLC0415
    from deskside.problems.worker import problems_pass  # noqa: PLC0415
    from deskside.recurring.worker import recurring_pass  # noqa: PLC0415
    from deskside.reports.figures import figures_pass  # noqa: PLC0415
    from deskside.reports.worker import reports_pass  # noqa: PLC0415
    from deskside.sla.retiming import resume  # noqa: PLC0415
    from deskside.sla.worker import sla_pass  # noqa: PLC0415
    from deskside.triage.worker import training_pass, triage_pass  # noqa: PLC0415
    from deskside.webhooks.worker import webhooks_pass  # noqa: PLC0415

    if args.interval <= 0:
        raise CommandError("--interval must be a positive number of seconds")
    if not env_str("DESKSIDE_LOG_LEVEL"):
        for name in (worker.log.name, sla_pass.__module__):  # one line per pass
            logging.getLogger(name).setLevel(logging.INFO)
    worker.run(
        sla_pass,
        interval=args.interval,
        once=args.once,
        parent=args.parent,
        tasks=[mail_pass, notifications_pass],
        # Each on a thread of its own: a P1's first page must reach its transport within 2 s
        # of the ticket whatever a mail server or a webhook receiver is doing. The paging pass
        # is two indexed queries when idle, so every 0.5 s is cheap. Re-timing after a set-up
        # change (sla.retiming) works for up to 10 s at a time, in short transactions.
        lanes=[
            (paging_pass, 0.5),
            (webhooks_pass, 2.0),
            (resume, 5.0),
            (handovers_pass, 10.0),
            (assignment_pass, 30.0),
            (triage_pass, 2.0),  # auto-apply on new tickets, within seconds
            (training_pass, 30.0),  # nightly (and on request) training; long, on its own
            (problems_pass, 60.0),  # runs the detection when due (every 15 min)
            (reports_pass, 300.0),
            (figures_pass, 60.0),  # the reports' stored figures: changed and new tickets
            (recurring_pass, 30.0),  # recurring schedules' occurrences due: their tickets
            (rma_pass, 60.0),  # quiet vendor cases (days): a minute is fine-grained enough
            (review_pass, 300.0),  # KB articles due for review (days): their owners reminded
        ],
    )


def cmd_migrate(args: argparse.Namespace) -> None:
    _setup()
    _migrate()


def cmd_createuser(args: argparse.Namespace) -> None:
    _setup()
    from deskside.accounts import services  # noqa: PLC0415
    from deskside.accounts.exceptions import AccountsError  # noqa: PLC0415
    from deskside.accounts.models import Organization, Site, Team  # noqa: PLC0415

    organization = site = None
    if args.organization:
        organization = Organization.objects.filter(slug=args.organization).first()
        if organization is None:
            raise CommandError(f"no organisation with slug {args.organization!r}")
    if args.site:
        if organization is None:
            raise CommandError("--site needs --organization")
        site = Site.objects.filter(organization=organization, name=args.site).first()
        if site is None:
            raise CommandError(f"{organization} has no site named {args.site!r}")
    teams = []
    for slug in args.team or []:
        team = Team.objects.filter(slug=slug).first()
        if team is None:
            raise CommandError(f"no team with slug {slug!r}")
        teams.append(team)
    password = args.password
    if password is None and sys.stdin.isatty():
        password = getpass.getpass("Password (empty: none, the user cannot sign in yet): ")
    try:
        user = services.create_user(
            email=args.email,
            full_name=args.name or "",
            password=password or None,
            kind=args.kind,
            organization=organization,
            site=site,
            tier=args.tier or "",
            is_org_admin=args.org_admin,
            teams=teams,
            is_staff=args.admin,
            is_superuser=args.admin,
        )
    except AccountsError as exc:
        raise CommandError(exc.message) from exc
    print(f"created {user.kind} {user.email}")


def cmd_token(args: argparse.Namespace) -> None:
    _setup()
    from deskside.accounts import services  # noqa: PLC0415
    from deskside.accounts.models import User  # noqa: PLC0415

    user = User.objects.filter(email=args.email.strip().lower(), is_active=True).first()
    if user is None:
        raise CommandError(f"no active user with email {args.email!r}")
    print(services.create_api_token(user=user, name=args.name or "cli"))


def cmd_manage(args: argparse.Namespace) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")
    from django.core.management import execute_from_command_line  # noqa: PLC0415

    try:
        execute_from_command_line(["deskside manage", *args.rest])
    except SystemExit as exc:  # Django exits 1 on a command error; ours is 2, as everywhere
        if exc.code not in (0, None):
            raise SystemExit(2) from None
        raise


def cmd_sla_due(args: argparse.Namespace) -> None:
    """Print the file with a "result" or an "error" on each case (see deskside.sla.whatif)."""
    from deskside.sla import whatif  # noqa: PLC0415 - holiday data loads only for this command

    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read {args.file}: {exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(f"{args.file} is not JSON: {exc}") from exc
    try:
        result = whatif.answer(data)
    except whatif.WhatIfError as exc:
        raise CommandError(f"{args.file}: {exc}") from exc
    print(json.dumps(result, indent=2, ensure_ascii=False))


def cmd_triage_train(args: argparse.Namespace) -> None:
    """Train the triage model now, printing each step; exit 1 when there was not enough
    history for a model (the reason is printed)."""
    _setup()
    from deskside.triage import training  # noqa: PLC0415 - loads scikit-learn, after setup()
    from deskside.triage.models import ModelState  # noqa: PLC0415

    def progress(step: str) -> None:
        if not args.quiet:
            print(f"triage: {step}", file=sys.stderr, flush=True)

    run = training.train(progress=progress)
    if run.state != ModelState.READY:
        print(f"triage model not trained: {run.message}")
        raise SystemExit(1)
    for name, figures in run.metrics.items():
        print(
            f"{name:<9} accuracy {figures['accuracy']:.1%}  "
            f"baseline {figures['baseline']:.1%} (always {figures['baseline_answer']})"
        )
    print(f"model v{run.version}: {run.history} tickets, {run.size:,} bytes, {run.seconds:.1f} s")


def cmd_staffing_erlang(args: argparse.Namespace) -> None:
    """Print the file with a "result" on each case (see deskside.staffing.cases); one bad case
    is an error naming it and its field, and nothing is printed."""
    from deskside.staffing import cases  # noqa: PLC0415 - loads only for this command

    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read {args.file}: {exc}") from exc
    try:
        data = json.loads(text, parse_constant=cases.refuse_constant)
    except (json.JSONDecodeError, cases.CaseError) as exc:
        raise CommandError(f"{args.file} is not JSON: {exc}") from exc
    try:
        result = cases.answer(data)
    except cases.CaseError as exc:
        raise CommandError(f"{args.file}: {exc}") from exc
    print(json.dumps(result, indent=2, ensure_ascii=False))


FIELD_PLAN_MAX_SECONDS = 86_400  # a day: anything longer is a typo
FIELD_PLAN_MAX_IMPROVE = 10_000_000


def cmd_field_plan(args: argparse.Namespace) -> None:
    """Plan the routes of the JSON file (deskside.field.routing_json; docs/field.md)
    and print them: each route's stops with arrival, the total travel, what was not assigned."""
    _setup()  # the globe's estimate reads the road factor and speed from the settings
    from deskside.field import routing, routing_json  # noqa: PLC0415 - loads OR-Tools

    if not math.isfinite(args.time_limit) or not 0 < args.time_limit <= FIELD_PLAN_MAX_SECONDS:
        raise CommandError(
            f"--time-limit must be more than 0 and at most {FIELD_PLAN_MAX_SECONDS} seconds"
        )
    if not 0 <= args.improve <= FIELD_PLAN_MAX_IMPROVE:
        raise CommandError(f"--improve must be 0 to {FIELD_PLAN_MAX_IMPROVE}")
    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read {args.file}: {exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(f"{args.file} is not JSON: {exc}") from exc
    try:
        problem, shown = routing_json.read(data)
        plan = routing.solve(problem, improve=args.improve, time_limit=args.time_limit)
    except routing.ProblemError as exc:
        raise CommandError(f"{args.file}: {exc}") from exc
    if args.json:
        print(json.dumps(plan.as_dict(), indent=2))
    else:
        print(routing_json.render(plan, clock=shown["clock"]))


def cmd_assets_import(args: argparse.Namespace) -> None:
    """Check (--dry-run) or import a CSV file of one client's assets (deskside.assets.imports):
    each row in error on stderr, the counts on stdout. All or nothing: with a row in error
    nothing is imported (exit 2); a dry run with rows in error exits 1; a file or client that
    cannot be used exits 2."""
    _setup()
    from deskside.accounts.models import Organization, User  # noqa: PLC0415 - after setup
    from deskside.assets.services import imports  # noqa: PLC0415
    from deskside.core.exceptions import DomainError  # noqa: PLC0415

    organization = Organization.objects.filter(slug=args.client.strip(), is_msp=False).first()
    if organization is None:
        raise CommandError(f"no client with slug {args.client!r}")
    try:
        data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {args.file}: {exc}") from exc
    actor = None
    if args.actor:
        actor = User.objects.filter(email=args.actor.strip().lower(), is_active=True).first()
        if actor is None:
            raise CommandError(f"no active user with email {args.actor!r}")

    def progress(done: int, total: int) -> None:
        if not args.quiet:
            print(f"\rimporting: {done}/{total} rows", end="", file=sys.stderr, flush=True)

    def refused(plan: object) -> None:
        for row in plan.error_rows:  # type: ignore[attr-defined]
            print(f"{args.file}:{row.line}: {row.label}: {row.message}", file=sys.stderr)

    try:
        plan = imports.import_assets(
            actor=actor,
            organization=organization,
            data=data,
            dry_run=args.dry_run,
            filename=Path(args.file).name if args.file != "-" else "",
            progress=progress,
        )
    except imports.RowErrors as exc:
        refused(exc.plan)
        raise CommandError(f"{args.file}: {exc.message}") from exc
    except DomainError as exc:
        raise CommandError(f"{args.file}: {exc.message}") from exc
    if not args.quiet and not args.dry_run and (plan.created or plan.updated):
        print(file=sys.stderr)
    refused(plan)
    verb = "would be" if args.dry_run else "were"
    print(
        f"{organization.slug}: {plan.created} {verb} created, {plan.updated} updated, "
        f"{plan.unchanged} unchanged, {plan.errors} rows with errors"
    )
    if plan.errors:
        raise SystemExit(1)


def _mailbox(name: str | None):  # a Mailbox, imported after setup
    from deskside.mail.models import Mailbox  # noqa: PLC0415

    if not name:
        return None
    mailbox = Mailbox.objects.filter(name=name).first()
    if mailbox is None:
        names = ", ".join(Mailbox.objects.values_list("name", flat=True)) or "none configured"
        raise CommandError(f"no mailbox named {name!r} (mailboxes: {names})")
    return mailbox


def cmd_mail_import(args: argparse.Namespace) -> None:
    """Import mail; exit 1 when a message could not be read or failed (see the summary)."""
    _setup()
    from deskside.accounts.models import Organization  # noqa: PLC0415
    from deskside.mail import importer  # noqa: PLC0415
    from deskside.mail.pipeline import Policy  # noqa: PLC0415

    mailbox = _mailbox(args.mailbox)
    changes: dict[str, object] = {"rate_limit": False, "notify": args.notify}
    if args.organization:
        organization = Organization.objects.filter(slug=args.organization).first()
        if organization is None:
            raise CommandError(f"no organisation with slug {args.organization!r}")
        changes["organization"] = organization
    if args.unknown:
        changes["unknown_senders"] = args.unknown
    if args.senders_verified:
        changes["vouched"] = True
    policy = Policy.of(mailbox, **changes) if mailbox else Policy(**changes)  # type: ignore[arg-type]
    summary = importer.run(args.paths, policy=policy, progress=not args.quiet)
    for error in summary.errors:
        print(f"deskside: {error}", file=sys.stderr)
    print(summary.line())
    if summary.failed:
        raise SystemExit(1)


def cmd_import_contacts(args: argparse.Namespace) -> None:
    """Check (--dry-run) or import a CSV file of contacts; each refused row on stderr, the
    counts on stdout; exit 1 when some rows were refused, 2 when the file cannot be read."""
    _setup()
    from deskside.accounts.models import User  # noqa: PLC0415 - after django.setup()
    from deskside.core.exceptions import DomainError  # noqa: PLC0415
    from deskside.directory import services  # noqa: PLC0415

    try:
        data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {args.file}: {exc}") from exc
    actor = None
    if args.actor:
        actor = User.objects.filter(email=args.actor.strip().lower(), is_active=True).first()
        if actor is None:
            raise CommandError(f"no active user with email {args.actor!r}")

    def progress(done: int, total: int) -> None:
        if not args.quiet:
            print(f"\rimporting: {done}/{total} rows", end="", file=sys.stderr, flush=True)

    try:
        plan = services.import_contacts(
            actor=actor, data=data, dry_run=args.dry_run, progress=progress
        )
    except DomainError as exc:
        raise CommandError(f"{args.file}: {exc.message}") from exc
    if not args.quiet and not args.dry_run:
        print(file=sys.stderr)
    for row in plan.rows:
        if row.action == "error":
            print(f"{args.file}:{row.line}: {row.email or '-'}: {row.message}", file=sys.stderr)
    verb = "would be" if args.dry_run else "were"
    print(
        f"{plan.created} {verb} created, {plan.updated} updated, {plan.unchanged} unchanged, "
        f"{plan.errors} refused (not imported)"
    )
    if plan.errors:
        raise SystemExit(1)


def cmd_problems_detect(args: argparse.Namespace) -> None:
    _setup()
    from deskside.core.exceptions import DomainError  # noqa: PLC0415
    from deskside.problems import detection  # noqa: PLC0415

    def progress(step: str, done: int, total: int) -> None:
        if not args.quiet:
            print(f"\r{step}: {done}/{total} tickets", end="", file=sys.stderr, flush=True)

    try:
        outcome = detection.detect(
            window_days=args.window_days,
            min_size=args.min_size,
            threshold=args.threshold,
            progress=progress,
        )
    except DomainError as exc:
        raise CommandError(exc.message) from exc
    if not args.quiet:
        print(file=sys.stderr)
    print(
        f"{outcome.tickets} tickets read, {outcome.clusters} recurring clusters stored "
        f"({outcome.dismissed} dismissed or already problems) in {outcome.seconds:.1f} s"
    )


def cmd_reports_figures(args: argparse.Namespace) -> None:
    _setup()
    from deskside.reports import figures  # noqa: PLC0415

    def progress(done: int, total: int) -> None:
        if not args.quiet:
            print(f"\rstoring figures: ticket {done:,}/{total:,}", end="", file=sys.stderr)

    started = time.monotonic()
    figures.build(rebuild=args.rebuild, progress=progress)
    if not args.quiet:
        print(file=sys.stderr)
    new, marked = figures.catch_up()
    through = figures.stored_through() or 0
    print(
        f"figures stored through ticket {through:,}; {new:,} new and {marked:,} "
        f"changed tickets stored again, in {time.monotonic() - started:.1f} s"
    )


def cmd_smtpd(args: argparse.Namespace) -> None:
    _setup()
    from deskside.mail import smtpd  # noqa: PLC0415

    if not 0 < args.port < 65536:
        raise CommandError("--port must be from 1 to 65535")
    smtpd.serve(args.host, args.port, lmtp=args.lmtp, mailbox=_mailbox(args.mailbox))


class OneLineParser(argparse.ArgumentParser):
    """argparse with a usage error as one line (and exit code 2), naming the help option,
    instead of the whole usage text before it. Subcommand parsers are of this class too."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="deskside", description="Deskside service desk")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def server_args(p: argparse.ArgumentParser, workers: int) -> None:
        p.add_argument("--host", default=DEFAULT_HOST)
        p.add_argument("--port", type=int, default=DEFAULT_PORT)
        p.add_argument("--workers", type=int, default=workers, help="server processes")
        p.add_argument(
            "--threads",
            type=int,
            default=env_int("DESKSIDE_THREADS", 4, minimum=1),
            help="threads per server process (4)",
        )

    p = sub.add_parser("demo", help="migrate, load demo data and serve on 127.0.0.1:8000")
    server_args(p, 2)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("serve", help="run the production server (gunicorn)")
    server_args(p, env_int("DESKSIDE_WORKERS", 2, minimum=1))
    p.add_argument("--no-migrate", action="store_true", help="do not apply migrations first")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "worker",
        help="run the background worker: SLA clocks, paging, outgoing mail, webhooks, mailboxes",
    )
    p.add_argument("--once", action="store_true", help="make one pass and exit")
    p.add_argument("--interval", type=float, default=15.0, help="seconds between passes (15)")
    p.add_argument(
        "--parent", type=int, metavar="PID", help="stop when process PID is no longer the parent"
    )
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("migrate", help="apply database migrations")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("createuser", help="create an agent or a customer")
    p.add_argument("email")
    p.add_argument("--kind", choices=["agent", "customer"], required=True)
    p.add_argument("--name", help="full name")
    p.add_argument("--organization", help="organisation slug (required for customers)")
    p.add_argument("--site", help="site name within the organisation")
    p.add_argument("--tier", choices=["L1", "L2", "L3"], help="agent tier (default L1)")
    p.add_argument("--team", action="append", help="team slug (repeatable)")
    p.add_argument("--org-admin", action="store_true", help="customer sees all org tickets")
    p.add_argument("--admin", action="store_true", help="agent may use the Django admin")
    p.add_argument("--password", help="password (prompted for on a terminal when omitted)")
    p.set_defaults(func=cmd_createuser)

    p = sub.add_parser("token", help="API tokens")
    tsub = p.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    t = tsub.add_parser("create", help="print a new API token for a user")
    t.add_argument("email")
    t.add_argument("--name", help="a label for the token")
    t.set_defaults(func=cmd_token)

    p = sub.add_parser("manage", help="run a Django management command", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)

    p = sub.add_parser("sla", help="business-time calculations")
    ssub = p.add_subparsers(dest="sla_command", required=True, metavar="ACTION")
    s = ssub.add_parser("due", help="add results to a JSON file of SLA cases, print it")
    s.add_argument("file", help='the JSON file ("-" reads stdin)')
    s.set_defaults(func=cmd_sla_due)

    p = sub.add_parser("triage", help="triage suggestions learnt from the resolved tickets")
    trsub = p.add_subparsers(dest="triage_command", required=True, metavar="ACTION")
    t = trsub.add_parser("train", help="train the model now (the worker also trains nightly)")
    t.add_argument("--quiet", action="store_true", help="no progress on stderr")
    t.set_defaults(func=cmd_triage_train)
    p = sub.add_parser("staffing", help="staffing calculations (Erlang C)")
    stsub = p.add_subparsers(dest="staffing_command", required=True, metavar="ACTION")
    s = stsub.add_parser("erlang", help="add agents needed to a JSON file of cases, print it")
    s.add_argument("file", help='the JSON file ("-" reads stdin)')
    s.set_defaults(func=cmd_staffing_erlang)

    p = sub.add_parser("mail", help="the email channel")
    msub = p.add_subparsers(dest="mail_command", required=True, metavar="ACTION")
    m = msub.add_parser("import", help="import .eml files, mbox files and Maildir folders")
    m.add_argument("paths", nargs="+", metavar="PATH")
    m.add_argument("--mailbox", help="use this mailbox's defaults (organisation, team ...)")
    m.add_argument("--organization", help="organisation slug for contacts of unknown senders")
    m.add_argument(
        "--unknown",
        choices=["create", "quarantine"],
        help="unknown senders: create a contact (with --organization) or hold in quarantine",
    )
    m.add_argument(
        "--notify", action="store_true", help="send acknowledgements (default: answer nobody)"
    )
    m.add_argument(
        "--senders-verified",
        action="store_true",
        help="count every sender as verified (you vouch for these files: an export of your "
        "own mail server); default: each message's sender is checked (DKIM, DMARC ...)",
    )
    m.add_argument("--quiet", action="store_true", help="no progress bar")
    m.set_defaults(func=cmd_mail_import)

    p = sub.add_parser("import-contacts", help="import contacts from a CSV file")
    p.add_argument("file", help='the CSV file ("-" reads stdin)')
    p.add_argument("--dry-run", action="store_true", help="only say what each row would do")
    p.add_argument(
        "--as",
        dest="actor",
        metavar="EMAIL",
        help="import as this agent (their clients only; audited as them); default: the system",
    )
    p.add_argument("--quiet", action="store_true", help="no progress")
    p.set_defaults(func=cmd_import_contacts)

    p = sub.add_parser("problems", help="recurring issues and problems")
    psub = p.add_subparsers(dest="problems_command", required=True, metavar="ACTION")
    d = psub.add_parser("detect", help="find recurring issues now (replaces the stored clusters)")
    d.add_argument("--window-days", type=int, help="days of tickets to look at (default: set-up)")
    d.add_argument("--min-size", type=int, help="tickets a cluster needs at least")
    d.add_argument("--threshold", type=float, help="cosine similarity that joins tickets")
    d.add_argument("--quiet", action="store_true", help="no progress")
    d.set_defaults(func=cmd_problems_detect)

    p = sub.add_parser("reports", help="the reports' stored figures")
    rsub = p.add_subparsers(dest="reports_command", required=True, metavar="ACTION")
    r = rsub.add_parser(
        "figures", help="store the per-ticket figures now (the worker does it every minute)"
    )
    r.add_argument("--rebuild", action="store_true", help="store every ticket's figures again")
    r.add_argument("--quiet", action="store_true", help="no progress")
    r.set_defaults(func=cmd_reports_figures)

    p = sub.add_parser("field", help="field service: route planning")
    fsub = p.add_subparsers(dest="field_command", required=True, metavar="ACTION")
    f = fsub.add_parser("plan", help="plan routes from a JSON file (docs/field.md)")
    f.add_argument("file", help='the JSON file ("-": stdin)')
    f.add_argument(
        "--time-limit", type=float, default=30.0, help="stop the search after S seconds at most"
    )
    f.add_argument(
        "--improve",
        type=int,
        default=0,
        help="after the local optimum, N more solutions of guided local search (default 0)",
    )
    f.add_argument("--json", action="store_true", help="print the plan as JSON")
    f.set_defaults(func=cmd_field_plan)

    p = sub.add_parser("assets", help="assets: the CSV import")
    asub = p.add_subparsers(dest="assets_command", required=True, metavar="ACTION")
    a = asub.add_parser("import", help="import a client's assets from a CSV file (all or nothing)")
    a.add_argument("file", help='the CSV file ("-" reads stdin)')
    a.add_argument("--client", required=True, help="the client's slug: every row is its asset")
    a.add_argument("--dry-run", action="store_true", help="only say what each row would do")
    a.add_argument(
        "--as",
        dest="actor",
        metavar="EMAIL",
        help="import as this agent (their clients only; on the timeline as them); "
        "default: the system",
    )
    a.add_argument("--quiet", action="store_true", help="no progress")
    a.set_defaults(func=cmd_assets_import)

    p = sub.add_parser("smtpd", help="receive mail by SMTP or LMTP from the site's MTA")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    p.add_argument("--port", type=int, default=2525, help="port (2525)")
    p.add_argument("--lmtp", action="store_true", help="speak LMTP instead of SMTP")
    p.add_argument("--mailbox", help="mailbox whose defaults apply when no recipient matches")
    p.set_defaults(func=cmd_smtpd)
    return parser


def _database_problem(exc: Exception) -> str:
    """A database error as one line; a database without Deskside's tables says what to do."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "no such table" in text or ("relation" in text and "does not exist" in text):
        return f"the database is not set up ({text}): run `deskside migrate` first"
    return f"database: {text}"


def main(argv: Sequence[str] | None = None) -> int:
    try:
        debug = env_bool("DESKSIDE_DEBUG")
        parser = build_parser()  # its defaults come from DESKSIDE_WORKERS, DESKSIDE_THREADS
    except EnvError as exc:
        print(f"deskside: error: {exc}", file=sys.stderr)
        return 2
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except (CommandError, EnvError) as exc:  # EnvError: a variable the settings read
        print(f"deskside: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except DatabaseError as exc:
        if debug:
            raise
        print(f"deskside: error: {_database_problem(exc)}", file=sys.stderr)
        return 2
    except Exception as exc:  # one clear line instead of a traceback, for any failure
        if debug:
            raise
        print(f"deskside: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
