"""The demo's knowledge and insight (issue 16), loaded after the desk operations with the clock
at "now": knowledge-base articles and client runbooks (with a solved-with link), a recurring
cluster and a known error, yesterday's review marks, the monthly report turned on for one
client, answers to the surveys of the resolved history (one bad, with its follow-up), and the
triage model trained on that history (last: it learns from every ticket above).
"""

from deskside.accounts.models import User
from deskside.kb import demo as kb_demo
from deskside.problems import demo as problems_demo
from deskside.reports import demo as reports_demo
from deskside.review import demo as review_demo
from deskside.surveys import demo as surveys_demo
from deskside.triage import demo as triage_demo


def load(*, l1: list[User]) -> None:
    kb_demo.seed_demo()
    problems_demo.seed_demo()
    review_demo.seed_demo(l1=l1)
    reports_demo.seed_demo()
    surveys_demo.seed_demo()
    triage_demo.seed_demo()
