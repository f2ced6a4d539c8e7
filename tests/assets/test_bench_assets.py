"""bench/assets_list.py still runs against the current code: its seeder and its measuring,
in-process on the test database at a tiny size (figures are not checked: benchmarks are
never timed assertions)."""

import importlib.util
import random
from pathlib import Path

import pytest

from deskside.assets.models import Asset

pytestmark = pytest.mark.django_db
BENCH = Path(__file__).resolve().parents[2] / "bench" / "assets_list.py"


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_assets_list", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_bench_seeds_and_measures(msp, capsys):
    bench = load_bench()
    agent = bench.seed(120, random.Random(1), progress=False)
    assert Asset.objects.filter(organization__slug=bench.SLUG).count() == 120
    assert Asset.objects.filter(organization__slug=bench.OTHER).count() == 2
    assert "asset" in bench.plan(agent).lower()
    figures = bench.measure(agent, requests=2, runs=1, deep_page=2)
    assert set(figures) == set(bench.targets(agent, 2))
    assert all(len(f) == 3 for f in figures.values())
    assert "page first" in capsys.readouterr().out
