"""bench/assets_import.py runs in-process on the test database with a tiny file (its figures
are not checked: benchmarks are never timed assertions)."""

from bench import assets_import
from deskside.assets.models import Asset, AssetEvent


def test_the_import_bench_runs(db):
    lines: list[str] = []
    medians = assets_import.run(50, 1, out=lines.append)
    assert set(medians) >= {"plan", "import", "re-import", "import cpu"}
    assert lines[0].startswith("run 1: plan ") and "median of 1 runs, 50 rows" in lines[-1]
    assert Asset.objects.count() == 50
    assert AssetEvent.objects.filter(kind="imported").count() == 100  # created, then updated
