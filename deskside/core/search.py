"""Full-text search behind one interface: SQLite FTS5 on the embedded default, PostgreSQL
`tsvector` columns with GIN indexes in production.

A `SearchIndex` describes a plain table holding the searchable text of some object (one row
per object, keyed by the object's id) with a public column (what customers may search) and an
internal column (agents only). `filter()` narrows any queryset of those objects to the ones
matching a query, so callers keep their own visibility filters and ordering.

Query syntax is deliberately simple and the same on both backends: words are ANDed, each
matched after stemming (English), punctuation ignored. `"printer offline"` finds tickets that
contain both words anywhere; common English words ("the", "is", "and") are ignored.
"""

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 8
# PostgreSQL's English stop list (tsearch_data/english.stop). The `english` configuration
# drops these words from queries; dropping them here too keeps SQLite's answers the same
# ("the printer" must not require the word "the" in the ticket on one backend only).
_STOP_LIST = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what which
    who whom this that these those am is are was were be been being have has had having do
    does did doing a an the and but if or because as until while of at by for with about
    against between into through during before after above below to from up down in out on
    off over under again further then once here there when where why how all any both each
    few more most other some such no nor not only own same so than too very s t can will
    just don should now
"""
STOP_WORDS = frozenset(_STOP_LIST.split())


def terms(text: str) -> list[str]:
    """The words of a query, lower-cased, without stop words, at most MAX_TERMS, each at most
    40 characters."""
    words = (w.lower()[:40] for w in _WORD.findall(text or ""))
    return [w for w in words if w not in STOP_WORDS][:MAX_TERMS]


@dataclass(frozen=True)
class SearchIndex:
    table: str
    key: str
    public_column: str
    internal_column: str

    @property
    def fts_table(self) -> str:
        return f"{self.table}_fts"

    # -- schema ---------------------------------------------------------------------------
    def create_sql(self, vendor: str) -> list[str]:
        """Statements that build the index structures for `vendor` (used by the migration)."""
        t, k, pub, internal = self.table, self.key, self.public_column, self.internal_column
        if vendor == "sqlite":
            fts = self.fts_table
            return [
                f"CREATE VIRTUAL TABLE {fts} USING fts5({pub}, {internal}, content='{t}',"
                f" content_rowid='{k}', tokenize='porter unicode61 remove_diacritics 2')",
                f"CREATE TRIGGER {t}_ai AFTER INSERT ON {t} BEGIN INSERT INTO {fts}(rowid, {pub},"
                f" {internal}) VALUES (new.{k}, new.{pub}, new.{internal}); END",
                f"CREATE TRIGGER {t}_ad AFTER DELETE ON {t} BEGIN INSERT INTO {fts}({fts}, rowid,"
                f" {pub}, {internal}) VALUES ('delete', old.{k}, old.{pub}, old.{internal}); END",
                f"CREATE TRIGGER {t}_au AFTER UPDATE ON {t} BEGIN INSERT INTO {fts}({fts}, rowid,"
                f" {pub}, {internal}) VALUES ('delete', old.{k}, old.{pub}, old.{internal});"
                f" INSERT INTO {fts}(rowid, {pub}, {internal}) VALUES (new.{k}, new.{pub},"
                f" new.{internal}); END",
            ]
        if vendor == "postgresql":
            return [
                f"ALTER TABLE {t} ADD COLUMN public_vector tsvector GENERATED ALWAYS AS"
                f" (to_tsvector('english', {pub})) STORED",
                f"ALTER TABLE {t} ADD COLUMN all_vector tsvector GENERATED ALWAYS AS"
                f" (to_tsvector('english', {pub} || ' ' || {internal})) STORED",
                f"CREATE INDEX {t}_public_gin ON {t} USING gin (public_vector)",
                f"CREATE INDEX {t}_all_gin ON {t} USING gin (all_vector)",
            ]
        raise NotImplementedError(f"full-text search is not implemented for {vendor}")

    def drop_sql(self, vendor: str) -> list[str]:
        t = self.table
        if vendor == "sqlite":
            return [f"DROP TRIGGER IF EXISTS {t}_{s}" for s in ("ai", "ad", "au")] + [
                f"DROP TABLE IF EXISTS {self.fts_table}"
            ]
        if vendor == "postgresql":
            return [
                f"ALTER TABLE {t} DROP COLUMN IF EXISTS {c}"
                for c in ("public_vector", "all_vector")
            ]
        return []

    # -- querying -------------------------------------------------------------------------
    def matching_keys(
        self, text: str, *, include_internal: bool, min_key: int | None = None
    ) -> RawSQL | None:
        """A subquery of the keys whose text matches `text`; None when `text` has no words.

        `min_key` keeps only keys above it. It sits inside the subquery on purpose: PostgreSQL
        then combines the primary-key range with the GIN index (BitmapAnd) and reads only the
        matching rows of that range, instead of every matching row of the table.
        """
        words = terms(text)
        above = "" if min_key is None else f" AND {{key}} > {int(min_key)}"
        if not words:
            return None
        vendor = connection.vendor
        if vendor == "sqlite":
            quoted = " ".join('"' + w.replace('"', '""') + '"' for w in words)
            expr = quoted if include_internal else f"{{{self.public_column}}} : ({quoted})"
            return RawSQL(
                f"SELECT rowid FROM {self.fts_table} WHERE {self.fts_table} MATCH %s"
                + above.format(key="rowid"),
                (expr,),
            )
        if vendor == "postgresql":
            column = "all_vector" if include_internal else "public_vector"
            return RawSQL(
                f"SELECT {self.key} FROM {self.table} WHERE {column} @@"
                " plainto_tsquery('english', %s)" + above.format(key=self.key),
                (" ".join(words),),
            )
        raise NotImplementedError(f"full-text search is not implemented for {vendor}")

    def filter(
        self, queryset: QuerySet, text: str, *, include_internal: bool, min_key: int | None = None
    ) -> QuerySet:
        """Narrow `queryset` to rows matching `text` (none, when the text has no words)."""
        subquery = self.matching_keys(text, include_internal=include_internal, min_key=min_key)
        if subquery is None:
            return queryset.none()
        return queryset.filter(pk__in=subquery)

    def filter_by_key(
        self,
        queryset: QuerySet,
        text: str,
        *,
        include_internal: bool,
        descending: bool = True,
        min_key: int | None = None,
    ) -> QuerySet:
        """Like `filter()`, ordered by the key (newest first when keys grow with time).

        On SQLite the FTS5 table is joined and the result ordered by its rowid, so SQLite reads
        the index in key order and stops after one page; `pk IN (MATCH ...)` collects every
        match first (tens of ms for a common word at a million rows). Ordering the result again
        (`order_by()`) drops that ordering and with it the speed: keep this one.
        """
        if connection.vendor != "sqlite":
            return self.filter(
                queryset, text, include_internal=include_internal, min_key=min_key
            ).order_by("-pk" if descending else "pk")
        subquery = self.matching_keys(text, include_internal=include_internal, min_key=min_key)
        if subquery is None:
            return queryset.none()
        fts, (expr,) = self.fts_table, subquery.params
        table, pk = queryset.model._meta.db_table, queryset.model._meta.pk.column
        return queryset.extra(  # noqa: S610 - fixed identifiers; the text is a parameter
            tables=[fts],
            where=[f'{fts}.rowid = "{table}"."{pk}"', f"{fts} MATCH %s"]
            + ([] if min_key is None else [f"{fts}.rowid > {int(min_key)}"]),
            params=[expr],
            order_by=[f"{'-' if descending else ''}{fts}.rowid"],
        )

    # -- ranked "any of the words" (suggestions) -------------------------------------------
    def ranked(
        self,
        queryset: QuerySet,
        text: str,
        *,
        include_internal: bool,
        public_weight: float = 1.0,
    ) -> QuerySet:
        """Rows matching ANY of the words of `text`, best first, annotated `search_rank`
        (higher is better). The last word also matches as a prefix, so "outl" finds Outlook
        while someone is still typing. `public_weight` weighs a match in the public column
        against one in the internal column (1.0: equal).

        SQLite ranks with FTS5's bm25() (the column weights given), PostgreSQL with
        `ts_rank` over both vectors (the public one added `public_weight - 1` times more), the
        query built with `to_tsquery` ORs. The two scores are not comparable with each other,
        only the order matters. Unlike `filter()`, this is for short result lists (LIMIT it).
        """
        # "_" is a word character to Python but punctuation to to_tsquery: drop it.
        words = [w for w in (w.replace("_", "") for w in terms(text)) if w]
        if not words:
            return queryset.none()
        table, pk = queryset.model._meta.db_table, queryset.model._meta.pk.column
        weight = float(public_weight)
        vendor = connection.vendor
        if vendor == "sqlite":
            fts = self.fts_table
            quoted = ['"' + w.replace('"', '""') + '"' for w in words]
            quoted[-1] += "*"
            expr = " OR ".join(quoted)
            if not include_internal:
                expr = f"{{{self.public_column}}} : ({expr})"
            internal_weight = 1.0 if include_internal else 0.0
            return queryset.extra(  # noqa: S610 - fixed identifiers; the text is a parameter
                select={"search_rank": f"-bm25({fts}, {weight!r}, {internal_weight!r})"},
                tables=[fts],
                where=[f'{fts}.rowid = "{table}"."{pk}"', f"{fts} MATCH %s"],
                params=[expr],
                order_by=["-search_rank"],
            )
        if vendor == "postgresql":
            # Each word quoted: to_tsquery then parses it as text (a character its parser
            # does not count as a letter is dropped, never a syntax error).
            quoted = ["'" + w.replace("'", "''") + "'" for w in words]
            query = " | ".join(quoted[:-1] + [quoted[-1] + ":*"])
            t, key = self.table, self.key
            column = "all_vector" if include_internal else "public_vector"
            tsq = "to_tsquery('english', %s)"
            rank = f"ts_rank({t}.{column}, {tsq})"
            if include_internal and weight != 1.0:
                rank += f" + {weight - 1.0!r} * ts_rank({t}.public_vector, {tsq})"
            return queryset.extra(  # noqa: S610 - fixed identifiers; the text is a parameter
                select={"search_rank": rank},
                select_params=[query] * rank.count("%s"),
                tables=[t],
                where=[f'{t}.{key} = "{table}"."{pk}"', f"{t}.{column} @@ {tsq}"],
                params=[query],
                order_by=["-search_rank"],
            )
        raise NotImplementedError(f"full-text search is not implemented for {vendor}")
