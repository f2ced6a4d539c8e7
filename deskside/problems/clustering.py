"""Grouping similar tickets: TF-IDF vectors and cosine similarity (scikit-learn), connected
components of the "similar enough" graph within one scope (client, site, ticket type).

Pure functions, no database: `find_clusters(docs, ...)` takes plain rows and returns the
clusters, so the quality test and the bench measure exactly what the worker runs.

Choices (measured on `synthetic.corpus`; figures in docs/knowledge.md):

- Features: word unigrams of subject + the start of the description, English stop words out,
  sublinear term frequency, accents stripped. Bigrams split paraphrases apart ("asks for
  password" and "password prompt" share no bigram); character 3-5-grams pulled in tickets that
  share only a device name and make a ~10x larger vocabulary at 80,000 tickets.
- IDF over every ticket of the window (all clients): a word every client uses weighs little.
- Grouping: cosine similarity of the L2-normalised vectors within one scope; average-linkage
  agglomerative clustering cut at `threshold` (DEFAULT_THRESHOLD 0.35, a mean cosine), run on
  each connected component of the pairs at the threshold (exact, see `_scope_clusters`).
  Single linkage (connected components alone) chained unrelated tickets through one bridging
  pair; average linkage joins groups only when they are alike on average.
- A cluster needs `min_size` tickets (DEFAULT_MIN_SIZE 3); its label is its medoid's subject.
"""

from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import csr_matrix, vstack
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import squareform
from sklearn.feature_extraction.text import TfidfVectorizer

DEFAULT_THRESHOLD = 0.35
DEFAULT_MIN_SIZE = 3
DEFAULT_WINDOW_DAYS = 14
DESCRIPTION_CHARS = 600  # the start of a description says what is wrong; the rest is noise
BLOCK = 2000  # rows of the similarity product computed at a time (bounds memory)
TOP_TERMS = 5
MAX_LINKAGE = 3000  # tickets in one component that average linkage still handles (memory n^2)


@dataclass(frozen=True)
class Doc:
    """One ticket as the clustering sees it: its id, its scope and its text."""

    id: int
    scope: Hashable
    subject: str
    description: str = ""


@dataclass(frozen=True)
class Found:
    """One cluster: member ids (medoid first), the label (the medoid's subject), the top terms
    of the cluster's centroid and the mean similarity of members to the medoid."""

    scope: Hashable
    ids: tuple[int, ...]
    label: str
    terms: tuple[str, ...]
    cohesion: float


def text_of(subject: str, description: str) -> str:
    return f"{subject}\n{(description or '')[:DESCRIPTION_CHARS]}"


def vectorizer() -> TfidfVectorizer:
    """The feature extractor the clustering and the known-error matching share."""
    return TfidfVectorizer(
        ngram_range=(1, 1),
        stop_words="english",
        sublinear_tf=True,
        strip_accents="unicode",
        lowercase=True,
        token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z0-9]+\b",  # noqa: S106 - not a password
        dtype=np.float32,
    )


def find_clusters(
    docs: Sequence[Doc],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    min_size: int = DEFAULT_MIN_SIZE,
    progress: Callable[[int, int], None] | None = None,
) -> list[Found]:
    """Clusters of similar docs within each scope, largest first. Docs of different scopes
    never share a cluster (the tenancy boundary: a client's tickets are never grouped with
    another client's)."""
    if len(docs) < min_size:
        return []
    vec = vectorizer()
    try:
        matrix = vec.fit_transform(text_of(d.subject, d.description) for d in docs).tocsr()
    except ValueError:  # every text was empty or stop words only
        return []
    terms = vec.get_feature_names_out()
    scopes: dict[Hashable, list[int]] = defaultdict(list)
    for row, doc in enumerate(docs):
        scopes[doc.scope].append(row)
    found: list[Found] = []
    done = 0
    for scope, rows in scopes.items():
        if len(rows) >= min_size:
            found.extend(_scope_clusters(docs, matrix, terms, scope, rows, threshold, min_size))
        done += len(rows)
        if progress is not None:
            progress(done, len(docs))
    found.sort(key=lambda f: (-len(f.ids), f.ids[0]))
    return found


def _edges(sub: csr_matrix, threshold: float) -> csr_matrix:
    """The pairs of rows of `sub` whose cosine is at least `threshold`, computed by blocks."""
    n = sub.shape[0]
    parts = []
    transposed = sub.T.tocsc()
    for start in range(0, n, BLOCK):
        block = (sub[start : start + BLOCK] @ transposed).tocsr()
        block.data[block.data < threshold] = 0
        block.eliminate_zeros()
        parts.append(block)
    if len(parts) == 1:
        return parts[0]
    return vstack(parts).tocsr()


def _scope_clusters(
    docs: Sequence[Doc],
    matrix: csr_matrix,
    terms: np.ndarray,
    scope: Hashable,
    rows: list[int],
    threshold: float,
    min_size: int,
) -> list[Found]:
    sub = matrix[rows]
    # Average linkage joins two groups only when the mean of their cross similarities is at
    # the threshold, so one cross pair at least is: every group it forms lies within one
    # connected component of the pairs at the threshold. Linking each component apart is
    # therefore exact, and far cheaper than linking the whole scope.
    graph = _edges(sub, threshold)
    count, labels = connected_components(graph, directed=False)
    sizes = np.bincount(labels, minlength=count)
    groups: list[np.ndarray] = []
    for component in np.flatnonzero(sizes >= min_size):
        candidates = np.flatnonzero(labels == component)
        groups.extend(
            candidates[members]
            for members in _average_linkage(sub[candidates], threshold, min_size)
        )
    return _summaries(docs, sub, terms, scope, rows, groups)


def _average_linkage(vectors: csr_matrix, threshold: float, min_size: int) -> list[np.ndarray]:
    """Split one connected component with average linkage cut at mean cosine `threshold`:
    two groups join only when their tickets are similar on average, not through one pair."""
    n = vectors.shape[0]
    if n > MAX_LINKAGE:
        # Too big to link exactly (memory n^2): its connected components at the full
        # threshold instead, stricter than the candidates' but without linkage's guard.
        count, labels = connected_components(_edges(vectors, threshold), directed=False)
        groups = [np.flatnonzero(labels == label) for label in range(count)]
        return [g for g in groups if len(g) >= min_size]
    sims = (vectors @ vectors.T).toarray()
    distances = np.clip(1.0 - sims, 0.0, None)
    np.fill_diagonal(distances, 0.0)
    tree = linkage(squareform(distances, checks=False), method="average")
    cut = fcluster(tree, t=1.0 - threshold, criterion="distance")
    groups = [np.flatnonzero(cut == label) for label in np.unique(cut)]
    return [g for g in groups if len(g) >= min_size]


def _summaries(
    docs: Sequence[Doc],
    sub: csr_matrix,
    terms: np.ndarray,
    scope: Hashable,
    rows: list[int],
    groups: list[np.ndarray],
) -> list[Found]:
    """Each group's medoid (the member most similar to all the others), members ordered by
    similarity to it, top terms of its centroid: a few sparse products for all the groups of a
    scope at once (x_i . sum of the group's vectors = the sum of member i's similarities)."""
    if not groups:
        return []
    sizes = np.array([len(g) for g in groups])
    members = np.concatenate(groups)
    labels = np.repeat(np.arange(len(groups)), sizes)
    indicator = csr_matrix(
        (np.ones(len(members), dtype=np.float32), (labels, members)),
        shape=(len(groups), sub.shape[0]),
    )
    sums = (indicator @ sub).tocsr()
    vectors = sub[members]
    totals = np.asarray(vectors.multiply(sums[labels]).sum(axis=1)).ravel()
    starts = np.concatenate([[0], np.cumsum(sizes)])
    medoids = [
        int(s + np.argmax(totals[s:e])) for s, e in zip(starts[:-1], starts[1:], strict=True)
    ]
    to_medoid = np.asarray(vectors.multiply(vectors[medoids][labels]).sum(axis=1)).ravel()
    found = []
    for k in range(len(groups)):
        start, end, medoid = starts[k], starts[k + 1], medoids[k]
        rest = [start + i for i in np.argsort(-to_medoid[start:end], kind="stable")]
        order = [medoid, *(i for i in rest if i != medoid)]
        row = sums.getrow(k)
        top = row.indices[np.argsort(-row.data, kind="stable")[:TOP_TERMS]]
        found.append(
            Found(
                scope=scope,
                ids=tuple(docs[rows[members[i]]].id for i in order),
                label=docs[rows[members[medoid]]].subject.strip()[:200],
                terms=tuple(str(terms[t]) for t in top),
                cohesion=float(np.mean(to_medoid[start:end])),
            )
        )
    return found


def similarity_to(reference: Sequence[str], text: str) -> float:
    """The highest cosine between `text` and the texts of `reference` (a known error's linked
    tickets), with IDF over those texts and `text`: 0.0 when nothing is shared."""
    if not reference:
        return 0.0
    vec = vectorizer()
    try:
        matrix = vec.fit_transform([*reference, text])
    except ValueError:
        return 0.0
    sims = (matrix[:-1] @ matrix[-1].T).toarray().ravel()
    return float(sims.max()) if sims.size else 0.0
