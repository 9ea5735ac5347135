"""Cross-origin requests with credentials allowed from any origin (SR608).

A browser sends a site's cookies with a cross-origin request only when the response names the
requesting origin and allows credentials; ``*`` with credentials is refused by browsers, so the
CORS libraries answer "any origin with credentials" by echoing back whatever ``Origin`` the
request carried. Every web page a logged-in user visits can then read the API's responses in
that user's name. Reported where one configuration allows both: flask-cors (``CORS(...)``,
``@cross_origin(...)``) with credentials and its default or a wildcard origin, Starlette/FastAPI's
``CORSMiddleware`` with ``allow_credentials=True`` and ``"*"`` or a match-all origin pattern, and
django-cors-headers settings allowing all origins next to ``CORS_ALLOW_CREDENTIALS = True``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ..engine.facts import keyword_value
from ..engine.finding import Finding
from .base import HIGH, MEDIUM, RuleContext, rule
from .judge import file_name_words

_FLASK_CORS = ("flask_cors.CORS", "flask_cors.cross_origin")
_STARLETTE_CORS = frozenset({"starlette.middleware.cors.CORSMiddleware", "fastapi.middleware.cors.CORSMiddleware"})
_MATCH_ALL = frozenset({"*", ".*", "^.*$", ".+", "^.+$", r"https?://.*", r"^https?://.*$"})
_DJANGO_ALL = ("CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL")
# Words of a file name for a developer's own machine (``settings/dev.py``, ``local_settings.py``).
_DEVELOPMENT_WORDS = frozenset({"dev", "local", "develop", "development", "debug"})


def _development_module(path: str) -> bool:
    return bool(_DEVELOPMENT_WORDS & file_name_words(path))


def _true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _any_origin(node: ast.expr | None, *, default: bool) -> bool:
    """Whether an origins setting admits every origin: ``"*"``, a match-all pattern, or a list
    holding one; ``default`` when it is not given."""
    if node is None:
        return default
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value.strip() in _MATCH_ALL
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return any(_any_origin(item, default=False) for item in node.elts)
    return False


def _resources_any_origin(resources: ast.Dict) -> bool:
    """Whether a flask-cors ``resources={pattern: {"origins": ...}}`` lets some resource be
    called from any origin (an options dict without ``origins`` takes the default ``*``)."""
    for options in resources.values:
        if not isinstance(options, ast.Dict):
            return False  # not written out here
        given = {key.value: value for key, value in zip(options.keys, options.values, strict=False)
                 if isinstance(key, ast.Constant)}  # fmt: skip
        if _any_origin(given.get("origins"), default=True):
            return True
    return False


def _flask_cors(ctx: RuleContext) -> Iterator[tuple[ast.AST, str]]:
    for _, call in ctx.facts.calls_to(*_FLASK_CORS):
        if not _true(keyword_value(call, "supports_credentials")):
            continue
        origins = keyword_value(call, "origins")
        resources = keyword_value(call, "resources")
        if origins is None and resources is not None:
            if not isinstance(resources, ast.Dict) or not _resources_any_origin(resources):
                continue  # origins per resource, none of them any origin (or not written here)
        elif origins is None and "CORS_ORIGINS" in ctx.source.text:
            continue  # origins set in the application's configuration
        if _any_origin(origins, default=True):
            spelled = ctx.facts.spelled(call.func)
            how = "no `origins=` (flask-cors defaults to `*`)" if origins is None else "a wildcard `origins=`"
            yield call, f"`{spelled}` allows credentials with {how}"


def _starlette(ctx: RuleContext) -> Iterator[tuple[ast.AST, str]]:
    for call in ctx.facts.method_calls("add_middleware"):
        assert isinstance(call, ast.Call)
        if not call.args or ctx.facts.qualname(call.args[0]) not in _STARLETTE_CORS:
            continue
        if not _true(keyword_value(call, "allow_credentials")):
            continue
        origins = keyword_value(call, "allow_origins")
        pattern = keyword_value(call, "allow_origin_regex")
        if _any_origin(origins, default=False) or _any_origin(pattern, default=False):
            yield call, "`CORSMiddleware` allows credentials from every origin"


def _module_constant(ctx: RuleContext, name: str) -> ast.Assign | None:
    for statement in ctx.facts.tree.body:
        if isinstance(statement, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == name for target in statement.targets
        ):
            return statement
    return None


def _django_settings(ctx: RuleContext) -> Iterator[tuple[ast.AST, str]]:
    credentials = _module_constant(ctx, "CORS_ALLOW_CREDENTIALS")
    if credentials is None or not _true(credentials.value):
        return
    for name in _DJANGO_ALL:
        allow_all = _module_constant(ctx, name)
        if allow_all is not None and _true(allow_all.value):
            yield allow_all, f"`{name} = True` with `CORS_ALLOW_CREDENTIALS = True`"


@rule(
    id="SR608",
    name="cors-any-origin-with-credentials",
    cwe=942,
    severity=MEDIUM,
    confidence=HIGH,
    scope="module",  # Django's two settings may sit anywhere in the module
    summary="Cross-origin requests carrying the user's cookies are allowed from every origin.",
    why="Browsers refuse `Access-Control-Allow-Origin: *` together with credentials, so a CORS "
    "library told to allow any origin with credentials echoes back whatever `Origin` the request "
    "carries: every web page a logged-in user opens can then call the API with the user's cookies "
    "and read the answers (account data, CSRF tokens), as if it were the application. List the "
    "origins that may call with credentials, or drop credentials for public endpoints. Reported for "
    "flask-cors (`CORS(app, supports_credentials=True)` without `origins=`, or with `*` or a "
    "match-all pattern; `@cross_origin` likewise), Starlette/FastAPI `CORSMiddleware` with "
    '`allow_credentials=True` and `allow_origins=["*"]` or a match-all `allow_origin_regex`, and '
    "django-cors-headers settings `CORS_ALLOW_ALL_ORIGINS = True` (or `CORS_ORIGIN_ALLOW_ALL`) beside "
    "`CORS_ALLOW_CREDENTIALS = True`. Any origin without credentials (a public API), origins set per "
    "resource or in the application's configuration, and modules named for a developer's machine "
    "(`settings/dev.py`, `local_settings.py`) are not reported.",
    bad="from flask_cors import CORS\nCORS(app, supports_credentials=True)",
    good='from flask_cors import CORS\nCORS(app, origins=["https://app.example.com"], supports_credentials=True)',
    triggers=("CORS",),
)
def cors_any_origin_with_credentials(ctx: RuleContext) -> Iterator[Finding]:
    if _development_module(ctx.path):
        return  # a developer's own settings: the local front end on another port
    for node, what in (*_flask_cors(ctx), *_starlette(ctx), *_django_settings(ctx)):
        yield cors_any_origin_with_credentials.finding(
            ctx,
            node,
            f"{what}: the response echoes any requesting origin, so every web page can read it with the "
            "user's cookies; list the allowed origins",
        )
