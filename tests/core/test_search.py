"""The search interface itself: query words, and the SQL each backend gets."""

import pytest
from django.db import connection

from deskside.core.search import MAX_TERMS, STOP_WORDS, SearchIndex, terms

INDEX = SearchIndex(table="t", key="k", public_column="pub", internal_column="internal")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Printer OFFLINE", ["printer", "offline"]),
        ('"foo', ["foo"]),
        ("a AND OR", []),
        ("NEAR(", ["near"]),
        ("*", []),
        ("", []),
        (None, []),
        ("the printer is on fire", ["printer", "fire"]),
        ("café Zürich 打印机", ["café", "zürich", "打印机"]),
        ("x" * 100, ["x" * 40]),
        ("e-mail; it's done", ["e", "mail", "done"]),
    ],
)
def test_terms(text, expected):
    assert terms(text) == expected


def test_terms_are_capped():
    words = [f"w{i}" for i in range(20)]
    assert terms(" ".join(words)) == words[:MAX_TERMS]


def test_stop_words_are_postgresql_english():
    assert {"the", "and", "or", "not", "is"} <= STOP_WORDS
    assert not {"printer", "near", "network"} & STOP_WORDS
    assert len(STOP_WORDS) == 127


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_schema_sql(vendor):
    create = INDEX.create_sql(vendor)
    drop = INDEX.drop_sql(vendor)
    assert create
    assert drop
    assert all("t" in sql for sql in create + drop)


def test_unknown_vendor():
    with pytest.raises(NotImplementedError):
        INDEX.create_sql("oracle")
    assert INDEX.drop_sql("oracle") == []


@pytest.mark.django_db
def test_matching_keys_is_none_without_words():
    assert INDEX.matching_keys("  ?! ", include_internal=True) is None
    assert INDEX.matching_keys("the", include_internal=False) is None


@pytest.mark.django_db
def test_matching_keys_passes_words_as_parameters():
    raw = INDEX.matching_keys("x'); DROP TABLE t; --", include_internal=False)
    sql, params = raw.sql, raw.params
    assert "DROP" not in sql
    assert any("drop" in str(p) for p in params)
    if connection.vendor == "sqlite":
        assert params == ('{pub} : ("x" "drop" "table")',)
    else:
        assert "public_vector" in sql
        assert params == ("x drop table",)
