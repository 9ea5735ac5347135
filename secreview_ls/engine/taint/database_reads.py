"""Results of database reads: stored data, not the text of the value that selected the row.

``Books.query.get(book_id)`` or ``session.query(Books).filter(Books.id == book_id).first()``
returns a record whose fields were stored earlier; the request value only chose which row is
read. The read's result (and a query object built on the way) therefore carries no taint of its
arguments. The query text itself is judged where it is run (a SQL sink); a stored field's own
risk (stored XSS) is not modelled. Recognised shapes:

* SQLAlchemy: ``session.query(Model)...first()/one()/one_or_none()/all()/get()/scalar()``,
  ``session.get(Model, id)``, ``session.execute(select(...)).scalars()...``,
  ``session.scalars(select(...))``, ``Model.query.get/filter_by(...).first()`` and
  Flask-SQLAlchemy's ``get_or_404``/``first_or_404``/``one_or_404``;
* peewee (when imported): ``Model.get/get_by_id/get_or_none`` and ``Model.select().where()``;
* DB-API cursors: ``cursor.fetchone()/fetchall()/fetchmany()``.

Django's managers (``Model.objects.filter(...).first()``) are the catalogue's lookups
(``MANAGER_READS``). ``create``, ``update`` and similar writes keep their arguments' taint (the
returned record may hold the written value). Django's ``get_or_create`` / ``update_or_create``
(``created_record``) return a pair: the record, known by the fields the call writes (its
lookup keywords and ``defaults``, each holding what was written), and the flag (no data).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from ..names import spelled_as_class
from .spec import TaintSpec
from .values import EMPTY, Val, as_whole, bound, join, set_part, whole

QUERY_KIND = "database query"  # the kind of a query object built on a recognised root

_READS = frozenset(
    {
        "first", "one", "one_or_none", "all", "get", "scalar", "scalars", "scalar_one",
        "scalar_one_or_none", "get_or_404", "first_or_404", "one_or_404", "last", "values",
        "values_list", "earliest", "latest", "count", "exists", "in_bulk", "iterator",
        "fetchone", "fetchall", "fetchmany", "get_or_none", "get_by_id", "dicts", "tuples",
        "namedtuples", "objects", "mappings", "unique", "partitions",
    }
)  # fmt: skip
_BUILDERS = frozenset(
    {
        "filter", "filter_by", "where", "order_by", "join", "outerjoin", "limit", "offset",
        "options", "exclude", "select_related", "prefetch_related", "distinct", "group_by",
        "having", "with_entities", "only", "defer", "using", "annotate", "execution_options",
        "reverse", "none", "join_from", "select_from", "add_columns", "paginate", "params",
    }
)  # fmt: skip
_SELECTS = frozenset(
    {"sqlalchemy.select", "sqlalchemy.sql.select", "sqlalchemy.sql.expression.select",
     "sqlalchemy.future.select", "sqlmodel.select"}
)  # fmt: skip
_SESSION_WORDS = ("session", "db")  # ``db.session``, ``self.session``, ``db`` (Flask-SQLAlchemy)
_CURSOR_WORDS = ("cursor", "cur", "curs", "c")
_CONNECTION_WORDS = ("conn", "connection", "con", "engine")
_FLASK_SQLALCHEMY_READS = frozenset({"get_or_404", "first_or_404", "one_or_404", "paginate"})
_PEEWEE_READS = frozenset({"get", "get_by_id", "get_or_none", "select"})


def _class_ref(node: ast.AST) -> bool:
    """``Books`` or ``db.Books``: a name spelled as a class."""
    word = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    return spelled_as_class(word)


def _last_word(node: ast.AST) -> str:
    """The last name of a receiver's spelling (``self.session`` -> ``session``), lower-cased."""
    if isinstance(node, ast.Name):
        return node.id.lower()
    if isinstance(node, ast.Attribute):
        return node.attr.lower()
    return ""


def _session_like(node: ast.AST) -> bool:
    word = _last_word(node)
    return word.endswith(_SESSION_WORDS)  # ``session``, ``db_session``, ``calibre_db``...


def _query_root(node: ast.AST, qualname: object, peewee: bool) -> bool:
    """Whether expression ``node`` is a query object (or a database result set) by its shape."""
    if isinstance(node, ast.Attribute):
        return node.attr == "query" and _class_ref(node.value)  # ``Books.query`` (Flask-SQLAlchemy)
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if callable(qualname) and qualname(func) in _SELECTS:
        return True
    if not isinstance(func, ast.Attribute):
        return False
    held = func.value
    method = func.attr
    if method == "query" and node.args:
        return _class_ref(node.args[0]) or _session_like(held)  # ``session.query(Books)``
    if (
        method in ("execute", "scalars")
        and (_session_like(held) or _last_word(held) in _CONNECTION_WORDS)
        and node.args
    ):
        first = node.args[0]
        return isinstance(first, ast.Call) and _query_root(first, qualname, peewee)
    if method == "select" and peewee and _class_ref(held):
        return True
    if method in _BUILDERS or method in ("all", "scalars", "mappings", "unique"):
        return _query_root(held, qualname, peewee)
    return False


def database_read(
    node: ast.Call,
    method: str | None,
    receiver: Val | None,
    qualname: object,
    peewee: bool,
) -> Val | None:
    """The value of a recognised database read or query builder (no taint), else None.
    ``qualname`` is the module's qualified-name function; ``peewee``: the module imports peewee."""
    func = node.func
    if method is None or not isinstance(func, ast.Attribute):
        return None
    held = func.value
    query = (receiver is not None and receiver.kind == QUERY_KIND) or _query_root(held, qualname, peewee)
    if query and method in _BUILDERS:
        return Val(kind=QUERY_KIND)
    if query and method in _READS:
        return Val()
    if method in ("fetchone", "fetchall", "fetchmany") and _last_word(held) in _CURSOR_WORDS:
        return Val()
    if method == "get" and len(node.args) >= 2 and _class_ref(node.args[0]) and _session_like(held):
        return Val()  # ``session.get(Model, id)``
    if method in _FLASK_SQLALCHEMY_READS and _session_like(held) and node.args:
        first = node.args[0]
        if _class_ref(first) or (isinstance(first, ast.Call) and _query_root(first, qualname, peewee)):
            return Val()  # ``db.get_or_404(Model, id)``, ``db.first_or_404(select(...))``
    if method == "scalars" and _session_like(held) and node.args:
        first = node.args[0]
        if isinstance(first, ast.Call) and _query_root(first, qualname, peewee):
            return Val(kind=QUERY_KIND)  # ``session.scalars(select(...))``
    if peewee and method in _PEEWEE_READS and _class_ref(held):
        return Val(kind=QUERY_KIND) if method == "select" else Val()
    return None


def through_manager(node: ast.expr, spec: TaintSpec, imported: Iterable[str]) -> bool:
    """``Model.objects.filter(...).first`` — a query through a model manager that only reads
    (``create(...)`` hands back what it was given) — or, in a module importing Django, a
    chain of reads that filters by field lookups: ``event.subevents.filter(pk=pk).first``
    (a related manager, whose name is the relation's)."""
    managers = spec.model_managers
    looked_up = False
    while isinstance(node, (ast.Attribute, ast.Call)):
        if isinstance(node, ast.Attribute):
            if node.attr in managers:
                return True
            node = node.value
        else:
            if isinstance(node.func, ast.Attribute) and node.func.attr not in spec.manager_reads:
                return False
            looked_up = looked_up or field_lookup(node)
            node = node.func
    return looked_up and "django" in imported


def field_lookup(call: ast.Call) -> bool:
    """``rel.filter(pk=pk, active=True)`` / ``.exclude(...)``: a queryset filtered by field
    lookups (keywords only, none spread from a mapping), reached through an attribute."""
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr in ("filter", "exclude")
        and isinstance(func.value, ast.Attribute)
        and not call.args
        and bool(call.keywords)
        and all(keyword.arg is not None for keyword in call.keywords)
    )


_CREATING = frozenset({"get_or_create", "update_or_create", "aget_or_create", "aupdate_or_create"})
_WRITTEN_MAPPINGS = ("defaults", "create_defaults")


def created_record(
    node: ast.Call,
    method: str | None,
    receiver: Val | None,
    kwargs: dict[str | None, Val],
    spec: TaintSpec,
    imported: Iterable[str],
) -> Val | None:
    """``record, created = Model.objects.get_or_create(name=name, defaults={"title": t})`` (also
    ``update_or_create`` and their ``a…`` forms), through a model manager or in a module importing
    Django: the pair of the record, whose ``.name`` and ``.title`` hold what was written and whose
    other fields are stored data, and the flag. None when ``node`` is no such call."""
    if method not in _CREATING or receiver is None or not isinstance(node.func, ast.Attribute):
        return None
    if "django" not in imported and not through_manager(node.func.value, spec, imported):
        return None
    if node.args or any(keyword.arg is None for keyword in node.keywords):
        return None  # a mapping spread into the keywords: which fields it writes is not known
    own = set(whole(receiver))
    fields: list[tuple[str, Val]] = []
    for name, value in kwargs.items():
        if name in _WRITTEN_MAPPINGS:
            own.update(value.taint)
            for key, item in value.parts:
                if len(key) > 2 and key[0] == key[-1] == "'" and key[1:-1].isidentifier():
                    fields.append(("." + key[1:-1], as_whole(item)))
                else:
                    own.update(whole(item))  # an entry at a key not known here
        elif name is not None and "__" not in name:
            fields.append(("." + name, as_whole(value)))  # an exact lookup: the field created with it
    record = Val(bound(frozenset(own)))
    for key, value in fields:
        held = record.part(key)
        record = set_part(record, key, join(held, value) if held is not None else value)
    return Val(parts=(("0", record), ("1", EMPTY)))
