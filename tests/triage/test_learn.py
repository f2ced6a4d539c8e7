"""The classifier on a synthetic history with planted patterns (no database): it beats always
giving the most common answer on the held-back most recent fifth, field by field, and never
picks a class outside the allowed ones."""

import numpy as np

from deskside.triage import fitting, learn, synthetic
from deskside.triage.models import FIELDS


def examples(n: int, seed: int = 16) -> list[learn.Example]:
    return [
        learn.Example(
            text=learn.document(r.subject, r.description, r.client),
            client=str(r.client),
            labels={"team": r.team, "tier": r.tier, "type": r.type, "priority": str(r.priority)},
        )
        for r in synthetic.history(n, seed=seed)
    ]


def test_beats_the_most_common_answer_on_the_held_back_slice(capsys):
    train, test = learn.split(examples(3000))
    assert (len(train), len(test)) == (2400, 600)
    every_team = frozenset(synthetic.TEAMS)
    figures = fitting.evaluate(train, test, {str(c): every_team for c in range(3)})
    with capsys.disabled():
        for name, f in figures.items():
            print(f"\n{name:<9} model {f['accuracy']:.1%}  baseline {f['baseline']:.1%}", end="")
    for name in FIELDS:
        assert figures[name]["test"] == 600
        assert figures[name]["accuracy"] >= figures[name]["baseline"] + 0.2, name
        assert figures[name]["accuracy"] >= 0.8, name


def test_planted_patterns_are_learnt():
    bundle = fitting.fit(examples(2000))
    picks = learn.suggest(bundle, learn.document("VPN drops every hour", "", 1), None)
    assert picks["team"].value == "Network L3"
    assert picks["priority"].value == "2"
    picks = learn.suggest(bundle, learn.document("Password reset please", "", 0), None)
    assert (picks["team"].value, picks["tier"].value) == ("Help Desk L1", "L1")
    assert picks["type"].value == "service_request"
    assert 0.5 < picks["team"].confidence <= 1.0


def test_a_class_not_allowed_is_never_picked():
    bundle = fitting.fit(examples(2000))
    allowed = frozenset({"Help Desk L1", "Desktop Support L2"})
    picks = learn.suggest(bundle, learn.document("VPN tunnel down", "firewall", 0), allowed)
    assert picks["team"].value in allowed
    assert learn.suggest(bundle, learn.document("VPN", "", 0), frozenset()).get("team") is None


def test_pick_keeps_the_models_own_probability():
    head = learn.Head(["a", "b", "c"])
    chosen = learn.pick(head, np.array([0.7, 0.2, 0.1]), frozenset({"b", "c"}))
    assert chosen == learn.Pick("b", 0.2)  # not renormalised over the allowed classes


def test_a_stored_bundle_answers_the_same():
    bundle = fitting.fit(examples(500))
    again = learn.Bundle.loads(bundle.dumps())
    text = learn.document("Printer offline", "toner", 0)
    assert learn.suggest(again, text, None) == learn.suggest(bundle, text, None)


def test_the_heads_probabilities_are_scikit_learns():
    from sklearn.linear_model import SGDClassifier  # noqa: PLC0415 - only this test

    data = examples(1500)
    x = fitting._vectorizer().fit_transform([e.text for e in data])
    for labels in (
        [e.labels["team"] for e in data],  # several classes
        [e.labels["type"] == "incident" for e in data],  # two
    ):
        model = SGDClassifier(loss="log_loss", alpha=2e-5, random_state=0).fit(x, labels)
        ours = learn.Head.of(model).proba(x[:100])
        assert np.abs(ours - model.predict_proba(x[:100])).max() < 1e-5
