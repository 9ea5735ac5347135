"""A read's guards found from the read up (``guarding``) are those a pass over every branch of
the module (``guarded_reads`` below) finds for it."""

from __future__ import annotations

import ast
import random
from collections.abc import Iterable

import pytest

from secreview_ls.engine.facts import ModuleFacts
from secreview_ls.engine.source import SourceFile
from secreview_ls.engine.taint.guarded_reads import Checked, guarding, plain_read

_CLASSES = {"ok": frozenset({"url"}), "fine": frozenset({"path"}), "sure": frozenset({"url", "sql"})}


def _checked(call: ast.Call) -> tuple[ast.expr | None, frozenset[str]] | None:
    func = call.func
    if isinstance(func, ast.Name) and func.id in _CLASSES:
        return (call.args[0] if call.args else None), _CLASSES[func.id]
    return None


def _conjuncts(test: ast.expr) -> list[ast.expr]:
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return [part for value in test.values for part in _conjuncts(value)]
    return [test]


def guarded_reads(branches: Iterable[ast.AST], checked: Checked) -> dict[int, frozenset[str]]:
    """Node ids of re-reads inside a guarded branch (of ``branches``: the module's ``if``
    statements and conditional expressions, from its facts index), with the classes the guard
    cleans."""
    found: dict[int, frozenset[str]] = {}
    for node in branches:
        if not isinstance(node, (ast.If, ast.IfExp)):
            continue
        for test in _conjuncts(node.test):
            if not isinstance(test, ast.Call):
                continue
            check = checked(test)
            if check is None or not plain_read(check[0]):
                continue
            target, classes = check
            spelled = ast.dump(target)  # type: ignore[arg-type]
            body = node.body if isinstance(node, ast.If) else [node.body]
            for statement in body:
                for read in ast.walk(statement):
                    if read is not target and plain_read(read) and ast.dump(read) == spelled:
                        found[id(read)] = found.get(id(read), frozenset()) | classes
    return found


_READS = ['request.GET.get("next")', 'request.GET.get("other")', 'req.args.getlist("a", "b")', "request.GET.get(k)"]


def _expression(rng: random.Random, depth: int) -> str:
    roll = rng.random()
    if depth > 2 or roll < 0.4:
        return rng.choice(_READS)
    if roll < 0.6:
        return f"({_expression(rng, depth + 1)} if {_test(rng, depth + 1)} else {_expression(rng, depth + 1)})"
    if roll < 0.8:
        return f"(lambda: {_expression(rng, depth + 1)})"
    return f"use({_expression(rng, depth + 1)}, {_expression(rng, depth + 1)})"


def _test(rng: random.Random, depth: int) -> str:
    parts = [f"{rng.choice([*_CLASSES, 'other'])}({rng.choice(_READS)})" for _ in range(rng.randint(1, 2))]
    if rng.random() < 0.2:
        parts.append(_expression(rng, depth + 1))
    return rng.choice([" and ", " or "]).join(parts) if len(parts) > 1 else parts[0]


def _block(rng: random.Random, indent: str, depth: int) -> list[str]:
    lines: list[str] = []
    for _ in range(rng.randint(1, 3)):
        roll = rng.random()
        if depth < 4 and roll < 0.35:
            lines.append(f"{indent}if {_test(rng, depth)}:")
            lines.extend(_block(rng, indent + "    ", depth + 1))
            if rng.random() < 0.4:
                lines.append(f"{indent}else:")
                lines.extend(_block(rng, indent + "    ", depth + 1))
        elif depth < 4 and roll < 0.5:
            lines.append(f"{indent}def inner_{depth}(x={_expression(rng, depth)}):")
            lines.extend(_block(rng, indent + "    ", depth + 1))
        elif depth < 4 and roll < 0.6:
            lines.append(f"{indent}class Made{depth}:")
            lines.extend(_block(rng, indent + "    ", depth + 1))
        else:
            lines.append(f"{indent}value = {_expression(rng, depth)}")
    return lines


@pytest.mark.parametrize("seed", range(40))
def test_the_guards_of_each_read_are_those_of_the_module_wide_pass(seed: int) -> None:
    rng = random.Random(seed)
    text = "\n".join(["def view(request, req, k):", *_block(rng, "    ", 0), *_block(rng, "", 1)]) + "\n"
    facts = ModuleFacts(SourceFile(text, "module.py"))
    everything = guarded_reads(facts.nodes(ast.If, ast.IfExp), _checked)
    calls = [node for node in ast.walk(facts.tree) if isinstance(node, ast.Call)]
    assert [guarding(call, facts.parent, _checked) for call in calls] == [
        everything.get(id(call), frozenset()) for call in calls
    ], text


def test_a_re_read_in_the_checked_branch_only() -> None:
    text = (
        "def view(request):\n"
        '    if ok(request.GET.get("next")) and fine(request.GET.get("next")):\n'
        '        return redirect(request.GET.get("next"))\n'
        '    return redirect(request.GET.get("next"))\n'
    )
    facts = ModuleFacts(SourceFile(text, "module.py"))
    reads = [n for n in ast.walk(facts.tree) if isinstance(n, ast.Call) and ast.unparse(n) == "request.GET.get('next')"]
    by_line = {read.lineno: guarding(read, facts.parent, _checked) for read in reads}
    assert by_line == {2: frozenset(), 3: frozenset({"url", "path"}), 4: frozenset()}
