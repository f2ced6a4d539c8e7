"""The classifier itself, with no database: documents in, a `Bundle` out, suggestions from it.

Choice (see docs/knowledge-triage.md for the figures):

- one `TfidfVectorizer` over the ticket's words (subject written twice: it is what the caller
  said first and says most; the description cut at 2,000 characters) plus the client as one
  token (`client_<id>`), word unigrams and bigrams, sublinear tf, at most `MAX_FEATURES`
  terms, so the model's size stays bounded whatever the history;
- per field (team, tier, type, priority) one linear model, `SGDClassifier(loss="log_loss")`:
  a logistic regression fitted by stochastic gradient descent. Linear models are what works
  on short text with tf-idf; the logistic loss gives the per-class probabilities that the
  confidence shown and the auto-apply threshold need (ComplementNB's are badly calibrated);
  SGD fits 100,000 tickets in seconds where `LogisticRegression`'s solvers take minutes, and
  a prediction is one sparse dot product (tens of microseconds).

A field whose history holds one answer only gets a constant head: that answer, confidence
1.0 (it is all the desk ever did); its accuracy equals the baseline's, and the page shows so.

`allowed` classes (the teams that serve the ticket's client) are filtered before picking: a
team that does not serve the client is never suggested, whatever its probability. The
confidence shown is the model's own probability of the answer picked, not renormalised over
the allowed classes (that would overstate it).
"""

import pickle
import zlib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier

from deskside.triage.models import FIELDS

MAX_FEATURES = 60_000
MAX_DESCRIPTION = 2_000
HOLD_OUT = 0.2  # the most recent fifth of the history is held back to measure accuracy

Progress = Callable[[str], None]


def document(subject: str, description: str, client: int | str) -> str:
    """The text the model reads for a ticket (the same at training and at suggestion)."""
    subject = subject or ""
    return f"{subject}\n{subject}\n{(description or '')[:MAX_DESCRIPTION]}\nclient_{client}"


@dataclass(frozen=True, slots=True)
class Example:
    """A resolved ticket as the trainer sees it: its document, client and final answers
    (`labels[field]` a string, or None when the ticket had none, e.g. no team)."""

    text: str
    client: str
    labels: Mapping[str, str | None]


@dataclass
class Head:
    """The model of one field: its classes and the fitted logistic model's weights (kept as
    float32 arrays, not the estimator: a suggestion is then one sparse product and a sigmoid,
    without scikit-learn's per-call checks, and the stored model is smaller). `coef` None: a
    single class."""

    classes: list[str]
    coef: np.ndarray | None = None  # (1 or len(classes)) x features
    intercept: np.ndarray | None = None

    @classmethod
    def of(cls, model: SGDClassifier) -> "Head":
        return cls(
            [str(c) for c in model.classes_],
            np.asarray(model.coef_, dtype=np.float32),
            np.asarray(model.intercept_, dtype=np.float32),
        )

    def proba(self, x) -> np.ndarray:
        """Each row's class probabilities, as `SGDClassifier.predict_proba` computes them for
        the logistic loss: one-vs-rest sigmoids, normalised to sum to 1 (two classes: the
        one sigmoid and its complement)."""
        if self.coef is None:
            return np.ones((x.shape[0], 1))
        decision = np.asarray(x @ self.coef.T) + self.intercept
        p = 1.0 / (1.0 + np.exp(-decision.astype(np.float64)))
        if p.shape[1] == 1:
            return np.hstack([1.0 - p, p])
        total = p.sum(axis=1, keepdims=True)
        total[total == 0] = 1.0
        return p / total


@dataclass
class Bundle:
    """What is stored: the vectorizer and one head per field."""

    vectorizer: TfidfVectorizer
    heads: dict[str, Head] = field(default_factory=dict)

    def dumps(self) -> bytes:
        return zlib.compress(pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL), 6)

    @staticmethod
    def loads(blob: bytes) -> "Bundle":
        # Only ever a blob this module wrote into the desk's own database (TriageModel.blob):
        # the same trust as the database itself.
        return pickle.loads(zlib.decompress(blob))  # noqa: S301


@dataclass(frozen=True, slots=True)
class Pick:
    value: str
    confidence: float


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


def pick(head: Head, proba: np.ndarray, allowed: frozenset[str] | None) -> Pick | None:
    """The most probable class of one row's probabilities, among `allowed` (None: any)."""
    if allowed is not None:
        mask = np.array([c in allowed for c in head.classes])
        if not mask.any():
            return None
        proba = np.where(mask, proba, -1.0)
    best = int(np.argmax(proba))
    return Pick(head.classes[best], float(proba[best]))


def suggest(bundle: Bundle, text: str, allowed_teams: frozenset[str] | None) -> dict[str, Pick]:
    """Each field's pick for one document; the team only among `allowed_teams`."""
    x = bundle.vectorizer.transform([text])
    picks: dict[str, Pick] = {}
    for name, head in bundle.heads.items():
        chosen = pick(head, head.proba(x)[0], allowed_teams if name == "team" else None)
        if chosen is not None:
            picks[name] = chosen
    return picks


def split(examples: Sequence[Example]) -> tuple[Sequence[Example], Sequence[Example]]:
    """Time-ordered `examples` cut into the training slice and the held-back most recent
    HOLD_OUT of them."""
    cut = int(round(len(examples) * (1 - HOLD_OUT)))
    return examples[:cut], examples[cut:]


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
