"""What the pieces formatted into SQL text are (SR210, SR211, SR212): constants, numbers,
placeholders, identifiers quoted by the database layer, compiled SQL fragments — none of them
carries injection. A piece of unknown origin is not judged harmless.

The judgement follows a value through the names, attributes and containers of its own module:
a name every assignment of which is harmless, a list filled only with harmless items, an
attribute of ``self`` every assignment of which in its class is harmless, the index that
``enumerate`` yields, and strings composed only of harmless pieces. A method's parameter is
judged by what every ``self.method(...)`` call in its class passes, a ``self.method(...)``
result by the method's ``return`` values (``callers.py``); ``render_*``/``visit_*`` methods of
an SQL compiler class give compiled SQL, ``connection.features.X`` a backend constant. What a
Django model declares (``model._meta.db_table``, a field's column reached through ``_meta``)
is schema, and ``connection.ops.<method>(...)`` fed only harmless pieces gives one.
"""

from __future__ import annotations

import ast
import re

from ..engine.facts import parameter_names
from .base import CacheKey, RuleContext
from .callers import passed_values
from .fixed_values import fixed_choice, stores_in
from .judge import (
    add_operands,
    binding_scope,
    grown_by_calls,
    is_static,
    name_stores,
    own_returns,
    single_assignment,
    static_string,
)
from .reaching import reaching_values
from .sql_pairs import declared_schema_name, imported_class_constant, paired_with_parameters
from .sql_text import names_sql_fragment, quotes_identifier

_PLACEHOLDER_TEXT = re.compile(r"^[\s,?%s$:()\d]*$")
_INT_FORMATS = re.compile(r"%[-+ #0]*\d*(?:\.\d+)?[dif]")


# The function around each node asked about, filled for every node on the way up: the operands
# of a long ``+`` chain sit ever deeper in it, and walking up from each alone is quadratic.
_FUNCTION_OF: CacheKey[dict[int, ast.AST | None]] = CacheKey("sql-values:function-of")


def function_of(ctx: RuleContext, node: ast.AST) -> ast.AST | None:
    """``ctx.facts.enclosing_function(node)``, remembered for this analysis."""
    known = ctx.cache.get(_FUNCTION_OF, dict)
    parents = ctx.facts.parents
    path: list[int] = []
    current = parents.get(node)
    found: ast.AST | None = None
    while current is not None:
        if id(current) in known:
            found = known[id(current)]
            break
        if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found = current
            break
        path.append(id(current))
        current = parents.get(current)
    for key in path:
        known[key] = found
    return found


def literal_text_and_values(ctx: RuleContext, node: ast.expr) -> tuple[str, list[ast.expr]] | None:
    """For a string built at run time: its literal text and the interpolated values."""
    if isinstance(node, ast.JoinedStr):
        text: list[str] = []
        values: list[ast.expr] = []
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                text.append(part.value)
            elif isinstance(part, ast.FormattedValue):
                spec = part.format_spec
                spec_text = static_string(ctx, spec) if spec is not None else ""
                if spec_text and spec_text[-1:] in {"d", "f", "e", "g", "x", "o", "b", "n", "%"}:
                    text.append("0")
                    continue
                text.append(" {} ")
                values.append(part.value)
        return "".join(text), values
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        template = static_string(ctx, node.left)
        if template is None:
            return None
        right = node.right
        items = list(right.elts) if isinstance(right, ast.Tuple) else [right]
        if isinstance(right, ast.Dict):
            items = [v for v in right.values if v is not None]
        conversions = re.findall(r"%(?:\([^)]*\))?[-+ #0]*\d*(?:\.\d+)?([a-zA-Z%])", template)
        conversions = [c for c in conversions if c != "%"]
        values = []
        for index, item in enumerate(items):
            conversion = conversions[index] if index < len(conversions) else "s"
            if conversion in {"d", "i", "f", "e", "g", "x", "o", "u"}:
                continue
            values.append(item)
        if isinstance(right, (ast.Name, ast.Attribute, ast.Call)) and not isinstance(right, ast.Tuple):
            if all(c in {"d", "i", "f", "e", "g", "x", "o", "u"} for c in conversions) and conversions:
                values = []
        return _INT_FORMATS.sub("0", template), values
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        text_parts: list[str] = []
        values = []
        for operand in add_operands(node):
            literal = static_string(ctx, operand)
            if literal is not None:
                text_parts.append(literal)
            else:
                text_parts.append(" {} ")
                values.append(operand)
        return "".join(text_parts), values
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        template = static_string(ctx, node.func.value)
        if template is None:
            return None
        return template, [*node.args, *(kw.value for kw in node.keywords if kw.value is not None)]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "replace":
        template = static_string(ctx, node.func.value)
        if template is None or len(node.args) < 2:
            return None
        return template, [node.args[1]]
    return None


_NUMERIC_CALLS = frozenset(
    {
        "builtins.int",
        "builtins.len",
        "builtins.float",
        "builtins.bool",
        "builtins.round",
        "builtins.abs",
        "builtins.min",
        "builtins.max",
        "builtins.sum",
        "math.floor",
        "math.ceil",
    }
)
_HEX_METHODS = frozenset({"hexdigest", "isoformat", "isdigit"})


_COMPILED_SQL_METHODS = frozenset({"as_sql", "compile", "process", "_compiler_dispatch"})
# ``connection.ops`` methods named for the SQL clause they write: ``for_update_sql``, ``explain_query_prefix``.
_CLAUSE_WORDS = re.compile(r"_(?:sql|prefix|suffix)$")
_COUNTING_CALLS = frozenset({"builtins.enumerate", "builtins.range"})
# In an SQL compiler class, the methods that turn a clause into SQL text.
_COMPILER_PREFIXES = ("visit_", "render_", "_render_", "_generate_")
_MAX_DEPTH = 10


def harmless_value(ctx: RuleContext, node: ast.expr, depth: int = 0) -> bool:
    """Values that cannot carry SQL: constants, numbers, hex digests, placeholder lists,
    identifiers passed through a quoting function, compiled SQL fragments, and strings or
    lists composed only of those — directly or through names and ``self`` attributes whose
    every assignment is such a value. A container is harmless when all its items are."""
    if depth > _MAX_DEPTH:
        return False
    if is_static(ctx, node):
        return True
    if isinstance(node, ast.Call):
        return _harmless_call(ctx, node, depth)
    if isinstance(node, ast.IfExp):
        return harmless_value(ctx, node.body, depth + 1) and harmless_value(ctx, node.orelse, depth + 1)
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return all(harmless_value(ctx, e, depth + 1) for e in node.elts)
    if isinstance(node, ast.Dict):  # a table of SQL pieces, looked up by key
        return all(harmless_value(ctx, v, depth + 1) for v in node.values)
    if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
        return harmless_value(ctx, node.elt, depth + 1)
    if isinstance(node, ast.DictComp):
        return harmless_value(ctx, node.value, depth + 1)
    if isinstance(node, ast.BinOp):
        return _harmless_operation(ctx, node, depth)
    if isinstance(node, ast.JoinedStr):
        return _composed_of_harmless(ctx, node, depth)
    if isinstance(node, ast.Name):
        if names_sql_fragment(node.id) or _harmless_name(ctx, node, depth) or _compiler_local(ctx, node):
            return True
        return declared_schema_name(ctx, node)
    if isinstance(node, ast.Attribute):
        if node.attr.isupper() and isinstance(node.value, ast.Name) and node.value.id in {"self", "cls"}:
            return True  # a class constant such as ``self.TABLE``
        if _backend_feature(node) or _model_metadata(ctx, node) or imported_class_constant(ctx, node):
            return True
        if declared_schema_name(ctx, node):
            return True
        return _harmless_attribute(ctx, node, depth)
    if isinstance(node, ast.Subscript):
        return _harmless_item(ctx, node, depth)
    if isinstance(node, ast.Starred):  # ``["FROM", *from_]``: the items of a harmless list
        return harmless_value(ctx, node.value, depth + 1)
    return False


def _harmless_call(ctx: RuleContext, call: ast.Call, depth: int) -> bool:
    if ctx.facts.qualname(call.func) in _NUMERIC_CALLS or _fixed_time_format(ctx, call):
        return True
    if isinstance(call.func, ast.Attribute) and call.func.attr == "get" and fixed_choice(ctx, call):
        return True  # ``ORDERS.get(key, "id")``: an entry of a constant table or a fixed default
    if _counter_step(ctx, call):
        return True
    if ctx.facts.qualname(call.func) == "builtins.dict" and not call.args:
        return all(harmless_value(ctx, kw.value, depth + 1) for kw in call.keywords)  # ``dict(cols=...)``
    if isinstance(call.func, ast.Attribute):
        if call.func.attr in _HEX_METHODS or call.func.attr in _COMPILED_SQL_METHODS:
            return True  # ``compiler.compile(node)``, ``self.process(clause)``: compiled SQL
        if _compiler_method(ctx, call.func):
            return True
        if call.func.attr == "values" and not call.args and harmless_value(ctx, call.func.value, depth + 1):
            return True  # the values of a mapping of harmless pieces
        if _harmless_own_method(ctx, call.func, depth):
            return True
        if call.func.attr == "format":
            return _composed_of_harmless(ctx, call, depth)
    if isinstance(call.func, ast.Name) and _harmless_module_function(ctx, call.func, depth):
        return True  # ``identifier(name)``: the module's own quoting helper
    if quotes_identifier(ctx, call) or _joins_harmless(ctx, call, depth):
        return True
    if _backend_operation(call) and _CLAUSE_WORDS.search(call.func.attr):  # type: ignore[attr-defined]
        return True  # ``connection.ops.for_update_sql(nowait=...)``: the backend's SQL for a clause
    if _backend_operation(call) and all(
        harmless_value(ctx, a.value if isinstance(a, ast.Starred) else a, depth + 1)
        for a in [*call.args, *(kw.value for kw in call.keywords)]
    ):
        return True  # ``connection.ops._get_sequence_name(model._meta.db_table)``
    return _placeholder_builder(call)


def _fixed_time_format(ctx: RuleContext, call: ast.Call) -> bool:
    """``time.strftime("%Y-%m-%d %H:%M:%S", t)``, ``moment.strftime("%Y%m%d")``: a time written
    by a format fixed in the source, with no quote in it — digits, month and day names."""
    func = call.func
    tail = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if tail != "strftime" or not call.args:
        return False
    template = static_string(ctx, call.args[0])
    return template is not None and not any(quote in template for quote in "'\"`\\")


def _harmless_operation(ctx: RuleContext, node: ast.BinOp, depth: int) -> bool:
    if isinstance(node.op, (ast.Sub, ast.Div, ast.FloorDiv, ast.Pow)):
        return True
    if isinstance(node.op, ast.Mult):
        if _placeholder_builder(node):
            return True
        return any(_is_number(ctx, side) for side in (node.left, node.right))
    if isinstance(node.op, ast.Mod) and isinstance(node.left, ast.JoinedStr):
        # ``f"SELECT %s{suffix}" % cols``: a template itself built of harmless pieces
        return harmless_value(ctx, node.left, depth + 1) and harmless_value(ctx, node.right, depth + 1)
    if isinstance(node.op, (ast.Mod, ast.Add)):
        return _composed_of_harmless(ctx, node, depth)
    return False


def _composed_of_harmless(ctx: RuleContext, node: ast.expr, depth: int) -> bool:
    """A string built from a literal template whose every inserted value is harmless, or a
    list concatenation of harmless lists."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and not _is_text(ctx, node):
        return harmless_value(ctx, node.left, depth + 1) and harmless_value(ctx, node.right, depth + 1)
    parts = literal_text_and_values(ctx, node)
    if parts is None:
        return False
    return all(harmless_value(ctx, value, depth + 1) for value in parts[1])


def _is_text(ctx: RuleContext, node: ast.BinOp) -> bool:
    return any(
        static_string(ctx, operand) is not None or isinstance(operand, ast.JoinedStr) for operand in add_operands(node)
    )


def _harmless_name(ctx: RuleContext, name: ast.Name, depth: int) -> bool:
    """Every store of the name in its scope binds a harmless value, and every item put into
    it (``append``, ``extend``, ``insert``, ``+=``) is harmless."""
    found = name_stores(ctx, name)
    if found is None:
        function = function_of(ctx, name)
        if function is None:
            return False
        if name.id in parameter_names(function):
            return _harmless_parameter(ctx, function, name, depth)
        outer = closure_stores(ctx, name, function)
        return outer is not None and all(_harmless_store(ctx, store, depth) for store in outer)
    scope, stores = found
    if _scope_is(ctx, name, scope) and not _in_loop(ctx, name, scope):
        # straight-line code of the same scope: a later store cannot reach this use
        stores = [s for s in stores if (s.lineno, s.col_offset) < (name.lineno, name.col_offset)] or stores
    elif _scope_is(ctx, name, scope):
        stores = _reaching_stores(ctx, name, stores)
    # ``clause = f"AND {clause}"``: the statement that rebinds the name reads the earlier value
    stores = [s for s in stores if not _rebinds_from(ctx, s, name)] or stores
    for store in stores:
        if not _harmless_store(ctx, store, depth):
            return False
    for item in grown_by_calls(ctx, scope, name.id):  # also by other functions, for a module's list
        if not harmless_value(ctx, item, depth + 1):
            return False
    for item in ctx.facts.nodes(ast.Subscript):  # ``name[key] = value`` into the same binding
        assert isinstance(item, ast.Subscript)
        if (
            isinstance(item.value, ast.Name)
            and item.value.id == name.id
            and isinstance(item.ctx, ast.Store)
            and (isinstance(scope, ast.ClassDef) or binding_scope(ctx, item.value) is scope)
        ):
            parent = ctx.facts.parent(item)
            if not (isinstance(parent, ast.Assign) and harmless_value(ctx, parent.value, depth + 1)):
                return False
    return True


def _reaching_stores(ctx: RuleContext, name: ast.Name, stores: list[ast.Name]) -> list[ast.Name]:
    """In a loop, the stores whose assignment reaches ``name`` (``reaching_values``: an
    assignment earlier in the same round hides the stores below the read); all of them when
    that cannot be told."""
    reached = reaching_values(ctx, name)
    if not reached:
        return stores
    kept = [s for s in stores if any(getattr(ctx.facts.parent(s), "value", None) is v for v in reached)]
    return kept if len(kept) == len(reached) else stores


def closure_stores(ctx: RuleContext, name: ast.Name, function: ast.AST | None = None) -> list[ast.Name] | None:
    """The stores of a name a nested function (``function``, the one ``name`` is read in)
    reads from a function around it (``def f(txn): txn.execute(sql % clause)`` inside the
    method that builds ``clause``); None when no enclosing function binds it or it is a
    parameter there."""
    function = function or function_of(ctx, name)
    while function is not None:
        outer = function_of(ctx, function)
        if outer is None or name.id in parameter_names(outer, starred=True):
            return None
        statements = stores_in(ctx, outer, name.id)
        if statements:
            return [
                target for statement in statements
                for target in ast.walk(statement.target if isinstance(statement, (ast.For, ast.AugAssign, ast.AnnAssign))
                                       else ast.Tuple(elts=list(getattr(statement, "targets", [])), ctx=ast.Store()))
                if isinstance(target, ast.Name) and target.id == name.id and isinstance(target.ctx, ast.Store)
            ]  # fmt: skip
        function = outer
    return None


def _rebinds_from(ctx: RuleContext, store: ast.Name, use: ast.Name) -> bool:
    """``store`` is the target of the assignment whose value reads ``use``."""
    parent = ctx.facts.parent(store)
    if not (isinstance(parent, ast.Assign) and parent.targets == [store]):
        return False
    return any(inner is use for inner in ast.walk(parent.value))


def _in_loop(ctx: RuleContext, node: ast.AST, scope: ast.AST) -> bool:
    for ancestor in ctx.facts.ancestors(node):
        if ancestor is scope:
            return False
        if isinstance(
            ancestor,
            (
                ast.For,
                ast.AsyncFor,
                ast.While,
                ast.comprehension,
                ast.ListComp,
                ast.SetComp,
                ast.GeneratorExp,
                ast.DictComp,
            ),
        ):
            return True
    return False


def _scope_is(ctx: RuleContext, node: ast.AST, scope: ast.AST) -> bool:
    function = function_of(ctx, node)
    return function is scope or (function is None and scope is ctx.facts.tree)


def _harmless_store(ctx: RuleContext, store: ast.Name, depth: int) -> bool:
    """What one store binds: an assignment's value, an augmented assignment's operand, the
    index ``enumerate`` yields or a number ``range`` yields, the SQL text of a compiled
    fragment unpacked as ``sql, params = node.as_sql(...)``."""
    parent = ctx.facts.parent(store)
    if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and parent.value is not None:
        if isinstance(parent, ast.Assign) and len(parent.targets) != 1:
            return False
        if isinstance(parent, ast.AugAssign) and not isinstance(parent.op, ast.Add):
            return False
        return harmless_value(ctx, parent.value, depth + 1)
    if isinstance(parent, (ast.For, ast.comprehension)) and parent.target is store:
        if isinstance(parent.iter, ast.Call) and ctx.facts.qualname(parent.iter.func) == "builtins.range":
            return True
        return _harmless_items(ctx, parent.iter, depth)
    if isinstance(parent, ast.Tuple) and store in parent.elts:
        holder = ctx.facts.parent(parent)
        if isinstance(holder, (ast.For, ast.comprehension)) and holder.target is parent:
            iterated = holder.iter
            if isinstance(iterated, ast.Call) and ctx.facts.qualname(iterated.func) == "builtins.enumerate":
                return parent.elts[0] is store or (
                    len(iterated.args) == 1 and _harmless_items(ctx, iterated.args[0], depth)
                )
            if _harmless_items(ctx, iterated, depth):  # ``for table, column in (("a", "x"), ...)``
                return True
            if _zipped_harmless(ctx, iterated, parent.elts.index(store), len(parent.elts), depth):
                return True
            return _key_or_time_column(ctx, iterated, parent.elts.index(store), len(parent.elts))
        if parent.elts[0] is not store:
            return False
        if isinstance(holder, ast.Assign) and holder.targets == [parent]:
            if _pair_gives_sql(ctx, holder.value, len(parent.elts), depth):
                return True
            return paired_with_parameters(ctx, store)  # ``clause, args = helper(...)``, args bound
    return False


def _pair_gives_sql(ctx: RuleContext, value: ast.expr, size: int, depth: int) -> bool:
    """What ``sql, params = value`` unpacks gives harmless SQL text: a compiled fragment
    (``compiler.compile(node)``, ``self.db_default_sql(field)``), a method of the class that
    returns such pairs, a literal pair whose text is harmless (``"0 = 1", []``), or either
    branch of a conditional of those."""
    if isinstance(value, ast.IfExp):
        return _pair_gives_sql(ctx, value.body, size, depth) and _pair_gives_sql(ctx, value.orelse, size, depth)
    if isinstance(value, ast.Tuple):
        return len(value.elts) == size and harmless_value(ctx, value.elts[0], depth + 1)
    if not isinstance(value, ast.Call) or not isinstance(value.func, ast.Attribute):
        return False
    func = value.func
    if func.attr in _COMPILED_SQL_METHODS or names_sql_fragment(func.attr):
        return True
    return _own_method_pairs(ctx, func, size, depth)  # ``from_, params = self.get_from_clause()``


_FETCHING = frozenset({"fetchall", "fetchmany"})
_SELECTED = re.compile(r"\bSELECT\s+(?:DISTINCT\s+)?(.*?)\s+FROM\b", re.IGNORECASE | re.DOTALL)
# Columns that hold a number or a timestamp: ``id``, ``user_id``, ``whoid``, ``created_at``, ``ci_when``.
_KEY_OR_TIME = re.compile(r"(?:id|(?:^|_)(?:at|on|when|time|timestamp|ts|date|datetime))$", re.IGNORECASE)
_NOT_KEYS = ("valid", "void", "paid", "grid", "hybrid", "android", "said", "liquid", "solid", "acid", "fluid")


def _key_or_time_column(ctx: RuleContext, iterated: ast.expr, index: int, size: int) -> bool:
    """``for user_id, created in cur.fetchall()`` after ``cur.execute("SELECT user_id, created_at
    FROM ...")``: the item unpacked at ``index`` of a row the program's own query returned, whose
    column (by position in the ``SELECT`` list) is a key or a timestamp (a name ending in ``id``,
    ``_at``, ``when``, ``time``, ``date``...). The database holds numbers and times there; a text
    column read back (``name``, ``title``, ``SELECT *``) stays of unknown origin: stored text is
    second-order injection."""
    if not (
        isinstance(iterated, ast.Call) and isinstance(iterated.func, ast.Attribute) and iterated.func.attr in _FETCHING
    ):
        return False
    query = _query_of(ctx, iterated.func.value, iterated)
    found = _SELECTED.search(query) if query is not None else None
    if found is None:
        return False
    columns = [column.strip() for column in found.group(1).split(",")]
    if len(columns) != size or "(" in found.group(1):
        return False
    column = re.split(r"[\s.]+", columns[index].strip('`"[] \\\n'))[-1].strip('`"[]')
    return bool(_KEY_OR_TIME.search(column)) and not column.lower().endswith(_NOT_KEYS)


def _query_of(ctx: RuleContext, cursor: ast.expr, fetch: ast.Call) -> str | None:
    """The literal text of the statement a fetch reads the rows of: ``cur.execute(q).fetchall()``
    or the last ``cur.execute(q)`` on the same cursor name before the fetch in its function."""
    statement: ast.Call | None = None
    if isinstance(cursor, ast.Call) and isinstance(cursor.func, ast.Attribute) and cursor.func.attr == "execute":
        statement = cursor
    elif isinstance(cursor, ast.Name):
        function = function_of(ctx, fetch)
        for call in ctx.facts.method_calls("execute"):
            receiver = call.func.value  # type: ignore[attr-defined]
            if (
                isinstance(receiver, ast.Name)
                and receiver.id == cursor.id
                and function_of(ctx, call) is function
                and call.lineno <= fetch.lineno
                and (statement is None or call.lineno > statement.lineno)
            ):
                statement = call
    if statement is None or not statement.args:
        return None
    first = statement.args[0]
    text = static_string(ctx, first)
    if text is None:
        parts = literal_text_and_values(ctx, first)
        text = parts[0] if parts is not None else None
    return text


def _harmless_items(ctx: RuleContext, iterated: ast.expr, depth: int) -> bool:
    """What a loop over ``iterated`` yields is harmless: the loop runs over a literal
    collection (or a name bound only to one) whose every item is harmless —
    ``for table in ("events", "receipts")``, ``for name, column in TABLES``."""
    node: ast.expr | None = iterated
    if isinstance(node, ast.Name):
        outer = closure_stores(ctx, node) if name_stores(ctx, node) is None else None
        parent = ctx.facts.parent(outer[0]) if outer and len(outer) == 1 else None
        node = (
            parent.value
            if isinstance(parent, ast.Assign) and len(parent.targets) == 1
            else single_assignment(ctx, node)
        )
    if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
        return harmless_value(ctx, node.elt, depth + 1)  # ``[f"val_{i}" for i in range(n)]``
    return isinstance(node, (ast.Tuple, ast.List, ast.Set)) and harmless_value(ctx, node, depth + 1)


def _zipped_harmless(ctx: RuleContext, iterated: ast.expr, index: int, size: int, depth: int) -> bool:
    """``for name, field in zip(placeholders, fields)``: the ``index``-th name takes the items
    of the ``index``-th sequence zipped, harmless when those are."""
    if not (isinstance(iterated, ast.Call) and ctx.facts.qualname(iterated.func) == "builtins.zip"):
        return False
    if len(iterated.args) != size or any(isinstance(a, ast.Starred) for a in iterated.args):
        return False
    return _harmless_items(ctx, iterated.args[index], depth)


def _counter_step(ctx: RuleContext, call: ast.Call) -> bool:
    """``next(counter)`` of a name bound only to ``itertools.count(...)``: a number."""
    if ctx.facts.qualname(call.func) != "builtins.next" or len(call.args) != 1:
        return False
    counter = call.args[0]
    bound = single_assignment(ctx, counter) if isinstance(counter, ast.Name) else None
    return isinstance(bound, ast.Call) and ctx.facts.qualname(bound.func) == "itertools.count"


def _harmless_attribute(ctx: RuleContext, node: ast.Attribute, depth: int) -> bool:
    """``self.name`` read in a class whose body and methods assign ``name`` only harmless
    values (a class-level table of operators, a counter)."""
    if not (isinstance(node.value, ast.Name) and node.value.id in {"self", "cls"}):
        return False
    owner = next((a for a in ctx.facts.ancestors(node) if isinstance(a, ast.ClassDef)), None)
    if owner is None:
        return False
    values: list[ast.expr] = []
    for statement in owner.body:
        if isinstance(statement, (ast.Assign, ast.AnnAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            if any(isinstance(t, ast.Name) and t.id == node.attr for t in targets):
                if statement.value is None or len(targets) != 1:
                    return False
                values.append(statement.value)
    for inner in ast.walk(owner):
        if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id == "setattr":
            return False
        if not (isinstance(inner, ast.Attribute) and inner.attr == node.attr and not isinstance(inner.ctx, ast.Load)):
            continue
        parent = ctx.facts.parent(inner)
        if isinstance(parent, ast.Assign) and parent.targets == [inner]:
            values.append(parent.value)
        elif isinstance(parent, ast.AugAssign) and isinstance(parent.op, ast.Add):
            values.append(parent.value)
        else:
            return False
    return bool(values) and all(harmless_value(ctx, v, depth + 1) for v in values)


def _harmless_item(ctx: RuleContext, node: ast.Subscript, depth: int) -> bool:
    """An item of a dict or list whose every value is harmless."""
    container: ast.expr | None = node.value
    if isinstance(container, ast.Name):
        container = single_assignment(ctx, container)
    elif isinstance(container, ast.Attribute) and _harmless_attribute(ctx, container, depth):
        return True
    return container is not None and harmless_value(ctx, container, depth + 1)


def _joins_harmless(ctx: RuleContext, call: ast.Call, depth: int) -> bool:
    """``", ".join(qn(c) for c in columns)``: a join whose every element is harmless."""
    if not (isinstance(call.func, ast.Attribute) and call.func.attr == "join" and len(call.args) == 1):
        return False
    if static_string(ctx, call.func.value) is None:
        return False
    return harmless_value(ctx, call.args[0], depth + 1)


def _is_number(ctx: RuleContext, node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
    if isinstance(node, ast.Name):
        value = single_assignment(ctx, node)
        return value is not None and isinstance(value, ast.Constant) and _is_number(ctx, value)
    return isinstance(node, ast.Call) and ctx.facts.qualname(node.func) in _NUMERIC_CALLS


def _placeholder_builder(node: ast.AST) -> bool:
    """``", ".join("?" * len(ids))``, ``",".join(["%s"] * n)`` and the like."""
    saw_placeholder = False
    for inner in ast.walk(node):
        if isinstance(inner, ast.Constant) and isinstance(inner.value, str):
            if not _PLACEHOLDER_TEXT.match(inner.value):
                return False
            if inner.value.strip(", ()"):
                saw_placeholder = True
        if isinstance(inner, ast.FormattedValue):
            return False
    return saw_placeholder


def _harmless_parameter(ctx: RuleContext, function: ast.AST, name: ast.Name, depth: int) -> bool:
    """A parameter of a method every call of which in its class passes a harmless value
    (``self._main_query("sqlite_master", "table", schema)``): see ``callers.py``."""
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) or depth > _MAX_DEPTH - 1:
        return False
    if _numeric_annotation(ctx, function, name.id):
        return True
    values = passed_values(ctx, function, name.id)
    return bool(values) and all(harmless_value(ctx, v, depth + 1) for v in values)


# Annotations of parameters whose values print as numbers, dates or UUIDs (frameworks such as
# FastAPI convert and validate them before the function runs).
_NUMERIC_ANNOTATIONS = frozenset(
    {"builtins.int", "builtins.float", "builtins.bool", "uuid.UUID", "decimal.Decimal", "datetime.date",
     "datetime.datetime"}
)  # fmt: skip


def _numeric_annotation(ctx: RuleContext, function: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> bool:
    """The parameter is annotated ``int`` (``float``, ``UUID``...), also ``int | None`` or ``Optional[int]``."""
    arguments = function.args
    every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    annotation = next((a.annotation for a in every if a.arg == name), None)
    if annotation is None:
        return False
    parts: list[ast.expr] = [annotation]
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        parts = [annotation.left, annotation.right]
    elif isinstance(annotation, ast.Subscript) and ctx.facts.qualname(annotation.value) == "typing.Optional":
        parts = [annotation.slice]
    kinds = [p for p in parts if not (isinstance(p, ast.Constant) and p.value is None)]
    return bool(kinds) and all(ctx.facts.qualname(p) in _NUMERIC_ANNOTATIONS for p in kinds)


def _harmless_own_method(ctx: RuleContext, func: ast.Attribute, depth: int) -> bool:
    """``self._format_schema(schema, table)``: a method of the enclosing class whose every
    ``return`` gives a harmless value."""
    if not (isinstance(func.value, ast.Name) and func.value.id in ("self", "cls")) or depth > _MAX_DEPTH - 1:
        return False
    owner = next((a for a in ctx.facts.ancestors(func) if isinstance(a, ast.ClassDef)), None)
    method = next(
        (m for m in owner.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and m.name == func.attr),
        None,
    ) if owner is not None else None  # fmt: skip
    if method is None:
        return False
    returns = own_returns(method)
    return bool(returns) and all(r.value is not None and harmless_value(ctx, r.value, depth + 1) for r in returns)


def _harmless_module_function(ctx: RuleContext, func: ast.Name, depth: int) -> bool:
    """``identifier(name)``: a function of this module (never rebound) whose every ``return``
    gives a harmless value (``'"' + s.replace('"', '""') + '"'``)."""
    if depth > _MAX_DEPTH - 1:
        return False
    tree = ctx.facts.tree
    defined = [
        n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == func.id
    ]  # fmt: skip
    if len(defined) != 1 or name_stores(ctx, func) is not None:
        return False
    returns = own_returns(defined[0])
    return bool(returns) and all(r.value is not None and harmless_value(ctx, r.value, depth + 1) for r in returns)


def _own_method(ctx: RuleContext, func: ast.Attribute) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The method of the enclosing class that ``self.name(...)`` calls."""
    if not (isinstance(func.value, ast.Name) and func.value.id in ("self", "cls")):
        return None
    owner = next((a for a in ctx.facts.ancestors(func) if isinstance(a, ast.ClassDef)), None)
    if owner is None:
        return None
    return next(
        (m for m in owner.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and m.name == func.attr),
        None,
    )


def _own_method_pairs(ctx: RuleContext, func: ast.Attribute, size: int, depth: int) -> bool:
    """``sql, params = self.get_from_clause()``: a method of the enclosing class whose every
    ``return`` is a tuple of ``size`` items, the first of them harmless (the SQL text of a
    ``(sql, params)`` pair, its values kept apart as parameters)."""
    method = _own_method(ctx, func) if depth <= _MAX_DEPTH - 1 else None
    if method is None:
        return False
    returns = own_returns(method)
    return bool(returns) and all(
        isinstance(r.value, ast.Tuple) and len(r.value.elts) == size and harmless_value(ctx, r.value.elts[0], depth + 1)
        for r in returns
    )


def _compiler_local(ctx: RuleContext, name: ast.Name) -> bool:
    """A local name of a ``visit_*``/``render_*`` method of an SQL compiler class (a class named
    ``...Compiler``) that is not one of the method's parameters: what the method composes is
    the SQL it rendered from the statement's clauses, whose values it binds."""
    function = function_of(ctx, name)
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) or not function.name.startswith(
        _COMPILER_PREFIXES
    ):
        return False
    if name.id in parameter_names(function, starred=True):
        return False
    owner = next((a for a in ctx.facts.ancestors(function) if isinstance(a, ast.ClassDef)), None)
    return owner is not None and owner.name.endswith("Compiler") and name_stores(ctx, name) is not None


def _compiler_method(ctx: RuleContext, func: ast.Attribute) -> bool:
    """``self.render_bind_cast(...)``, ``self.visit_select(...)`` inside an SQL compiler class
    (a class named ``...Compiler``): the method turns a clause of the statement into SQL."""
    if not (isinstance(func.value, ast.Name) and func.value.id == "self"):
        return False
    if not func.attr.startswith(_COMPILER_PREFIXES):
        return False
    owner = next((a for a in ctx.facts.ancestors(func) if isinstance(a, ast.ClassDef)), None)
    return owner is not None and owner.name.endswith("Compiler")


def _backend_feature(node: ast.Attribute) -> bool:
    """``connection.features.bare_select_suffix``: a capability constant of the database
    backend the program runs on (its features class), not data."""
    holder = node.value
    if not (isinstance(holder, ast.Attribute) and holder.attr == "features"):
        return False
    owner = holder.value
    spelled = owner.attr if isinstance(owner, ast.Attribute) else owner.id if isinstance(owner, ast.Name) else ""
    return spelled in ("connection", "dialect")


def _model_metadata(ctx: RuleContext, node: ast.Attribute, depth: int = 0) -> bool:
    """``model._meta.db_table``, ``opts.pk.column`` with ``opts = model._meta``,
    ``opts.get_field("name").column``: what a Django model class declares (its table, its
    fields' columns), schema the developer wrote, not data; ``meta.db_table`` of a model's
    options object handed in by a caller is too (``db_table`` is the attribute Django's model
    options keep the table name in)."""
    if node.attr == "db_table":
        return True
    current: ast.expr = node
    while isinstance(current, (ast.Attribute, ast.Call)):
        if isinstance(current, ast.Call):
            current = current.func
            continue
        if current.attr == "_meta":
            return True
        current = current.value
    if isinstance(current, ast.Name) and current is not node and depth < 2:
        bound = single_assignment(ctx, current)
        return isinstance(bound, ast.Attribute) and _model_metadata(ctx, bound, depth + 1)
    return False


def _backend_operation(call: ast.Call) -> bool:
    """``connection.ops.<method>(...)``: the database backend's operations, which turn names
    and SQL pieces into the backend's SQL; fed only harmless pieces, their result is one."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Attribute) and func.value.attr == "ops"):
        return False
    owner = func.value.value
    spelled = owner.attr if isinstance(owner, ast.Attribute) else owner.id if isinstance(owner, ast.Name) else ""
    return spelled == "connection"
