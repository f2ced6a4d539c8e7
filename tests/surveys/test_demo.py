"""The surveys' demo seed on the demo's tickets: answers, one bad with a follow-up for a team
lead, open surveys left, idempotent."""

from deskside import demo
from deskside.surveys.demo import seed_demo
from deskside.surveys.models import FollowUp, Survey


def test_seed_demo(db):
    demo.load(tickets=60)  # the demo calls seed_demo (deskside.demo_insight)
    answered = Survey.objects.filter(answered_at__isnull=False).count()
    assert answered > 0
    follow_up = FollowUp.objects.order_by("id").first()
    assert follow_up is not None and follow_up.lead is not None
    assert Survey.objects.filter(answered_at__isnull=True).count() >= 3
    assert any(s.is_open() for s in Survey.objects.filter(answered_at__isnull=True))
    assert seed_demo() == 0  # idempotent
