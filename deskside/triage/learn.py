"""The classifier's model and its answers, with no database and without scikit-learn (which
`fitting` uses to make a `Bundle`): the web processes answer suggestions with numpy alone,
and import scikit-learn only when they first unpickle a model's vectorizer.

Choice (see docs/knowledge.md for the figures):

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

MAX_FEATURES = 60_000
MAX_DESCRIPTION = 2_000
HOLD_OUT = 0.2  # the most recent fifth of the history is held back to measure accuracy


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
    def of(cls, model: Any) -> "Head":  # a fitted SGDClassifier
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

    vectorizer: Any  # a fitted TfidfVectorizer
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
