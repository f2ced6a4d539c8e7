"""Time `deskside mail import` of a mixed mbox of N messages (10,000), in messages per second.

    python bench/mail_import.py                           # SQLite, 10,000 messages, 3 runs
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test python bench/mail_import.py
    python bench/mail_import.py --messages 2000 --runs 1 --profile
    python bench/mail_import.py --out mail_import-sqlite  # also bench/results/<out>.md/.json

The mbox is built once, deterministically (`--seed`), from templates that mimic a desk's
inbound traffic (`--messages` in all):

- ~55 % new requests from known contacts of 25 client organisations: plain text (7/8-bit
  UTF-8, quoted-printable ISO-8859-1, base64 UTF-8), multipart/alternative with HTML, and
  multipart/mixed with one or two attachments of 5-50 KB; subjects and text from
  bench/corpus.py (the seeder's weighted IT topics);
- ~25 % replies to earlier messages of the same mbox, with the quoted original below: most by
  In-Reply-To/References, some (5 % of replies) only by the `[T-NNNNN]` tag in the subject
  (the number is known in advance because each timed run starts from an empty database);
- ~10 % auto-replies and bounces: sisimai/Zammad corpus files (out-of-office, Postfix, Exim,
  sendmail, qmail, Exchange, Gmail, Office 365 bounces) with new Message-IDs, half of them
  answering an earlier message (they are noted on its ticket);
- ~5 % new requests from unknown addresses of a client's registered mail domain (they become
  contacts of that client);
- ~5 % HTML-only newsletters with List-Id (automatic).

Each run starts from nothing: a new temporary DESKSIDE_DATA_DIR (SQLite database, raw mail,
attachments) or, with DATABASE_URL, a new PostgreSQL database on that server
(`deskside_bench_mail_<pid>_<run>`, dropped afterwards). A child process migrates it, creates
the organisations (each with its mail domain) and 40 contacts each, and then times only
`importer.run(...)` in-process, with the options of `deskside mail import MBOX --organization
bench-intake --unknown create --quiet` (no rate limit, nobody answered). The figure is
messages per second of that wall time: the median of `--runs` (3) runs. Each run's outcome
counts must equal the mix as built (created / appended / automatic), otherwise the run is
reported as unexpected and the script exits 1. `--profile` prints cProfile's top functions of
the first run.
"""

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
sys.path.insert(0, str(REPO_DIR))
CORPUS_DIR = REPO_DIR / "tests" / "corpora" / "public" / "emails"
INTAKE = "bench-intake"
ORGANISATIONS = 25
CONTACTS = 40
NUMBER_OFFSET = 10000  # deskside.tickets.models: T-<pk + 10000>
AUTOMATIC_FILES = [
    "sisimai/bsd/rfc3834-01.eml",  # out-of-office, Auto-Submitted
    "sisimai/bsd/rfc3834-02.eml",  # Exchange "Automatic reply", X-Auto-Response-Suppress
    "sisimai/bsd/rfc3834-04.eml",
    "sisimai/bsd/lhost-postfix-01.eml",
    "sisimai/bsd/lhost-exim-01.eml",
    "sisimai/bsd/lhost-gmail-01.eml",
    "sisimai/bsd/lhost-office365-01.eml",
    "sisimai/bsd/lhost-sendmail-01.eml",
    "sisimai/bsd/lhost-qmail-01.eml",
    "sisimai/bsd/lhost-exchange2007-01.eml",
    "zammad/mail033-undelivered-mail-returned-to-sender-notification.box",
]
FIRST = ["Sarah", "James", "Priya", "Tom", "Maria", "Ahmed", "Chen", "Olga", "Luis", "Zoë"]
LAST = ["Smith", "Müller", "Nguyen", "García", "O'Brien", "Kowalski", "Okafor", "Dubois", "Ito"]
FOLLOW_UPS = [
    "Thanks, that worked. You can close this.",
    "Still not working after the restart, same message as before.",
    "I tried again this morning and it happened twice more.",
    "My colleague has the same problem now, can you look at hers too?",
    "Any news on this? We need it before the end of the week.",
    "Here is the screenshot you asked for.",
]
ACCENTED = "Grüße aus dem Büro: the café printer still says «Papierstau», déjà vu."


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--messages", type=int, default=10_000, help="messages in the mbox (10,000)")
    p.add_argument("--runs", type=int, default=3, help="timed runs, each on a fresh database")
    p.add_argument("--seed", type=int, default=2026, help="random seed of the mbox")
    p.add_argument("--profile", action="store_true", help="cProfile the first run, print top")
    p.add_argument("--top", type=int, default=10, help="profile lines to print (10)")
    p.add_argument("--out", default=None, help="write bench/results/<out>.md and .json")
    p.add_argument("--keep", action="store_true", help="keep the mbox, data dirs and databases")
    p.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.messages < 1 or args.runs < 1:
        p.error("--messages and --runs must be at least 1")
    return args


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# -- the mbox ----------------------------------------------------------------------------------


def directory(rng: random.Random) -> list[dict]:
    """The client organisations and their contacts (names with accents, as in real life)."""
    orgs = []
    for i in range(ORGANISATIONS):
        domain = f"client{i:02d}.example"
        people = []
        for k in range(CONTACTS):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            local = re.sub(
                r"[^a-z]", "", f"{first}.{last}".lower().encode("ascii", "ignore").decode()
            )
            people.append({"name": f"{first} {last}", "email": f"{local}{k}@{domain}"})
        orgs.append(
            {
                "slug": f"client-{i:02d}",
                "name": f"Client {i:02d}",
                "domain": domain,
                "people": people,
            }
        )
    return orgs


class MboxBuilder:
    """Builds the messages in order, remembering what each should become."""

    def __init__(self, rng: random.Random, orgs: list[dict], n: int) -> None:
        import corpus  # noqa: PLC0415 - bench/corpus.py, next to this script

        self.corpus = corpus
        self.rng, self.orgs, self.n = rng, orgs, n
        self.start = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
        self.threads: list[dict] = []  # messages a reply can answer
        self.tickets = 0  # tickets opened so far: the next one is pk tickets + 1
        self.expected = {"created": 0, "appended": 0, "auto_reply": 0}
        self.kinds: Counter[str] = Counter()  # what was built, for the report
        self.automatic = [(CORPUS_DIR / f).read_bytes() for f in AUTOMATIC_FILES]
        self.org_weights = [1 / (k + 1) for k in range(len(orgs))]  # a few big clients

    def _date(self, i: int) -> datetime:
        return self.start + timedelta(minutes=4 * i + self.rng.randint(0, 3))

    def _headers(self, msg: EmailMessage, i: int, sender: dict, subject: str) -> str:
        domain = sender["email"].rpartition("@")[2]
        message_id = f"bench-{i}.{self.rng.getrandbits(32):08x}@{domain}"
        msg["From"] = f"{sender['name']} <{sender['email']}>"
        msg["To"] = "Help Desk <help@msp.example>"
        msg["Subject"] = subject
        msg["Date"] = format_datetime(self._date(i))
        msg["Message-ID"] = f"<{message_id}>"
        msg["MIME-Version"] = "1.0"
        return message_id

    def _body(self, msg: EmailMessage, text: str, name: str) -> None:
        """One of the text forms of real mail, with or without HTML and attachments."""
        rng = self.rng
        form = rng.choices(["plain", "latin1-qp", "utf8-b64", "alternative"], [45, 20, 12, 23])[0]
        if form == "latin1-qp":
            try:
                f"{text}{ACCENTED}".encode("iso-8859-1")
            except UnicodeEncodeError:  # a name or quote outside Latin-1: the mailer uses UTF-8
                form = "utf8-b64"
        if form == "latin1-qp":
            msg.set_content(f"{text}\n\n{ACCENTED}\n", charset="iso-8859-1", cte="quoted-printable")
        elif form == "utf8-b64":
            msg.set_content(f"{text}\n\n{ACCENTED}\n", charset="utf-8", cte="base64")
        else:
            msg.set_content(f"{text}\n", charset="utf-8")
        if form == "alternative":
            paragraphs = "".join(f"<p>{line}</p>" for line in text.split("\n") if line)
            msg.add_alternative(
                f"<html><body><div style='font-family:Calibri'>{paragraphs}"
                f"<p>Kind regards,<br><b>{name}</b></p>"
                "</div></body></html>",
                subtype="html",
            )
        if rng.random() < 0.12:  # a screenshot, a log, a spreadsheet ...
            for _ in range(rng.choice([1, 1, 2])):
                kind = rng.choice(
                    [
                        ("image", "png", "screenshot.png"),
                        ("application", "pdf", "invoice.pdf"),
                        ("text", "plain", "install.log"),
                        (
                            "application",
                            "vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            "inventory.xlsx",
                        ),
                    ]
                )
                size = rng.randint(5_000, 50_000)
                if kind[0] == "text":
                    data = "2026-10-01 08:00:00 ERROR setup failed: 0x80070005\n" * (size // 52)
                    msg.add_attachment(data, subtype="plain", filename=kind[2])
                else:
                    msg.add_attachment(
                        rng.randbytes(size), maintype=kind[0], subtype=kind[1], filename=kind[2]
                    )

    def new_request(self, i: int, sender: dict, kind: str) -> bytes:
        story = self.corpus.story(self.rng)
        msg = EmailMessage()
        message_id = self._headers(msg, i, sender, story.subject)
        self._body(
            msg, f"Hello,\n\n{story.description}\n\nThanks,\n{sender['name']}", sender["name"]
        )
        self.tickets += 1
        self.threads.append(
            {
                "id": message_id,
                "sender": sender,
                "subject": story.subject,
                "text": story.description,
                "ticket": self.tickets,
                "refs": [],
            }
        )
        self.expected["created"] += 1
        self.kinds[kind] += 1
        return msg.as_bytes(policy=email_policy.default)

    def reply(self, i: int) -> bytes:
        rng = self.rng
        # Replies come mostly soon after the message they answer.
        target = self.threads[max(0, len(self.threads) - 1 - int(rng.expovariate(1 / 40)))]
        by_tag = rng.random() < 0.05
        subject = f"Re: {target['subject']}"
        if by_tag:
            subject = f"Re: [T-{target['ticket'] + NUMBER_OFFSET}] {target['subject']}"
        msg = EmailMessage()
        message_id = self._headers(msg, i, target["sender"], subject)
        if not by_tag:
            msg["In-Reply-To"] = f"<{target['id']}>"
            msg["References"] = " ".join(f"<{r}>" for r in [*target["refs"][-5:], target["id"]])
        quoted = "\n".join(f"> {line}" for line in target["text"].split("\n"))
        when = format_datetime(self._date(i) - timedelta(hours=2))
        text = (
            f"{rng.choice(FOLLOW_UPS)}\n\n{target['sender']['name']}\n\n"
            f"On {when}, Help Desk <help@msp.example> wrote:\n{quoted}"
        )
        msg.set_content(text + "\n", charset="utf-8")
        self.threads.append(
            {**target, "id": message_id, "text": text, "refs": [*target["refs"], target["id"]]}
        )
        self.expected["appended"] += 1
        self.kinds["reply by tag" if by_tag else "reply by In-Reply-To"] += 1
        return msg.as_bytes(policy=email_policy.default)

    def automatic_mail(self, i: int) -> bytes:
        raw = self.rng.choice(self.automatic)
        new_id = f"<bench-auto-{i}@mx.bench.example>".encode()
        raw, found = re.subn(
            rb"(?im)^message-id:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*",
            b"Message-ID: " + new_id,
            raw,
            count=1,
        )
        if not found:
            raw = b"Message-ID: " + new_id + b"\n" + raw
        if self.threads and self.rng.random() < 0.5:  # an answer to one of ours: noted on it
            target = self.threads[-1 - self.rng.randrange(min(200, len(self.threads)))]
            raw = b"In-Reply-To: <" + target["id"].encode() + b">\n" + raw
        self.expected["auto_reply"] += 1
        self.kinds["auto-reply/bounce"] += 1
        return raw

    def newsletter(self, i: int) -> bytes:
        vendor = self.rng.choice(["printco", "cloudvendor", "antivirus", "telecom"])
        msg = EmailMessage()
        msg["From"] = f"{vendor.title()} News <news@{vendor}.example>"
        msg["To"] = "help@msp.example"
        msg["Subject"] = f"{vendor.title()} monthly update #{i}"
        msg["Date"] = format_datetime(self._date(i))
        msg["Message-ID"] = f"<news-{i}@{vendor}.example>"
        msg["List-Id"] = f"{vendor.title()} news <news.{vendor}.example>"
        msg["List-Unsubscribe"] = f"<https://{vendor}.example/unsubscribe?u={i}>"
        rows = "".join(
            f"<tr><td><img src='https://{vendor}.example/i/{k}.png' width=80></td>"
            f"<td><h3>{self.corpus.fill(self.rng, '{app} news for {place}')}</h3>"
            f"<p>{'Read about our latest features and offers. ' * self.rng.randint(3, 12)}</p>"
            "</td></tr>"
            for k in range(self.rng.randint(3, 8))
        )
        msg.set_content(f"<html><body><table>{rows}</table></body></html>", subtype="html")
        self.expected["auto_reply"] += 1
        self.kinds["newsletter"] += 1
        return msg.as_bytes(policy=email_policy.default)

    def build(self) -> list[tuple[str, bytes]]:
        """(envelope sender, raw message) in mbox order."""
        out: list[tuple[str, bytes]] = []
        kinds = ["new", "reply", "automatic", "unknown", "newsletter"]
        for i in range(self.n):
            kind = self.rng.choices(kinds, [55, 25, 10, 5, 5])[0]
            if kind == "reply" and not self.threads:
                kind = "new"
            if kind in ("new", "unknown"):
                org = self.rng.choices(self.orgs, self.org_weights)[0]
                if kind == "new":
                    sender = self.rng.choice(org["people"])
                else:
                    first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
                    sender = {"name": f"{first} {last}", "email": f"new.starter{i}@{org['domain']}"}
                raw = self.new_request(
                    i, sender, "new request" if kind == "new" else "unknown sender"
                )
                envelope = sender["email"]
            elif kind == "reply":
                raw = self.reply(i)
                envelope = self.threads[-1]["sender"]["email"]
            elif kind == "automatic":
                raw, envelope = self.automatic_mail(i), "MAILER-DAEMON"
            else:
                raw, envelope = self.newsletter(i), "bounce@news.example"
            out.append((envelope, raw))
        return out


def write_mbox(path: Path, messages: list[tuple[str, bytes]]) -> None:
    """An mboxo file, as mail clients export it: a "From " line before each message, lines
    in the message that start with "From " quoted as ">From ", LF line ends."""
    with path.open("wb") as fh:
        for envelope, raw in messages:
            raw = raw.replace(b"\r\n", b"\n")
            raw = re.sub(rb"(?m)^From ", b">From ", raw)
            fh.write(b"From " + envelope.encode() + b" Thu Oct  1 08:00:00 2026\n")
            fh.write(raw if raw.endswith(b"\n") else raw + b"\n")
            fh.write(b"\n")


# -- one timed run (the child process) -----------------------------------------------------------


def child(config_path: Path) -> int:
    config = json.loads(config_path.read_text())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")
    os.environ["DESKSIDE_EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    import django  # noqa: PLC0415

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection, transaction  # noqa: PLC0415

    from deskside.accounts.models import Organization, User  # noqa: PLC0415
    from deskside.mail import importer  # noqa: PLC0415
    from deskside.mail.models import InboundMessage  # noqa: PLC0415
    from deskside.mail.pipeline import Policy  # noqa: PLC0415
    from deskside.tickets.models import Attachment, EventKind, Ticket, TicketEvent  # noqa: PLC0415

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    with transaction.atomic():
        intake = Organization.objects.create(name="Bench intake", slug=INTAKE)
        for org in config["orgs"]:
            o = Organization.objects.create(
                name=org["name"], slug=org["slug"], email_domains=org["domain"]
            )
            for person in org["people"]:
                User.objects.create_user(
                    person["email"], kind="customer", organization=o, full_name=person["name"]
                )
    setup_seconds = time.perf_counter() - t0
    # What `deskside mail import MBOX --organization bench-intake --unknown create
    # --senders-verified --quiet` does (the made-up senders carry no DKIM signatures).
    policy = Policy(
        organization=intake,
        unknown_senders="create",
        rate_limit=False,
        notify=False,
        vouched=True,
    )
    profile_text = ""
    if config["profile"]:
        import cProfile  # noqa: PLC0415
        import io  # noqa: PLC0415
        import pstats  # noqa: PLC0415

        profiler = cProfile.Profile()
        t0 = time.perf_counter()
        summary = profiler.runcall(importer.run, [config["mbox"]], policy=policy, progress=False)
        seconds = time.perf_counter() - t0
        for order in ("tottime", "cumulative"):
            buffer = io.StringIO()
            stats = pstats.Stats(profiler, stream=buffer).strip_dirs().sort_stats(order)
            stats.print_stats(config["top"])
            profile_text += f"--- by {order} ---\n" + buffer.getvalue().split("\n\n", 2)[-1]
    else:
        t0 = time.perf_counter()
        summary = importer.run([config["mbox"]], policy=policy, progress=False)
        seconds = time.perf_counter() - t0
    result = {
        "vendor": connection.vendor,
        "database": str(connection.settings_dict["NAME"]),
        "seconds": round(seconds, 3),
        "setup_seconds": round(setup_seconds, 2),
        "summary": summary.line(),
        "counts": {str(k): v for k, v in summary.counts.items()},
        "errors": summary.errors[:5],
        "tickets": Ticket.objects.count(),
        "inbound": InboundMessage.objects.count(),
        "auto_notes": TicketEvent.objects.filter(kind=EventKind.MAIL_AUTO).count(),
        "attachments": Attachment.objects.count(),
        "contacts": User.objects.filter(kind="customer").count(),
        "profile": profile_text,
    }
    print("RESULT " + json.dumps(result), flush=True)
    return 0


# -- the parent: build, run, report --------------------------------------------------------------


def _database_url(url: str, name: str) -> str:
    """`url` (a PostgreSQL server's URL) naming the database `name` instead."""
    from urllib.parse import urlsplit, urlunsplit  # noqa: PLC0415

    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def _admin(url: str, sql: str) -> None:
    import psycopg  # noqa: PLC0415

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def run_once(args: argparse.Namespace, mbox: Path, orgs: list[dict], run: int, work: Path) -> dict:
    data_dir = work / f"data-{run}"
    data_dir.mkdir()
    env = {
        **os.environ,
        "DESKSIDE_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "deskside.settings",
    }
    database_url = os.environ.get("DATABASE_URL", "")
    db_name = None
    if database_url.startswith(("postgres", "postgresql")):
        # A database of our own on that server (the URL's database is only connected to, to
        # create and drop it), as tests/settings.py does for test runs.
        db_name = f"deskside_bench_mail_{os.getpid()}_{run}"
        _admin(database_url, f'DROP DATABASE IF EXISTS "{db_name}"')
        _admin(database_url, f'CREATE DATABASE "{db_name}"')
        env["DATABASE_URL"] = _database_url(database_url, db_name)
    elif os.environ.get("DESKSIDE_BENCH_SQLITE_TEMPLATE"):
        # An SQLite database already migrated (the smoke test's, made once per test session):
        # the child's migrate is then a no-op. Not for measuring: a run's figure never
        # includes the migration either way.
        shutil.copyfile(os.environ["DESKSIDE_BENCH_SQLITE_TEMPLATE"], data_dir / "deskside.sqlite3")
    config = data_dir / "run.json"
    config.write_text(
        json.dumps(
            {"mbox": str(mbox), "orgs": orgs, "top": args.top, "profile": args.profile and run == 1}
        )
    )
    try:
        done = subprocess.run(  # this script
            [sys.executable, str(Path(__file__).resolve()), "--child", str(config)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        if db_name and not args.keep:
            _admin(database_url, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"run {run} failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(lines[-1].removeprefix("RESULT "))


def main() -> int:
    args = parse_args()
    if args.child:
        return child(args.child)
    work = Path(tempfile.mkdtemp(prefix="deskside-bench-mail-"))
    try:
        return measure(args, work)
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def measure(args: argparse.Namespace, work: Path) -> int:
    rng = random.Random(args.seed)
    mbox = work / "bench.mbox"
    t0 = time.perf_counter()
    orgs = directory(rng)
    builder = MboxBuilder(rng, orgs, args.messages)
    write_mbox(mbox, builder.build())
    mix = ", ".join(f"{v:,} {k}" for k, v in sorted(builder.kinds.items(), key=lambda x: -x[1]))
    log(
        f"built {args.messages:,} messages ({mbox.stat().st_size / 2**20:.1f} MB) in "
        f"{time.perf_counter() - t0:.1f} s: {mix}"
    )
    expected = builder.expected
    load_before = os.getloadavg()
    runs, unexpected = [], []
    for run in range(1, args.runs + 1):
        result = run_once(args, mbox, orgs, run, work)
        result["rate"] = args.messages / result["seconds"]
        runs.append(result)
        counts = {k: result["counts"].get(k, 0) for k in expected}
        print(
            f"run {run}: {args.messages:,} messages in {result['seconds']:.1f} s = "
            f"{result['rate']:,.0f} messages/s ({result['summary']}; "
            f"{result['auto_notes']:,} automatic mails noted on tickets, "
            f"{result['attachments']:,} attachments; setup {result['setup_seconds']:.1f} s, "
            "not timed)",
            flush=True,
        )
        if counts != expected or result["errors"] or result["inbound"] != args.messages:
            unexpected.append(run)
            log(f"  unexpected counts: built {expected}, got {result['counts']}")
            for error in result["errors"]:
                log(f"  error: {error}")
        if result["profile"]:
            print(result["profile"])
    median = statistics.median(r["rate"] for r in runs)
    vendor = runs[0]["vendor"]
    print(
        f"{vendor}: median {median:,.0f} messages/s over {len(runs)} runs of "
        f"{args.messages:,} messages (target 200)"
    )
    if args.out:
        write_results(args, vendor, median, runs, expected, builder.kinds, load_before)
    return 1 if unexpected else 0


def _commit() -> str:
    done = subprocess.run(  # fixed command
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or "unknown"


def write_results(args, vendor, median, runs, expected, kinds, load_before) -> None:
    out = BENCH_DIR / "results" / args.out
    summary = {
        "vendor": vendor,
        "messages": args.messages,
        "seed": args.seed,
        "median_messages_per_second": round(median, 1),
        "mix": kinds,
        "expected": expected,
        "runs": [{k: v for k, v in r.items() if k != "profile"} for r in runs],
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _commit(),
    }
    out.with_suffix(".json").write_text(json.dumps(summary, indent=2) + "\n")
    command = f"python bench/mail_import.py --messages {args.messages} --runs {args.runs}"
    if vendor == "postgresql":
        command = f"DATABASE_URL=postgres://... {command}"
    lines = [
        f"# Mail import: {args.messages:,} messages on {vendor}",
        "",
        f"    {command}",
        "",
        f"Measured {summary['measured_at']} at commit {summary['commit']}; load average "
        f"{load_before[0]:.1f} before, {summary['load_average_after'][0]:.1f} after.",
        "",
        "Mix: " + ", ".join(f"{v:,} {k}" for k, v in sorted(kinds.items(), key=lambda x: -x[1])),
        "",
        "| run | seconds | messages/s | outcome |",
        "| ---: | ---: | ---: | --- |",
        *(
            f"| {i} | {r['seconds']:.1f} | {r['rate']:,.0f} | {r['summary']} |"
            for i, r in enumerate(runs, start=1)
        ),
        "",
        f"**Median: {median:,.0f} messages/s** (target: 200).",
        "",
    ]
    if args.profile:
        lines[-1:] = [
            "",
            "The first run ran under cProfile, which about doubles its time: its figure is not "
            "the import's speed.",
            "",
        ]
    profile = next((r["profile"] for r in runs if r["profile"]), "")
    if profile:
        lines += ["Profile of run 1 (cProfile):", "", "```", profile.strip(), "```", ""]
    out.with_suffix(".md").write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {out.with_suffix('.md').relative_to(REPO_DIR)}")


if __name__ == "__main__":
    sys.exit(main())
