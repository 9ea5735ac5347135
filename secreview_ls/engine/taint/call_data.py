"""What a call's result carries of its receiver and its arguments: every label, only the
arguments a modelled API writes into its result, and whether the receiver itself is input or the
program's own object."""

from __future__ import annotations

from .spec import TaintSpec
from .values import EMPTY_TAINT, Taint, Val, bound, whole

_OWN = frozenset({"self", "cls"})


def all_taint(receiver: Val | None, args: list[Val], kwargs: dict[str | None, Val]) -> Taint:
    """Every label of the receiver and the arguments."""
    taint: Taint = whole(receiver) if receiver is not None else EMPTY_TAINT
    for value in args:
        taint = taint | whole(value)
    for value in kwargs.values():
        taint = taint | whole(value)
    return bound(taint)


def carries_input(value: Val, access: tuple[str, ...] = ()) -> bool:
    """The value itself is input (not only some of its parts): a label of its own other than the
    one a summary gives the method's own object (``self``, ``cls``; its method ``access``), which
    stands for the program's object the method runs on."""
    return any(
        not (
            lab.origin.kind == "param"
            and lab.origin.index == 0
            and lab.origin.access == access
            and lab.origin.text in _OWN
        )
        for lab in value.taint
    )


def content_only(
    content: tuple[tuple[int, str], ...], args: list[Val], kwargs: dict[str | None, Val]
) -> tuple[list[Val], dict[str | None, Val]]:
    """The arguments whose text a call's result carries (``spec.content_arguments``); a
    ``**mapping`` may hold one, so it is kept too."""
    names = {name for _, name in content}
    kept = {k: v for k, v in kwargs.items() if k in names or k is None}
    return [args[position] for position, _ in content if 0 <= position < len(args)], kept


def content_of(
    spec: TaintSpec, name: str | None, method: str | None, module_call: bool
) -> tuple[tuple[int, str], ...] | None:
    """The arguments a call's result carries the text of, by qualified name or by ``.method``
    (``.bindparams(v=...)``: a statement whose values are bound apart from its text)."""
    if name is not None and name in spec.content_arguments:
        return spec.content_arguments[name]
    if method is not None and not module_call:
        return spec.content_arguments.get("." + method)
    return None
