"""Fitting a `learn.Bundle` with scikit-learn (the worker, the command line, the tests and the
bench: never imported by the web's modules, so a web process does not load scikit-learn
until it unpickles a model). The choices are explained in `learn`'s docstring.
"""

from collections import Counter
from collections.abc import Callable, Mapping, Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier

from deskside.triage.learn import MAX_FEATURES, Bundle, Example, Head, pick
from deskside.triage.models import FIELDS

Progress = Callable[[str], None]


def _vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(
        lowercase=True,
        ngram_range=(1, 2),
        min_df=2,
        max_features=MAX_FEATURES,
        sublinear_tf=True,
        dtype=np.float32,
    )


def _head(x, labels: Sequence[str]) -> Head:
    classes = sorted(set(labels))
    if len(classes) == 1:
        return Head(classes)
    model = SGDClassifier(
        loss="log_loss", alpha=2e-5, max_iter=30, tol=1e-4, random_state=0, average=False
    )
    model.fit(x, labels)
    return Head.of(model)


def fit(examples: Sequence[Example], progress: Progress | None = None) -> Bundle:
    """Fit the vectorizer and one head per field on `examples` (at least one each)."""
    say = progress or (lambda _: None)
    vectorizer = _vectorizer()
    say(f"vectorising {len(examples)} tickets")
    x = vectorizer.fit_transform([e.text for e in examples])
    if hasattr(vectorizer, "stop_words_"):  # the terms cut by max_features: not needed, large
        vectorizer.stop_words_ = None
    bundle = Bundle(vectorizer)
    for name in FIELDS:
        rows = [i for i, e in enumerate(examples) if e.labels.get(name) is not None]
        if not rows:
            continue
        say(f"fitting {name} on {len(rows)} tickets")
        bundle.heads[name] = _head(x[rows], [str(examples[i].labels[name]) for i in rows])
    return bundle


def evaluate(
    train: Sequence[Example],
    test: Sequence[Example],
    allowed: Mapping[str, frozenset[str]],
    progress: Progress | None = None,
) -> dict[str, dict[str, float | int]]:
    """Fit on `train`, answer `test`: per field the model's accuracy, the baseline's (always
    the most common answer of `train`) and the counts. `allowed[client]` are the teams that
    serve each client (the filter suggestions apply; a client missing from it allows none)."""
    bundle = fit(train, progress)
    x = bundle.vectorizer.transform([e.text for e in test])
    figures: dict[str, dict[str, float | int]] = {}
    for name, head in bundle.heads.items():
        rows = [i for i, e in enumerate(test) if e.labels.get(name) is not None]
        if not rows:
            continue
        truth = [str(test[i].labels[name]) for i in rows]
        common = Counter(str(e.labels[name]) for e in train if e.labels.get(name) is not None)
        baseline_answer = common.most_common(1)[0][0]
        proba = head.proba(x[rows])
        right = 0
        for k, i in enumerate(rows):
            limit = allowed.get(test[i].client, frozenset()) if name == "team" else None
            chosen = pick(head, proba[k], limit)
            right += chosen is not None and chosen.value == truth[k]
        figures[name] = {
            "accuracy": right / len(rows),
            "baseline": sum(t == baseline_answer for t in truth) / len(rows),
            "baseline_answer": baseline_answer,
            "train": sum(1 for e in train if e.labels.get(name) is not None),
            "test": len(rows),
        }
    return figures
