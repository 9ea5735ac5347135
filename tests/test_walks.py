"""The facts index and the import map visit the tree as ``ast.walk``/``ast.iter_child_nodes``
would: same nodes, same parents, same order (a name imported twice resolves the same way)."""

from __future__ import annotations

import ast

from secreview_ls.engine.facts import ModuleFacts
from secreview_ls.engine.names import ImportMap
from secreview_ls.engine.source import SourceFile

MODULE = """\
import os.path
try:
    import json as os
except ImportError:
    from yaml import safe_load as os
else:
    import pickle as loads
finally:
    from . import helpers
def f():
    import subprocess as os
    from marshal import loads
    class C:
        import shelve as json
    return [x for x in os.listdir()]
match command:
    case [name]:
        from shlex import quote as name
    case _:
        import tempfile as quote
while True:
    with open(p) as fh:
        from pickle import loads as fh
if x:
    import ssl as helpers
"""


def walked_aliases(tree: ast.Module, module: str) -> dict[str, str]:
    imports = ImportMap(ast.Module(body=[], type_ignores=[]), module)
    for node in ast.walk(tree):  # the reference: every node, breadth first
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    imports.aliases[alias.asname] = alias.name
                else:
                    imports.aliases.setdefault(alias.name.split(".")[0], alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            base = imports._absolute_module(node)
            for alias in node.names:
                imports.aliases[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name
    return imports.aliases


def test_imports_resolve_as_a_walk_of_every_node_would() -> None:
    tree = ast.parse(MODULE)
    found = ImportMap(tree, "pkg.mod").aliases
    assert list(found.items()) == list(walked_aliases(tree, "pkg.mod").items())
    assert found["os"] == "yaml.safe_load"  # an except clause sits deeper than a function body


def test_the_facts_index_links_every_node_to_its_parent() -> None:
    tree = ast.parse(MODULE)
    facts = ModuleFacts(SourceFile(MODULE, "m.py"), "pkg.mod")
    facts_tree = facts.tree
    expected = {
        (type(child).__name__, getattr(child, "lineno", 0), getattr(child, "col_offset", 0),
         type(parent).__name__) for parent in ast.walk(facts_tree) for child in ast.iter_child_nodes(parent)
        if not isinstance(child, (ast.expr_context, ast.boolop, ast.operator, ast.unaryop, ast.cmpop))
    }
    linked = {
        (type(child).__name__, getattr(child, "lineno", 0), getattr(child, "col_offset", 0), type(parent).__name__)
        for child, parent in facts.parents.items()
        if not isinstance(child, (ast.expr_context, ast.boolop, ast.operator, ast.unaryop, ast.cmpop))
    }
    assert linked == expected
    counted = sum(1 for node in ast.walk(facts_tree) if not isinstance(node, ast.expr_context))
    indexed = sum(len(facts.nodes(kind)) for kind in {type(node) for node in ast.walk(tree)}
                  if not issubclass(kind, ast.expr_context))
    assert indexed == counted
