"""Stack traces sent to the client (SR822, CWE-209): the taint class, its sources and its sinks.

A formatted traceback is data for this class only: everywhere else (a log line, a query, a
command) the analysis treats it as the program's own text. Its sinks are what a request handler
sends back: the returned body of a view (JSON included), response objects, JSON and template
responses, HTTP errors carrying a description. Plain data; ``taint_tables`` merges it into the spec.
"""

from __future__ import annotations

from collections.abc import Callable

from ..engine.finding import Level
from ..engine.taint import SinkSpec, TaintClass

TRACE = "stack-trace"

TRACE_CLASS = TaintClass(
    TRACE,
    cwe=209,
    title="stack trace exposed to the client",
    rule_id="SR822",
    rule_name="stack-trace-exposure",
    summary="A formatted traceback is sent back in an HTTP response.",
    why="A traceback names the server's files, folders, library versions, the code of the failing lines "
    "and often values of the request or the configuration: a map for the next attack, handed out by "
    "any request that makes the code fail. Log the traceback (`logger.exception(...)`) and answer "
    "with a generic message (an error id the log also holds helps support). Sources: "
    "`traceback.format_exc()`, `format_exception`, `format_tb`, `format_stack`, `format_list`, "
    "`extract_tb` / `extract_stack`, `TracebackException`, `cgitb.html` / `cgitb.text`, and a buffer "
    "`traceback.print_exc(file=buffer)` (`print_exception`, `print_tb`, `print_stack`) wrote to. "
    "Sinks: what a Flask, Quart, Bottle or FastAPI view or a WSGI application returns (a JSON body "
    "too), response objects (Flask/Werkzeug, Django, Starlette, aiohttp, Pyramid, Bottle, Sanic, "
    "Django REST framework), `jsonify`, `JsonResponse`, template context (`render_template(..., "
    "error=tb)`: escaping keeps it from being markup, not from being read), Tornado's `self.write` / "
    "`finish` / `render`, `abort(500, description)`, `HTTPException(detail=...)`. Not reported: a "
    "traceback only logged, printed or written to a file; one sent only where a debug or development "
    "setting is on or to administrators (the branch of `if app.debug:`, `if settings.DEBUG:`, "
    '`if config.get("SHOW_STACKTRACE")`, `if current_user.is_admin:`, a view only administrators '
    "open); the message of an exception alone (`str(exc)`, `exc.args`), which is often the intended "
    "error text.",
    bad="try:\n    result = process(request.get_json())\nexcept Exception:\n"
    "    return jsonify(error=traceback.format_exc()), 500",
    good="try:\n    result = process(request.get_json())\nexcept Exception:\n"
    '    log.exception("processing failed")\n    return jsonify(error="internal error"), 500',
    severity=Level.MEDIUM,
    confidence=Level.HIGH,
    aliases=("trace", "traceback", "stacktrace", "cwe-209"),
    served_only=True,
    own_sources_only=True,
)

# Calls whose result is (or formats into) the frames of a traceback or of the running stack.
TRACE_SOURCES = (
    *(f"traceback.{name}" for name in ("format_exc", "format_exception", "format_tb", "format_stack",
                                       "format_list", "extract_tb", "extract_stack", "TracebackException",
                                       "TracebackException.from_exception", "StackSummary.extract")),
    "cgitb.html",
    "cgitb.text",
)  # fmt: skip
# Calls printing a traceback into the file object given as ``file=``.
TRACE_FILE_SOURCES = frozenset(
    f"traceback.{name}" for name in ("print_exc", "print_exception", "print_tb", "print_stack", "print_last")
)

_BODY = "HTTP response body"
# The view's returned value, whatever its content type.
TRACE_BODY_SINKS = (SinkSpec(TRACE, "return", "HTTP response body returned from a view"),)


def trace_sinks(add: Callable[[SinkSpec], None]) -> None:
    """Calls whose arguments are sent to the client."""

    def body(names: tuple[str, ...], args: tuple[tuple[int, str | None], ...], what: str = _BODY) -> None:
        for name in names:
            add(SinkSpec(TRACE, name, what, args, clean_result=True))

    def every(names: tuple[str, ...], what: str = _BODY) -> None:
        for name in names:
            add(SinkSpec(TRACE, name, what, mode="all-args", clean_result=True))

    werkzeug = ("flask.Response", "flask.wrappers.Response", "werkzeug.Response", "werkzeug.wrappers.Response",
                "quart.Response", "quart.wrappers.Response")  # fmt: skip
    body(werkzeug, ((0, "response"),))
    every(("flask.make_response", "quart.make_response", "flask.jsonify", "quart.jsonify"))
    every(("flask.render_template", "quart.render_template", "flask.render_template_string",
           "quart.render_template_string", "bottle.template", "aiohttp_jinja2.render_template"),
          "template rendered into the response")  # fmt: skip
    body(("flask.abort", "werkzeug.exceptions.abort", "quart.abort"), ((1, "description"),), "HTTP error description")
    body(
        tuple(f"werkzeug.exceptions.{cls}" for cls in ("HTTPException", "InternalServerError", "BadRequest")),
        ((0, "description"),),
        "HTTP error description",
    )
    django = tuple(
        f"{module}.{cls}"
        for module in ("django.http", "django.http.response")
        for cls in ("HttpResponse", "HttpResponseServerError", "HttpResponseBadRequest", "HttpResponseNotFound",
                    "HttpResponseForbidden")
    )  # fmt: skip
    body(django, ((0, "content"),))
    body(("django.http.JsonResponse", "django.http.response.JsonResponse", "rest_framework.response.Response"),
         ((0, "data"),))  # fmt: skip
    body(("django.shortcuts.render", "django.shortcuts.render_to_response"), ((2, "context"), (1, "context")),
         "template rendered into the response")  # fmt: skip
    starlette = tuple(
        f"{package}.responses.{cls}"
        for package in ("starlette", "fastapi")
        for cls in ("Response", "HTMLResponse", "JSONResponse", "PlainTextResponse", "ORJSONResponse")
    )
    body(starlette, ((0, "content"),))
    body(("fastapi.HTTPException", "starlette.exceptions.HTTPException"), ((1, "detail"),), "HTTP error detail")
    body(("aiohttp.web.Response", "aiohttp.web_response.Response"), ((99, "text"), (0, "body")))
    body(("aiohttp.web.json_response", "aiohttp.web_response.json_response"), ((0, "data"),))
    every(tuple(f"aiohttp.web.{cls}" for cls in ("HTTPInternalServerError", "HTTPBadRequest")), "HTTP error body")
    every(("pyramid.response.Response", "webob.Response", "webob.response.Response"))
    body(("bottle.HTTPResponse",), ((0, "body"),))
    body(("bottle.HTTPError",), ((1, "body"),), "HTTP error body")
    body(tuple(f"sanic.response.{fn}" for fn in ("text", "json", "html", "raw")), ((0, "body"),))
    body(("tornado.handler.write", "tornado.handler.finish"), ((0, "chunk"),))
    every(("tornado.handler.render", "tornado.handler.render_string"), "template rendered into the response")
    body(("http.server.handler.wfile.write",), ((0, "b"),))
