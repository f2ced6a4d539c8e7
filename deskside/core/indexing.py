"""Query hints for the planner that are portable SQL: the same result on every database."""

from typing import Any

from django.db.models import F, Func


class NotIndexed(Func):
    """A column that SQLite must not look up through an index (`+column`: the same value);
    unchanged elsewhere. For a filter that an index of fewer rows serves better, which
    SQLite, without statistics (ANALYZE), would not see."""

    def __init__(self, field: str) -> None:
        super().__init__(F(field))

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        return compiler.compile(self.source_expressions[0])

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"+{sql}", list(params)

    @property
    def output_field(self) -> Any:  # type: ignore[override]
        return self.source_expressions[0].output_field
