"""Calls that run a function of the module later with the arguments they are given: a thread,
an executor, a background task, a Celery task. The engine follows them as a call of that
function at the scheduling call (``pool.submit(convert, name)`` runs ``convert(name)``)."""

from __future__ import annotations

import ast

from .values import Val, get_part

# Qualified callables and methods taking the function at a position, then its positional
# arguments (and keywords passed on to it where the value is True).
_BY_NAME: dict[str, tuple[int, bool]] = {
    "asyncio.to_thread": (0, True),
    "anyio.to_thread.run_sync": (0, False),
}
_BY_METHOD: dict[str, tuple[int, bool]] = {
    "submit": (0, True),  # concurrent.futures executors
    "run_in_executor": (1, False),  # asyncio event loops
    "add_task": (0, True),  # FastAPI / Starlette BackgroundTasks
    "start_soon": (0, False),  # anyio / trio task groups
}
# Of those, the calls whose (awaited) value is the function's result: the function runs on a
# worker thread with the arguments, as if called here (``await asyncio.to_thread(requests.post,
# url, json=data)`` is the response of ``requests.post(url, json=data)``).
_RESULT_BY_NAME: dict[str, tuple[int, bool]] = {
    "asyncio.to_thread": (0, True),
    "anyio.to_thread.run_sync": (0, False),
    "starlette.concurrency.run_in_threadpool": (0, True),
    "fastapi.concurrency.run_in_threadpool": (0, True),
}
_RESULT_BY_METHOD: dict[str, tuple[int, bool]] = {"run_in_executor": (1, False)}
# Constructors taking ``target=`` with ``args=(...)``.
_TARGET_CALLS = frozenset({"threading.Thread", "multiprocessing.Process", "threading.Timer"})
# ``task.delay(*args)`` / ``task.apply_async(args=[...])`` of a function of the module (Celery).
_TASK_METHODS = frozenset({"delay", "apply_async"})


def made_call(node: ast.expr, func: ast.expr, args: list[ast.expr], keywords: list[ast.keyword]) -> ast.Call:
    """A call node made for the analysis, placed where ``node`` is (``ast.copy_location`` copies
    the end too); whoever interprets it notes it (``Results.note_made_node``)."""
    return ast.copy_location(ast.Call(func=func, args=args, keywords=keywords), node)


def _sequence(node: ast.Call, keyword: str) -> list[ast.expr] | None:
    """The elements of ``keyword=(a, b)`` / ``[a, b]`` written in the call ([] when absent)."""
    for kw in node.keywords:
        if kw.arg == keyword:
            if isinstance(kw.value, (ast.Tuple, ast.List)) and not any(
                isinstance(e, ast.Starred) for e in kw.value.elts
            ):
                return list(kw.value.elts)
            return None
    return []


def deferred_call(
    node: ast.Call, name: str | None, args: list[Val], kwargs: dict[str | None, Val]
) -> tuple[ast.Call, list[Val], list[Val]] | None:
    """The call of a module function ``node`` schedules, with its argument values (positional,
    then keyword in the order of the built call's keywords); None when it schedules none."""
    func = node.func
    method = func.attr if isinstance(func, ast.Attribute) else None
    if name in _TARGET_CALLS or (method in _TASK_METHODS and isinstance(func, ast.Attribute)):
        if method in _TASK_METHODS and isinstance(func, ast.Attribute):
            target: ast.expr | None = func.value
            if method == "delay":
                keywords = [kw for kw in node.keywords if kw.arg is not None]
                values = [kwargs[kw.arg] for kw in keywords]
                return made_call(node, target, list(node.args), keywords), list(args), values
        else:
            target = next((kw.value for kw in node.keywords if kw.arg == "target"), None)
        elements = _sequence(node, "args")
        if not isinstance(target, ast.Name) or elements is None:
            return None
        packed = kwargs.get("args", Val())
        values = [get_part(packed, str(i)) for i in range(len(elements))]
        return made_call(node, target, elements, []), values, []
    spot = _BY_NAME.get(name or "") or (_BY_METHOD.get(method or "") if method else None)
    if spot is None:
        return None
    at, keywords_passed = spot
    if len(node.args) <= at or not isinstance(node.args[at], ast.Name):
        return None
    if any(isinstance(a, ast.Starred) for a in node.args[: at + 1]):
        return None
    keywords = [kw for kw in node.keywords if kw.arg is not None] if keywords_passed else []
    values = [kwargs[kw.arg] for kw in keywords]
    return made_call(node, node.args[at], list(node.args[at + 1 :]), keywords), list(args[at + 1 :]), values


def offloaded_call(node: ast.Call, name: str | None) -> ast.Call | None:
    """``function(*args)`` for a call running it on a worker thread and giving back its result
    (``asyncio.to_thread(function, *args, **kwargs)``, ``loop.run_in_executor(None, function,
    *args)``); None for any other call."""
    func = node.func
    method = func.attr if isinstance(func, ast.Attribute) else None
    spot = _RESULT_BY_NAME.get(name or "") or (_RESULT_BY_METHOD.get(method or "") if method else None)
    if spot is None:
        return None
    at, keywords_passed = spot
    if len(node.args) <= at or any(isinstance(a, ast.Starred) for a in node.args[: at + 1]):
        return None
    function = node.args[at]
    if not isinstance(function, (ast.Name, ast.Attribute, ast.Lambda)):
        return None
    keywords = [kw for kw in node.keywords if kw.arg is not None] if keywords_passed else []
    return made_call(node, function, list(node.args[at + 1 :]), keywords)
