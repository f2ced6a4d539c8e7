"""Clustering quality on the synthetic set with planted groups (deskside.problems.synthetic):
five failures told 5-10 ways each at two clients among 300 noise tickets. The figures printed
here are those docs/knowledge.md reports (run with -s to see them)."""

from deskside.problems import clustering, synthetic

SEEDS = range(10)
# The floors below are the measured figures rounded down (docs/knowledge.md): the
# mean pairwise precision over the ten seeds was 0.90, recall 0.89; the worst seed 0.81/0.85.
MEAN_FLOOR = 0.85
WORST_FLOOR = 0.8


def _run(seed, **kwargs):
    docs, truth = synthetic.corpus(seed)
    rows = [clustering.Doc(i, d.client, d.subject, d.description) for i, d in enumerate(docs)]
    found = clustering.find_clusters(rows, **kwargs)
    return docs, truth, found


def test_the_generator_is_deterministic():
    assert synthetic.corpus(3) == synthetic.corpus(3)
    docs, truth = synthetic.corpus(3)
    assert len(docs) == 300 + sum(len(g) for g in truth)
    assert all(5 <= len(g) <= 10 for g in truth) and len(truth) == 5
    assert {docs[i].client for g in truth for i in g} == {"acme", "globex"}


def test_planted_groups_are_found_with_measured_precision_and_recall():
    precisions, recalls = [], []
    for seed in SEEDS:
        _, truth, found = _run(seed)
        p, r = synthetic.pair_scores([set(f.ids) for f in found], truth)
        precisions.append(p)
        recalls.append(r)
        print(f"seed {seed}: precision {p:.3f} recall {r:.3f} clusters {len(found)}")
    mean_p, mean_r = sum(precisions) / len(SEEDS), sum(recalls) / len(SEEDS)
    print(f"mean: precision {mean_p:.3f} recall {mean_r:.3f}")
    assert mean_p >= MEAN_FLOOR and mean_r >= MEAN_FLOOR
    assert min(precisions) >= WORST_FLOOR and min(recalls) >= WORST_FLOOR


def test_tickets_of_different_clients_never_share_a_cluster():
    for seed in SEEDS:
        docs, _, found = _run(seed, threshold=0.1)  # a loose threshold: many joins
        for f in found:
            assert len({docs[i].client for i in f.ids}) == 1


def test_the_same_text_at_two_clients_is_two_clusters():
    text = "Outlook keeps asking for my password"
    rows = [clustering.Doc(i, "acme" if i < 3 else "globex", text) for i in range(6)]
    found = clustering.find_clusters(rows)
    assert sorted(f.ids for f in found) == [(0, 1, 2), (3, 4, 5)]
    assert found[0].label == text and "password" in found[0].terms


def test_label_is_the_most_representative_subject_and_min_size_holds():
    rows = [
        clustering.Doc(1, "a", "VPN drops every hour", "The VPN connection drops."),
        clustering.Doc(2, "a", "VPN connection drops", "VPN drops every hour at home."),
        clustering.Doc(3, "a", "VPN drops", "My VPN connection drops every hour."),
        clustering.Doc(4, "a", "Printer jams", "Paper jam on floor 3."),
    ]
    found = clustering.find_clusters(rows)
    assert len(found) == 1 and set(found[0].ids) == {1, 2, 3}
    assert found[0].label in {"VPN drops every hour", "VPN connection drops", "VPN drops"}
    assert clustering.find_clusters(rows, min_size=4) == []
    assert clustering.find_clusters([]) == []
    assert clustering.find_clusters([clustering.Doc(i, "a", "the and of") for i in range(3)]) == []
