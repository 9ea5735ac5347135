"""Deserialization of data that can construct arbitrary objects (CWE-502). ``marshal``
(SR403), where the call itself is the finding, is a row of ``banned_calls``."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ..engine.evidence import Judgement
from ..engine.facts import argument, keyword_value
from ..engine.finding import Finding
from .base import HIGH, MEDIUM, RuleContext, replace_node, rule

_SAFE_YAML_LOADERS = frozenset(
    {
        "yaml.SafeLoader",
        "yaml.CSafeLoader",
        "yaml.BaseLoader",
        "yaml.CBaseLoader",
        "yaml.loader.SafeLoader",
        "yaml.loader.BaseLoader",
        "yaml.cyaml.CSafeLoader",
    }
)
_YAML_LOAD = {
    "yaml.load": "yaml.safe_load",
    "yaml.load_all": "yaml.safe_load_all",
}
_YAML_ALWAYS_UNSAFE = ("yaml.unsafe_load", "yaml.unsafe_load_all", "yaml.full_load", "yaml.full_load_all")
_YAML_DATA_ONLY = ("yaml.safe_load", "yaml.safe_load_all", "yaml.safe_dump", "yaml.dump")


def _loader_is_safe(ctx: RuleContext, loader: ast.expr | None) -> bool:
    if loader is None:
        return False
    name = ctx.facts.qualname(loader)
    if name in _SAFE_YAML_LOADERS:
        return True
    # A project-defined subclass named like a safe loader (``MySafeLoader``).
    spelled = ctx.facts.spelled(loader)
    return "Safe" in spelled.rsplit(".", 1)[-1] or "BaseLoader" in spelled


@rule(
    id="SR401",
    name="yaml-unsafe-load",
    cwe=502,
    severity=HIGH,
    confidence=HIGH,
    bandit=("B506",),
    ruff=("S506",),
    fix_safety="unsafe",
    fix_note="`safe_load` refuses the tags the full loader accepted (`!!python/tuple`, constructors a "
    "program registered with `yaml.add_constructor`), so documents that use them stop loading.",
    summary="`yaml.load` (or `unsafe_load`/`full_load`) without a safe Loader can construct "
    "arbitrary Python objects from the document.",
    why="PyYAML's default and full loaders honour tags such as `!!python/object/apply:os.system`, "
    "so a document under an attacker's control runs code during parsing. "
    "`SafeLoader` builds only plain data (dicts, lists, strings, numbers).",
    bad="import yaml\nconfig = yaml.load(request.data)",
    good="import yaml\nconfig = yaml.safe_load(request.data)\n# or: yaml.load(data, Loader=yaml.SafeLoader)",
)
def yaml_unsafe_load(ctx: RuleContext) -> Iterator[Finding]:
    for name, call in ctx.facts.calls_to(*_YAML_LOAD):
        loader = argument(call, 1, "Loader")
        if _loader_is_safe(ctx, loader):
            ctx.judged(name, call, Judgement.SAFE_LOADER)
            continue
        spelled = ctx.facts.spelled(call.func)
        fix = None
        if loader is None and len(call.args) == 1 and not call.keywords:
            safe = _YAML_LOAD[name].rsplit(".", 1)[-1]
            if isinstance(call.func, ast.Attribute):
                new_func = f"{ctx.segment(call.func.value)}.{safe}"
                fix = replace_node(ctx, call.func, new_func, f"Replace `{spelled}` with `{new_func}`")
        reason = "without a Loader" if loader is None else f"with `Loader={ctx.segment(loader)}`"
        full = loader is not None and (ctx.facts.qualname(loader) or "").rsplit(".", 1)[-1] == "FullLoader"
        yield yaml_unsafe_load.finding(
            ctx,
            call,
            f"`{spelled}` {reason} can construct arbitrary Python objects from the input; "
            f"use `{_YAML_LOAD[name]}` or `Loader=yaml.SafeLoader`",
            severity=MEDIUM if full else None,
            fix=fix,
        )
    for name, call in ctx.facts.calls_to(*_YAML_DATA_ONLY):
        ctx.judged(name, call, Judgement.DATA_ONLY)
    for name, call in ctx.facts.calls_to(*_YAML_ALWAYS_UNSAFE):
        spelled = ctx.facts.spelled(call.func)
        severity = MEDIUM if name.startswith("yaml.full_load") else HIGH
        yield yaml_unsafe_load.finding(
            ctx,
            call,
            f"`{spelled}` can construct Python objects from the input; use `yaml.safe_load`",
            severity=severity,
        )


_PICKLE_LIKE = {
    "pickle.load": "pickle",
    "pickle.loads": "pickle",
    "pickle.Unpickler": "pickle",
    "_pickle.load": "pickle",
    "_pickle.loads": "pickle",
    "cPickle.load": "pickle",
    "cPickle.loads": "pickle",
    "pickle._Unpickler": "pickle",
    "_pickle.Unpickler": "pickle",
    "dill.load": "dill",
    "dill.loads": "dill",
    "dill.Unpickler": "dill",
    "cloudpickle.load": "pickle",
    "cloudpickle.loads": "pickle",
    "shelve.open": "shelve",
    "shelve.DbfilenameShelf": "shelve",
    "jsonpickle.decode": "jsonpickle",
    "jsonpickle.unpickler.decode": "jsonpickle",
    "jsonpickle.unpickler.Unpickler": "jsonpickle",
    "pandas.read_pickle": "pickle",
    "joblib.load": "pickle",
    "torch.load": "pickle",
    "torch.serialization.load": "pickle",
    "numpy.load": "pickle",
}


@rule(
    id="SR402",
    name="pickle-load",
    cwe=502,
    severity=MEDIUM,
    confidence=HIGH,
    bandit=("B301", "B403", "B614"),
    ruff=("S301", "S403"),
    summary="Unpickling (`pickle`, `dill`, `shelve`, `jsonpickle`, `torch.load`, ...) executes code "
    "chosen by whoever wrote the data.",
    why="A pickle stream is a small program: the `REDUCE` opcode calls any importable callable with "
    "any arguments. Loading a pickle from a file, socket, cache or upload that an attacker can "
    "influence is remote code execution.",
    bad="import pickle\nsession = pickle.loads(cookie_bytes)",
    good="import json\nsession = json.loads(cookie_bytes)  # data only\n"
    "# if the bytes must be pickles, authenticate them first (hmac.compare_digest on a signature)",
)
def pickle_load(ctx: RuleContext) -> Iterator[Finding]:
    for name, call in ctx.facts.calls_to(*_PICKLE_LIKE):
        if name == "numpy.load":
            allow = keyword_value(call, "allow_pickle")
            if not (isinstance(allow, ast.Constant) and allow.value is True):
                continue
        if name in ("torch.load", "torch.serialization.load"):
            weights_only = keyword_value(call, "weights_only")
            if isinstance(weights_only, ast.Constant) and weights_only.value is True:
                continue
        spelled = ctx.facts.spelled(call.func)
        advice = (
            "pass `weights_only=True` (or load `safetensors`)"
            if name.startswith("torch.")
            else "load only data you wrote and authenticated, or use a data-only format such as JSON"
        )
        yield pickle_load.finding(
            ctx,
            call,
            f"`{spelled}` deserializes with {_PICKLE_LIKE[name]}, which runs code embedded in the data; {advice}",
        )

