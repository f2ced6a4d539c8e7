"""Knowledge-base suggestions at scale: `kb.queries.suggest` (ranked any-word full-text match,
restricted to what the viewer may read, with snippets) as the intake form and the portal ask
it while someone types.

Seeds ARTICLES articles once (default 5,000; `--rewrite` to write them again) from the
benchmark corpus (bench/corpus.py: a subject as the title; description, replies, a note and
the resolution as the body), spread over: global public 40 %, global internal 30 %, and
client runbooks 30 % (half public) over CLIENTS client organisations; 90 % published. Then,
for SAMPLES texts drawn from the same corpus (new tickets' subjects, and prefixes of them as
someone types), times the suggestions of an agent and of a customer, and prints p50 / p99 /
max in milliseconds of each, and the whole-stack GET /api/v1/kb/suggest for the customer.

    DESKSIDE_DATA_DIR=/path/to/data-set [DATABASE_URL=...] python bench/kb_suggest.py \
        [--articles 5000] [--samples 500] [--rewrite]

The data set is migrated first if it needs it.
"""

import argparse
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from bench import corpus  # noqa: E402
from deskside.accounts import services as accounts  # noqa: E402
from deskside.accounts.models import Organization, User  # noqa: E402
from deskside.kb import queries  # noqa: E402
from deskside.kb.models import Article, ArticleSearch, ArticleStatus, Visibility  # noqa: E402

BATCH = 1000
CLIENTS = 20
PREFIX = "bench-kb"


def directory() -> tuple[User, User, list[Organization]]:
    orgs = []
    for i in range(CLIENTS):
        slug = f"{PREFIX}-{i}"
        org = Organization.objects.filter(slug=slug).first() or accounts.create_organization(
            name=f"Bench client {i}", slug=slug
        )
        orgs.append(org)
    agent = User.objects.filter(email=f"{PREFIX}-agent@bench.example").first()
    if agent is None:
        msp = Organization.objects.filter(is_msp=True).first() or Organization.objects.create(
            name="Bench MSP", slug=f"{PREFIX}-msp", is_msp=True
        )
        agent = User.objects.create_user(
            email=f"{PREFIX}-agent@bench.example",
            password="bench-password-1",
            full_name="Bench Agent",
            kind=User.Kind.AGENT,
            organization=msp,
        )
    customer = User.objects.filter(email=f"{PREFIX}-customer@bench.example").first()
    if customer is None:
        customer = User.objects.create_user(
            email=f"{PREFIX}-customer@bench.example",
            password="bench-password-1",
            full_name="Bench Customer",
            kind=User.Kind.CUSTOMER,
            organization=orgs[0],
        )
    return agent, customer, orgs


def seed(n: int, orgs: list[Organization], rng: random.Random) -> None:
    t0 = time.perf_counter()
    for start in range(0, n, BATCH):
        rows = []
        for _ in range(min(BATCH, n - start)):
            s = corpus.story(rng)
            body = "\n\n".join(
                [
                    s.description,
                    corpus.reply(rng, s.topic),
                    corpus.note(rng, s.topic),
                    corpus.resolution(rng, s.topic),
                ]
            )
            kind = rng.random()
            org = rng.choice(orgs) if kind >= 0.7 else None
            public = kind < 0.4 or (org is not None and rng.random() < 0.5)
            rows.append(
                Article(
                    title=f"{PREFIX}: {s.subject}"[:200],
                    body=body,
                    organization=org,
                    visibility=Visibility.PUBLIC if public else Visibility.INTERNAL,
                    status=ArticleStatus.PUBLISHED if rng.random() < 0.9 else ArticleStatus.DRAFT,
                )
            )
        with transaction.atomic():
            made = Article.objects.bulk_create(rows)
            if made[0].pk is None:  # (SQLite before RETURNING): read the ids back
                made = list(Article.objects.filter(title__startswith=PREFIX).order_by("-pk"))[
                    : len(rows)
                ]
            texts = [ArticleSearch(article=a, title_text=a.title, body_text=a.body) for a in made]
            ArticleSearch.objects.bulk_create(texts)
        sys.stdout.write(f"\rseeding articles: {start + len(rows)}/{n}")
        sys.stdout.flush()
    print(f"\nseeded {n} articles in {time.perf_counter() - t0:.1f} s")


def timed(fn, samples: list[str]) -> list[float]:
    out = []
    for text in samples:
        t0 = time.perf_counter()
        fn(text)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def report(name: str, ms: list[float]) -> str:
    ms = sorted(ms)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    return (
        f"{name:<28} p50 {statistics.median(ms):7.2f} ms   p99 {p99:7.2f} ms   max {ms[-1]:7.2f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--rewrite", action="store_true")
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    call_command("migrate", verbosity=0)  # a new data set gets its schema; else a no-op
    agent, customer, orgs = directory()
    existing = Article.objects.filter(title__startswith=PREFIX)
    if args.rewrite:
        existing.delete()
    have = existing.count()
    if have < args.articles:
        seed(args.articles - have, orgs, rng)
        with connection.cursor() as cursor:  # the planner's statistics of the new rows
            cursor.execute("ANALYZE")
    texts = []
    for _ in range(args.samples):
        s = corpus.story(rng)
        text = f"{s.subject} {s.description}" if rng.random() < 0.5 else s.subject
        if rng.random() < 0.3:  # while typing: a cut-off last word
            text = text[: rng.randint(4, max(5, len(text)))]
        texts.append(text)
    web = Client(HTTP_HOST="localhost")
    web.force_login(customer)
    for text in texts[:20]:  # warm up caches and connections
        queries.suggest(agent, text)
    lines = [
        f"kb suggestions: {Article.objects.count()} articles, {len(texts)} texts,"
        f" {connection.vendor}, {platform.python_implementation()} {platform.python_version()}",
        report("agent suggest()", timed(lambda t: queries.suggest(agent, t), texts)),
        report("customer suggest()", timed(lambda t: queries.suggest(customer, t), texts)),
        report(
            "customer GET /kb/suggest/",
            timed(lambda t: web.get("/kb/suggest/", {"subject": t}), texts),
        ),
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
