"""The SQL pieces of the Postgres search: the stored `search_vector` columns (added by the
migration, not model fields: see torrents/search/__init__.py), a tsquery built from the
user's text, a match and a rank."""

from functools import cached_property

from django.contrib.postgres.search import SearchQueryField, SearchVectorField
from django.db.models import BooleanField, Expression, FloatField, Func, Value
from django.db.models.expressions import Col

from torrents.search.query import INDEX_SEPARATORS, SearchText

VECTOR_COLUMN = "search_vector"
_CONFIG = "'simple'::regconfig"  # names are not English prose: no stemming, no stop words
_SPACES = " " * len(INDEX_SEPARATORS)


def vector_sql(column_sql: str) -> str:
    """The tsvector of a text column as the index holds it (used by the migration and for the
    labels, which are matched on the fly)."""
    return f"to_tsvector({_CONFIG}, translate({column_sql}, '{INDEX_SEPARATORS}', '{_SPACES}'))"


class _VectorTarget(SearchVectorField):
    """Stands for the column in a `Col` (which only reads its name and converters)."""

    column = VECTOR_COLUMN


_TARGET = _VectorTarget()


class StoredVector(Expression):
    """The `search_vector` column of the query's own table (Torrent or TorrentFile): a `Col`
    on the query's base alias, so it follows the alias when the query becomes a subquery."""

    output_field = SearchVectorField()

    def resolve_expression(
        self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False
    ):
        return Col(query.get_initial_alias(), _TARGET, output_field=SearchVectorField())


class TextVector(Func):
    """The vector of text expressions joined by spaces, normalized as the stored ones."""

    arg_joiner = " || ' ' || "
    output_field = SearchVectorField()

    def as_sql(self, compiler, connection, **extra):
        template = vector_sql("(%(expressions)s)")
        return super().as_sql(compiler, connection, template=template, **extra)


# websearch_to_tsquery's own output (canonical tsquery text) with `:*` put after its last
# lexeme: Postgres quotes the lexemes, so nothing of the user's text becomes syntax.
_PREFIXED = (
    f"regexp_replace(websearch_to_tsquery({_CONFIG}, %(expressions)s)::text, "
    r"'''((?:[^'']|'''')+)''(\s*\)*)$', '''\1'':*\2')::tsquery"
)
_WEBSEARCH = f"websearch_to_tsquery({_CONFIG}, %(expressions)s)"


class WebQuery(Func):
    """websearch_to_tsquery of the text (quotes, -word, or), its last word a prefix if asked."""

    output_field = SearchQueryField()

    def __init__(self, search: SearchText):
        super().__init__(Value(search.text))
        self.template = _PREFIXED if search.prefix else _WEBSEARCH


class Matches(Func):
    """vector @@ query."""

    template = "(%(expressions)s)"
    arg_joiner = " @@ "
    output_field = BooleanField()


class IdArray(tuple):
    """Ids as one Postgres array literal (`'{1,2,3}'`), to pass as a single parameter: a list
    passed as it is reaches the server as `ARRAY[1, 2, 3]` (psycopg2) or `IN (1, 2, 3)`
    (Django), a constant each, which Postgres parses and folds one by one when it plans the
    query (1,429 ids: 2 ms of planning each time they appear, bench/list_filters_bench.py).
    The literal is made once however many queries pass the same ids (a search's reads)."""

    @cached_property
    def literal(self) -> str:
        return "{" + ",".join(map(str, self)) + "}"


def id_array(ids) -> str:
    """The array literal of `ids` (an IdArray's own, made once)."""
    return (ids if isinstance(ids, IdArray) else IdArray(int(pk) for pk in ids)).literal


class AnyOf(Func):
    """`expression = ANY(ids)`, the ids one array parameter (`id_array`): the same condition
    as an `IN` of them, which the planner can still OR with another index's."""

    arg_joiner = " = ANY("
    template = "(%(expressions)s::bigint[]))"
    output_field = BooleanField()

    def __init__(self, expression, ids):
        super().__init__(expression, Value(id_array(ids)))


class Rank(Func):
    """ts_rank(vector, query), default weights (A 1.0, B 0.4, C 0.2, D 0.1)."""

    function = "ts_rank"
    output_field = FloatField()
