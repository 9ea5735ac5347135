"""Taint classes, sources and sinks as data (sanitizers in ``taint_sanitizers``), and the spec the engine runs on.

Every table here is plain data; ``build_spec(config)`` turns it (plus the
``[tool.secreview.taint]`` extensions) into the engine's ``TaintSpec``.
``TAINT_CLASSES`` has one row per taint class: its CWE, title, rule and docs, and what makes a
value harmless for it. Classes: sql, command, code, path, ssrf, xss, redirect, ldap, xpath,
deserialization, xxe, header, log, trust-boundary, regex; ``taint_extra`` adds file-probe, nosql
and template, ``taint_traces`` stack-trace.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import lru_cache

from ..engine.finding import Level
from ..engine.taint import (
    AFTER_BASE_SEPARATOR,
    AFTER_FIXED_HOST,
    AFTER_FIXED_PATH,
    COMPUTED_BY_CALL,
    FOUND_BY_KEY,
    FOUND_IN_SESSION,
    HOST_ALLOWLISTED,
    INVOKING_USER_CHOSE,
    LINE_BREAKS_REMOVED,
    MARKUP_ESCAPED,
    OWN_REQUEST_URL,
    PAGE_CAME_FROM,
    PARENT_REFS_REJECTED,
    QUOTES_REJECTED,
    RETURNED_BY_PROGRAM_OBJECT,
    SHELL_SYNTAX_REJECTED,
    SinkSpec,
    StoreSink,
    TaintClass,
    TaintSpec,
)
from ..engine.taint.unmarking import UNMARKING_METHODS
from .taint_extra import (
    ATTRIBUTE_SANITIZERS,
    ATTRIBUTE_SINKS,
    AUTOESCAPE_SELECTORS,
    AUTOESCAPED_TEMPLATES,
    DOCUMENT_PARSERS,
    DOCUMENT_SOURCES,
    ENVIRONMENT_SETUPS,
    EXCEPTION_TEXT_CLASSES,
    EXTRA_CLASSES,
    EXTRA_STORE_SINKS,
    FILE_MAKERS,
    INLINE_TEMPLATES,
    METHOD_RETURN_SINKS,
    TEMPLATE_CONTEXTS,
    TEMPLATE_DECORATORS,
    TEMPLATE_ENVIRONMENTS,
    TEMPLATE_RENDERERS,
    extra_sinks,
)
from .taint_frameworks import (
    AIOHTTP_REQUEST_ATTRS,
    CAPTURING_HANDLERS,
    CLIENT_CONNECTIONS,
    DJANGO_REQUEST_ATTRS,
    ERROR_HANDLER_DECORATORS,
    EXTRA_CALL_SOURCES,
    EXTRA_HANDLER_BASES,
    EXTRA_OBJECT_KINDS,
    EXTRA_OBJECT_SOURCES,
    EXTRA_REQUEST_PARAMETERS,
    EXTRA_SOURCE_CLEANED_NO_BREAKS,
    HANDLER_OBJECTS,
    HTTP_SERVER_HANDLER_ATTRS,
    LINE_KEYS,
    REQUEST_ANNOTATIONS,
    REQUEST_GLOBALS,
    REQUEST_HOOKS,
    RESOLVER_DECORATORS,
    RESOLVER_MODULES,
    RESOLVER_NAMES,
    RESPONDER_CAPTURES,
    ROUTE_FUNCTIONS,
    SOCKETSERVER_HANDLER_ATTRS,
    STARLETTE_REQUEST_ATTRS,
    TORNADO_HANDLER_ATTRS,
    TORNADO_REQUEST_ATTRS,
    WEBOB_REQUEST_ATTRS,
)
from .taint_sanitizers import (
    BUFFER_KINDS,
    CLEAN_CALLS,
    CONTENT_ARGUMENTS,
    DECODERS,
    ENCODERS,
    EVERY_CLASS,
    GUARDS,
    MARKDOWN_RENDERERS,
    METHOD_SANITIZERS,
    NORETURN,
    PROPAGATORS,
    SANITIZERS,
    STRING_METHODS,
)
from .taint_source_cleaning import request_sources_cleaned
from .taint_traces import TRACE_BODY_SINKS, TRACE_CLASS, TRACE_FILE_SOURCES, TRACE_SOURCES, trace_sinks
from .user_settings import PREFERENCES

# -- taint classes ------------------------------------------------------------------------
# Local sources (the machine's user: argv, environment, stdin) are reported only where that user
# still crosses a boundary: a database or directory server, or a shell running with the program's
# rights (``reports_local_sources``). Running code or unpickling a file named on the command line
# is what such tools are for; a shell command built from the command line runs what its user typed
# (``INVOKING_USER_CHOSE``).

TAINT_CLASSES = (
    TaintClass(
        "sql",
        cwe=89,
        title="SQL injection",
        rule_id="SR801",
        rule_name="sql-injection",
        summary="Untrusted input reaches the text of an SQL query.",
        why="Text spliced into a query is parsed as SQL: a quote in the input ends the literal and the "
        "rest runs as the attacker's SQL (read other rows, bypass a login, drop tables). Placeholders "
        "send the value separately, so it is never parsed.",
        bad='name = request.args["name"]\ncursor.execute(f"SELECT * FROM users WHERE name = \'{name}\'")',
        good='name = request.args["name"]\ncursor.execute("SELECT * FROM users WHERE name = %s", (name,))',
        reports_local_sources=True,
        cleaned_by=frozenset({QUOTES_REJECTED}),
    ),
    TaintClass(
        "command",
        cwe=78,
        title="OS command injection",
        rule_id="SR802",
        rule_name="command-injection",
        summary="Untrusted input reaches a shell command or the program a process runs.",
        why="A shell interprets `;`, `|`, `$(...)` and backquotes in the input, so the attacker runs "
        "commands of their own. Pass an argument list without `shell=True` (the input is then one "
        "argument, never code), fix the program name, or quote with `shlex.quote`. The program's own "
        "command line (`sys.argv`, `parse_args()`) is not a source here: it is what the user running "
        "the program typed, and a shell the program runs has that user's rights (a server's command line "
        "is its operator's; the kernel ignores the set-user-ID bit of a script, so no Python program "
        "runs with rights its caller lacks). A parser handed to a function counts when every call in "
        "the module hands in a command-line parser. Environment variables and standard input stay "
        "sources (a CGI program receives request data there), except the user's own settings and "
        "folders (`EDITOR`, `PAGER`, `HOME`, `XDG_RUNTIME_DIR` and the other XDG base folders, "
        "systemd's `RUNTIME_DIRECTORY` ..., `TMPDIR`).",
        bad='host = request.args["host"]\nsubprocess.run(f"ping -c 1 {host}", shell=True)',
        good='host = request.args["host"]\nsubprocess.run(["ping", "-c", "1", "--", host])',
        aliases=("os", "cmd", "shell"),
        reports_local_sources=True,
        cleaned_by=frozenset({SHELL_SYNTAX_REJECTED, INVOKING_USER_CHOSE}),
    ),
    TaintClass(
        "code",
        cwe=94,
        title="code injection",
        rule_id="SR803",
        rule_name="code-injection",
        summary="Untrusted input is evaluated as Python code (or by a library evaluating Python-like expressions).",
        why="`eval`, `exec`, `compile` and expression evaluators (`PIL.ImageMath.eval`, `pandas.eval`, "
        "`DataFrame.query`, `numexpr`) fed with a request's text run whatever the attacker wrote, with "
        "the server's privileges. Parse data with `ast.literal_eval` or `json.loads`; compare against "
        "fixed expressions. Templates compiled from input are SR818.",
        bad='expr = request.args["expr"]\nresult = eval(expr)',
        good='import ast\nresult = ast.literal_eval(request.args["expr"])',
        aliases=("eval",),
        result_keeps_data=True,
    ),
    TaintClass(
        "path",
        cwe=22,
        title="path traversal",
        rule_id="SR804",
        rule_name="path-traversal",
        summary="Untrusted input chooses a file path that is opened, written or deleted.",
        why="`../` sequences or an absolute path in the input leave the intended folder: the attacker "
        "reads `/etc/passwd` or the application's secrets, or overwrites files. Keep only a base name "
        "(`werkzeug.utils.secure_filename`, `os.path.basename`, `name.replace('/', '_')` in a project's own "
        "file-name function, wherever it is called) or resolve the path and check it is "
        "still inside the base folder (`path.is_relative_to(base)`, `os.path.commonpath([path, base]) "
        "== base`; `os.path.commonprefix` compares text, not folders, and is no check). Input read in a view "
        "only administrators open (`@admin_required`, `@Permissions.ADMIN.require(403)`) is their own setting.",
        bad='name = request.args["file"]\nreturn open(os.path.join(UPLOADS, name)).read()',
        good='name = secure_filename(request.args["file"])\nreturn open(os.path.join(UPLOADS, name)).read()',
        aliases=("path-traversal", "file"),
        cleaned_by=frozenset({PARENT_REFS_REJECTED}),
    ),
    TaintClass(
        "ssrf",
        cwe=918,
        title="server-side request forgery",
        rule_id="SR805",
        rule_name="server-side-request-forgery",
        summary="Untrusted input chooses the URL (host) the server sends a request to.",
        why="The server can reach what the client cannot: cloud metadata endpoints, admin interfaces "
        "on localhost, internal services. Let the input choose only a path or a parameter under a "
        "fixed `https://host/`, or check the host against an allowlist. Input written after a base URL "
        'the program holds and a `/` (`f"{base_url}/{name}"`) is in that base\'s path and is not reported. The sender address '
        "`sock.recvfrom()` returns beside a datagram is no source: answering the sender is the protocol.",
        bad='url = request.args["url"]\nrequests.get(url, timeout=5)',
        good='item = request.args["item"]\nrequests.get(f"https://api.example.com/items/{item}", timeout=5)',
        # A request path after a fixed ``/name`` goes to the client's own ``base_url`` (or nowhere:
        # a client refuses a URL without a host); ``//host`` is not such a path. A value after a
        # leading value and a lone ``/`` (``f"{base_url}/{name}"``) is in the base's path, or, where
        # the base is empty, starts a URL without a scheme, which a client refuses too.
        cleaned_by=frozenset({AFTER_FIXED_HOST, AFTER_FIXED_PATH, AFTER_BASE_SEPARATOR, HOST_ALLOWLISTED}),
        served_only=True,
    ),
    TaintClass(
        "xss",
        cwe=79,
        title="cross-site scripting",
        rule_id="SR806",
        rule_name="cross-site-scripting",
        summary="Untrusted input is written into an HTML response without escaping.",
        why="Markup in the input runs as script in other users' browsers, in the site's origin: it reads "
        "their session, acts on their behalf. Render templates with autoescaping, or escape with "
        "`markupsafe.escape` / `html.escape`; never mark input as safe. Sinks: HTML responses and "
        "returned view bodies (Bottle's unless it declares another content type), Falcon's `resp.text` / "
        "`resp.body` / `resp.data` of an HTML response, template variables written with `|safe` (not "
        "`|tojson|safe` or `|e|safe`: that text was escaped before it was marked) or autoescape off (in template files, the path ends at that `{{ … }}` in the file that writes it, "
        "through the templates it is included in or that it extends and the macros it is passed to; in a "
        "Django `Template` built from constant text), and every variable of an HTML template rendered by a "
        "Jinja2 environment made without `autoescape` or with it false (`env.get_template(...).render(...)`, "
        "also through an environment of another module, a factory or a class attribute; aiohttp-jinja2 set up "
        "with `autoescape=False`, in the module or nearest it in the project; an `{% include %}` name that is "
        "a conditional, a list or a variable given a constant). docutils' `publish_parts` / `publish_string` carry only their "
        "`source` into the HTML (a `source_path` label does not reach it; reStructuredText source "
        "stays tainted: its links may point at `javascript:`). A Django helper taking the request "
        "first is a view whose other parameters are URL captures, except parameters named for the "
        "parts of `sys.exc_info()` (`exc_type`, `exc_value`, `tb`): an error page is handed a raised "
        "exception, not a URL. A template expression that calls the written value (`{{ field(**kwargs)|safe }}`) "
        "writes what the call returns, a form field's own escaped widget, not the value: request text "
        "cannot be called. "
        "A Flask/Werkzeug response given a type other than HTML where it is made "
        "(`mimetype=`, `content_type=`, a literal headers mapping) or in the statements right after "
        '(`resp.headers["Content-Type"] = ...`, `resp.mimetype = ...`, not on one branch only nor '
        "after a `return`) is not rendered as HTML. `Markup(text).unescape()` and `.striptags()` trust "
        "nothing as markup: they give plain text back, checked where it is written. Markdown rendered from input "
        "keeps its HTML and links unless the renderer escapes (`markdown.markdown`, whose `safe_mode` is ignored "
        "since Python-Markdown 3.0, `markdown2.markdown` without `safe_mode`, `mistune.html`, "
        "`mistune.markdown(..., escape=False)`; an extension of the program may clean).",
        bad='name = request.args["name"]\nreturn f"<h1>Hello {name}</h1>"',
        good='name = request.args["name"]\nreturn render_template("hello.html", name=name)',
        aliases=("html",),
        result_keeps_data=True,
        cleaned_by=frozenset({MARKUP_ESCAPED}),
        served_only=True,
    ),
    TaintClass(
        "redirect",
        cwe=601,
        title="open redirect",
        rule_id="SR807",
        rule_name="open-redirect",
        summary="Untrusted input chooses where the user is redirected.",
        why="A link on the trusted domain that forwards to any site is the phishing page's best friend "
        "(and can leak OAuth codes). Redirect to internal routes (`url_for`), or check the target with "
        "`url_has_allowed_host_and_scheme` (a true result of the program's own check named for it, "
        "`is_safe_url(target)` / `url_is_safe(target)` / `client.allow_redirect_uri(target)` / `validate_local_redirect(target, paths)`, "
        "also vouches for the URL). Sinks: redirect calls and responses, a hand-written `Location` header, and what a Django `RedirectView`'s "
        "`get_redirect_url` returns. Input written after the `?` or `#` of a URL whose part before it carries no outside data (`f\"{reverse('x')}?{q}\"`, "
        '`url += "?" + q`, `reverse("x") + "?" + q`, the query or fragment given to `urlunparse`/`urlunsplit`) only fills the query string, and input '
        'after a fixed `/name` behind the app\'s own root (`f"{request.script_root}/app/{x}"`) only the '
        "path: neither is reported. Nor is a URL a method of a program object returns when the input is "
        "only among its arguments (`task.on_action(user, **form.cleaned_data)`): the object computes it. "
        "Nor is an object given to Django's `redirect()` (the record a form's `save()` returned, an object "
        "whose fields the view set): Django sends its `get_absolute_url()`. "
        "Nor is a redirect back to the request's `Referer` (`request.referrer`, `headers['Referer']`, "
        "`environ['HTTP_REFERER']`): the browser sends the page it came from, which another site can make its own only for the visitors it sent.",
        bad='return redirect(request.args["next"])',
        good='target = request.args.get("next", "")\n'
        "if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):\n"
        '    target = "/"\nreturn redirect(target)',
        severity=Level.MEDIUM,
        aliases=("open-redirect",),
        cleaned_by=frozenset(
            {AFTER_FIXED_HOST, AFTER_FIXED_PATH, HOST_ALLOWLISTED, RETURNED_BY_PROGRAM_OBJECT, PAGE_CAME_FROM}
        ),
        served_only=True,
    ),
    TaintClass(
        "ldap",
        cwe=90,
        title="LDAP injection",
        rule_id="SR808",
        rule_name="ldap-injection",
        summary="Untrusted input is spliced into an LDAP search filter or base DN.",
        why="`*`, `(`, `)` and `\\` in the input change the filter: `*)(uid=*` lists every entry or "
        "bypasses a login check. Escape with `ldap.filter.escape_filter_chars`.",
        bad='user = request.args["user"]\nconn.search_s(BASE, ldap.SCOPE_SUBTREE, f"(uid={user})")',
        good="from ldap.filter import escape_filter_chars\n"
        'conn.search_s(BASE, ldap.SCOPE_SUBTREE, f"(uid={escape_filter_chars(user)})")',
        reports_local_sources=True,
    ),
    TaintClass(
        "xpath",
        cwe=643,
        title="XPath injection",
        rule_id="SR809",
        rule_name="xpath-injection",
        summary="Untrusted input is spliced into an XPath expression.",
        why="A quote in the input ends the literal and the rest is XPath: `' or '1'='1` selects every "
        "node. Pass values as XPath variables (`tree.xpath('//user[@name=$name]', name=name)`). "
        "ElementPath sinks are the `find`/`findall`/`iterfind`/`findtext` methods of elements, not "
        "the methods of those names on text, compiled regular expressions, JSONPath expressions "
        "(`jsonpath_ng.parse(p).find(document)`), BeautifulSoup trees or MongoDB collections, nor "
        "one given a dict (a query document, no path).",
        bad="name = request.args['name']\ntree.xpath(f\"//user[@name='{name}']\")",
        good="name = request.args['name']\ntree.xpath(\"//user[@name=$name]\", name=name)",
        reports_local_sources=True,
        cleaned_by=frozenset({QUOTES_REJECTED}),
    ),
    TaintClass(
        "deserialization",
        cwe=502,
        title="deserialization of untrusted data",
        rule_id="SR810",
        rule_name="untrusted-deserialization",
        summary="Untrusted bytes are deserialized with a format that can build arbitrary objects.",
        why="pickle, marshal, unsafe YAML and jsonpickle run constructors named by the data: loading "
        "what a client sent is remote code execution. Use JSON (or `yaml.safe_load`) for data that "
        "crosses a trust boundary.",
        bad="obj = pickle.loads(request.data)",
        good="obj = json.loads(request.data)",
        aliases=("pickle",),
        result_keeps_data=True,
    ),
    TaintClass(
        "xxe",
        cwe=611,
        title="XML external entity injection",
        rule_id="SR811",
        rule_name="xml-external-entities",
        summary="Untrusted XML is parsed by lxml with entity resolution on.",
        why='An external entity (`<!ENTITY x SYSTEM "file:///etc/passwd">`) makes the parser read '
        "local files into the document, or fetch URLs. Parse with "
        "`etree.XMLParser(resolve_entities=False, no_network=True)` or use `defusedxml`.",
        bad="doc = etree.fromstring(request.data)",
        good="parser = etree.XMLParser(resolve_entities=False, no_network=True)\n"
        "doc = etree.fromstring(request.data, parser)",
        aliases=("xml",),
        result_keeps_data=True,
    ),
    TaintClass(
        "header",
        cwe=113,
        title="HTTP header injection",
        rule_id="SR812",
        rule_name="http-header-injection",
        summary="Untrusted input is written into an HTTP response header.",
        why="A CR/LF in the value ends the header and starts new ones (or the body): the attacker sets "
        "cookies, splits the response, poisons caches. Reject or strip `\\r` and `\\n`, or allow only "
        "known values. Reported where nothing on the way refuses a line break: `http.server`'s "
        "`send_header`, a WSGI application's own `start_response`, and the response headers of "
        "Starlette/FastAPI, Falcon, Pyramid and Sanic (whether the server refuses depends on which one "
        "runs it). Werkzeug (Flask, Quart), Django, Tornado, Bottle and aiohttp raise an error for a "
        "header value holding a line break: no header can be injected through their responses.",
        bad='name = parse_qs(urlsplit(self.path).query)["name"][0]\nself.send_header("X-Name", name)',
        good='name = parse_qs(urlsplit(self.path).query)["name"][0]\n'
        'self.send_header("X-Name", name.replace("\\r", "").replace("\\n", ""))',
        severity=Level.MEDIUM,
        cleaned_by=frozenset({LINE_BREAKS_REMOVED}),
        served_only=True,
    ),
    TaintClass(
        "log",
        cwe=117,
        title="log injection",
        rule_id="SR813",
        rule_name="log-injection",
        summary="Untrusted input is written to a log without neutralizing line breaks.",
        why="A newline in the input forges whole log entries (a fake successful login, a fake admin "
        "action) and misleads whoever reads or parses the log. Strip or escape `\\r`/`\\n` first, or "
        "log `repr(value)`. A program that installs a log formatter cleaning the line breaks of every message "
        "(a `logging.Formatter` subclass whose `format` replaces them, named in `dictConfig` or given to "
        "`setFormatter`) is judged after it: only the `%`-arguments merged into the message stay sinks. "
        "What cannot hold a line break is no source: a value written with `%r` (in the log call or a "
        "`%` template), `repr()`, `pprint.pformat()` or `reprlib.repr()`; a dict, list or tuple built in the function, a JSON object "
        "read by key (`doc.get(...)`) or a FastAPI request model parameter written whole (message, `%s` argument, `str()`, `{}`, f-string: "
        'items as their `repr`; also where a function it is handed to writes it whole in an f-string); a number written with `%d`/`%f`; a piece of `splitlines()` or `split("\\n")` (not the rest after a '
        "`maxsplit`); a webhook body read after a signature check the handler makes as a statement (`check_stripe_signature(payload, sig, "
        "secret)` raises on a wrong signature); a key a lookup by equality found, and the record it found, where the "
        "lookup's result was checked (`user = find_user(name)` then `if user is not None:`, a `get_…_by_id` call, "
        "`[p for p in plugins if p.id == name]` not empty, `Model.query.filter_by(name=name).first()` not `None`, "
        "`handler = HANDLERS[name]` in a `try` whose `except KeyError` leaves, on a table the program filled and not a "
        "`defaultdict`): the value equals a key the program stored; a path an existence check found "
        "(`if os.path.isfile(path):`, `path.exists()`); a value a test proved equal to a value of the program "
        '(`if order_id == request.session.get("order_id"):`, a digest it computed); '
        "a JSON body a helper moved entries into and returned, "
        "written whole (the entries are items, shown as their `repr`); the request line's and the Host header's text in Tornado "
        "(`self.request.path`, `uri`, `query`, `host`: the raw request-target, never percent-decoded); and the request line's tokens of a WSGI environment (`REQUEST_METHOD`, `SERVER_PROTOCOL`; `REMOTE_ADDR` and "
        "other entries the client does not fill are the server's), also read by a function it is handed to.",
        bad='logger.info("login failed for %s", request.form["user"])',
        good='user = request.form["user"].replace("\\n", "\\\\n").replace("\\r", "\\\\r")\n'
        'logger.info("login failed for %s", user)',
        severity=Level.LOW,
        confidence=Level.MEDIUM,
        cleaned_by=frozenset({LINE_BREAKS_REMOVED, FOUND_BY_KEY}),
    ),
    TaintClass(
        "trust-boundary",
        cwe=501,
        title="trust boundary violation",
        rule_id="SR814",
        rule_name="trust-boundary-violation",
        summary="Untrusted input is stored in the server-side session, where it is later trusted.",
        why="Code that reads the session assumes the server put the values there: an unchecked request "
        "value stored as `session['role']` or `session['user_id']` becomes an identity or a privilege. "
        "Validate (or look up) the value before it crosses into the session. The URL or path of the "
        "request being served (`request.url`, `request.full_path`, kept to navigate back) is a page of "
        "this site the application routed, not a value the client hands it to keep. A value the session "
        'already holds (`if cart_id in session["carts"]:`), or an entry read from it (here or in a function the '
        "request is handed to), kept under another key of it moves nothing across.",
        bad='session["user"] = request.args["user"]',
        good='user = User.query.filter_by(name=request.form["user"]).first_or_404()\nsession["user_id"] = user.id',
        severity=Level.MEDIUM,
        confidence=Level.MEDIUM,
        aliases=("trust_boundary", "session"),
        served_only=True,
        cleaned_by=frozenset({COMPUTED_BY_CALL, OWN_REQUEST_URL, FOUND_IN_SESSION}),
    ),
)

TAINT_CLASSES += (
    TaintClass(
        "regex",
        cwe=1333,
        title="regular expression injection",
        rule_id="SR815",
        rule_name="regex-injection",
        summary="Untrusted input is compiled as a regular expression.",
        why="A pattern chosen by the client can backtrack for minutes on a short string (`(a+)+$`, "
        "ReDoS: one request ties up a worker) and changes what the check matches. Escape the input "
        "with `re.escape` to search for it literally, or match it against a fixed pattern.",
        bad='pattern = request.args["q"]\nmatches = [n for n in names if re.search(pattern, n)]',
        good='pattern = re.escape(request.args["q"])\nmatches = [n for n in names if re.search(pattern, n)]',
        severity=Level.MEDIUM,
        aliases=("redos", "regexp"),
        result_keeps_data=True,  # ``re.sub``/``re.split``/``re.findall`` give back the searched text
    ),
)

TAINT_CLASSES += EXTRA_CLASSES
TAINT_CLASSES += (TRACE_CLASS,)

CLASSES_BY_ID = {row.id: row for row in TAINT_CLASSES}
CLASS_TITLES = {row.id: row.title for row in TAINT_CLASSES}
CLASS_ALIASES = {alias: row.id for row in TAINT_CLASSES for alias in row.aliases}


def _cleaned_by(behaviour: str) -> frozenset[str]:
    return frozenset(row.id for row in TAINT_CLASSES if behaviour in row.cleaned_by)


# -- sources ------------------------------------------------------------------------------

# Request objects: a qualified name that *is* a request, and which of its attributes carry
# data the client chose.
FLASK_REQUEST_ATTRS = (
    "args", "form", "values", "json", "get_json", "data", "get_data", "cookies", "headers",
    "files", "view_args", "stream", "query_string", "environ", "url", "full_path", "path",
    "base_url", "url_root", "referrer", "user_agent",
)  # fmt: skip
SOURCE_CLEANED = request_sources_cleaned(_cleaned_by)
OBJECT_KINDS = {
    "flask.request": "flask.request",
    "quart.request": "flask.request",
    "werkzeug.local.request": "flask.request",
}
# WSGI environ entries the client's request fills in (``HTTP_*`` headers and the request line);
# the rest of ``request.META`` is the server's and the middleware's (``REMOTE_ADDR``,
# ``SERVER_PORT``, ``CSRF_COOKIE``).
_CLIENT_ENVIRON = ("HTTP_", "CONTENT_TYPE", "CONTENT_LENGTH", "QUERY_STRING", "PATH_INFO", "REQUEST_URI",
                   "RAW_URI", "REQUEST_METHOD", "SERVER_NAME", "REMOTE_HOST", "REMOTE_USER", "SERVER_PROTOCOL",
                   "SCRIPT_NAME")  # fmt: skip
CLIENT_KEYS = {f"{kind}.META": _CLIENT_ENVIRON for kind in ("django.request", "django.view.request")}
CLIENT_KEYS["wsgi.environ"] = _CLIENT_ENVIRON  # a WSGI application's ``environ`` parameter
OBJECT_SOURCES = {
    "flask.request": frozenset(FLASK_REQUEST_ATTRS),
    "django.request": frozenset(DJANGO_REQUEST_ATTRS),
    "starlette.request": frozenset(STARLETTE_REQUEST_ATTRS),
    "aiohttp.request": frozenset(AIOHTTP_REQUEST_ATTRS),
    "webob.request": frozenset(WEBOB_REQUEST_ATTRS),
    "http.server.handler": frozenset(HTTP_SERVER_HANDLER_ATTRS),
    "socketserver.handler": frozenset(SOCKETSERVER_HANDLER_ATTRS),
    "tornado.handler": frozenset(TORNADO_HANDLER_ATTRS),
    "tornado.handler.request": frozenset(TORNADO_REQUEST_ATTRS),
}
HANDLER_BASES = {
    "http.server.BaseHTTPRequestHandler": "http.server.handler",
    "http.server.SimpleHTTPRequestHandler": "http.server.handler",
    "http.server.CGIHTTPRequestHandler": "http.server.handler",
    "socketserver.StreamRequestHandler": "socketserver.handler",
    "socketserver.DatagramRequestHandler": "socketserver.handler",
    "tornado.web.RequestHandler": "tornado.handler",
}
# Parameters annotated with a client class hold what the class's constructor (or connect
# function) makes: ``def fetch(session: requests.Session, url)`` sends ``session.get(url)``.
ANNOTATED_KINDS = {
    "requests.Session": "requests.Session()", "requests.sessions.Session": "requests.Session()",
    "httpx.Client": "httpx.Client()", "httpx.AsyncClient": "httpx.AsyncClient()",
    "aiohttp.ClientSession": "aiohttp.ClientSession()", "aiohttp.client.ClientSession": "aiohttp.ClientSession()",
    "asyncpg.Connection": "asyncpg.connect()", "asyncpg.connection.Connection": "asyncpg.connect()",
    "asyncpg.Pool": "asyncpg.create_pool()", "asyncpg.pool.Pool": "asyncpg.create_pool()",
}  # fmt: skip
# A view's first parameter named ``request`` (or ``req``) in a module importing one of these.
REQUEST_PARAMETERS = (
    ("starlette", "starlette.request"),
    ("fastapi", "starlette.request"),
    ("aiohttp", "aiohttp.request"),
    ("pyramid", "webob.request"),
    ("webob", "webob.request"),
)
OBJECT_KINDS.update(EXTRA_OBJECT_KINDS)
OBJECT_SOURCES.update(EXTRA_OBJECT_SOURCES)
HANDLER_BASES.update(EXTRA_HANDLER_BASES)
REQUEST_PARAMETERS += EXTRA_REQUEST_PARAMETERS
SOURCE_CLEANED.update(
    {
        f"{kind}.{attr}": _cleaned_by(LINE_BREAKS_REMOVED)
        for kind, attrs in EXTRA_SOURCE_CLEANED_NO_BREAKS
        for attr in attrs
    }
)
# Values that are untrusted by themselves (local: the machine's user chose them).
ATTR_SOURCES = {
    "sys.argv": "local",
    "os.environ": "local",
    "os.environb": "local",
    "sys.stdin": "local",
}
CALL_SOURCES = {
    **EXTRA_CALL_SOURCES,
    **{name: "remote" for name in TRACE_SOURCES},
    "builtins.input": "local",
    "os.getenv": "local",
    "os.getenvb": "local",
    "fileinput.input": "local",
    "getpass.getuser": "local",
}
# The program's command line: the invoking user's own words (not an injection into a shell the
# program runs with that user's rights, ``INVOKING_USER_CHOSE``).
COMMAND_LINE_SOURCES = frozenset({"sys.argv", "parse_args", "parse_known_args"})
METHOD_SOURCES = {
    "recv": "remote",
    "recvfrom": "remote",
    "recvmsg": "remote",
    "parse_args": "local",
    "parse_known_args": "local",
}
ROUTE_DECORATORS = frozenset(
    {"route", "get", "post", "put", "delete", "patch", "head", "options", "api_route", "websocket"}
)
CLEAN_CONVERTERS = frozenset({"int", "float", "uuid"})
# A FastAPI parameter annotated as a mapping (or given ``Body()`` without a text annotation) is
# the JSON object the client sent: its values may be documents (``{"$ne": null}``), not text.
DOCUMENT_ANNOTATIONS = frozenset(
    {"dict", "typing.Dict", "typing.Mapping", "typing.MutableMapping", "collections.abc.Mapping",
     "collections.abc.MutableMapping"}
)  # fmt: skip
DOCUMENT_MARKERS = frozenset({"fastapi.Body", "fastapi.params.Body"})
CLEAN_ANNOTATIONS = frozenset(
    {
        "int", "float", "bool", "complex", "uuid.UUID", "datetime.datetime", "datetime.date",
        "datetime.time", "datetime.timedelta", "decimal.Decimal", "pydantic.PositiveInt",
        "pydantic.conint", "fastapi.BackgroundTasks", "fastapi.Response", "starlette.responses.Response",
        "fastapi.responses.Response", "sqlalchemy.orm.Session", "sqlalchemy.orm.session.Session",
        "list", "typing.List",
    }
)  # fmt: skip

# Modules whose presence makes ``<x>.headers`` a response's headers rather than a client's.
# Frameworks whose responses take a header value holding a line break as it is (SR812's why).
HEADER_FRAMEWORKS = ("fastapi", "starlette", "pyramid", "webob", "falcon", "sanic")
WEB_FRAMEWORKS = ("flask", "werkzeug", "django", "fastapi", "starlette", "quart", "tornado", "bottle", "pyramid",
                  "falcon", "aiohttp", "sanic")  # fmt: skip

# -- sinks ------------------------------------------------------------------------------

_SUBPROCESS = ("run", "call", "check_call", "check_output", "Popen")
_HTTP_VERBS = ("get", "post", "put", "patch", "delete", "head", "options")


def _sinks() -> list[SinkSpec]:
    sinks: list[SinkSpec] = []
    _injection_sinks(sinks.append)
    _file_web_and_network_sinks(sinks.append)
    _query_data_and_output_sinks(sinks.append)
    extra_sinks(sinks.append)
    trace_sinks(sinks.append)
    return sinks


# A receiver spelled with one of these is a database handle even where the module defines an
# ``execute`` method of its own (a data-access class wrapping a cursor).
_DATABASE_WORDS = ("cursor", "cur", "conn", "db", "database", "session", "engine", "sql", "query", "connection")


def _injection_sinks(add: Callable[[SinkSpec], None]) -> None:
    """SQL, OS command and code sinks."""
    # SQL (CWE-89): the query text, never the parameters.
    for method in ("execute", "executemany", "executescript"):
        add(
            SinkSpec(
                "sql", "." + method, "SQL query", ((0, "sql"), (0, "operation"), (0, "statement")),
                text_only=True, own_method_unless=_DATABASE_WORDS,
            )
        )  # fmt: skip
    for name in ("sqlalchemy.text", "sqlalchemy.sql.text", "sqlalchemy.sql.expression.text"):
        add(SinkSpec("sql", name, "SQL text", clean_result=True))
    add(SinkSpec("sql", ".raw", "raw SQL query", requires_import=("django",)))
    add(
        SinkSpec(
            "sql", ".extra", "SQL fragment of QuerySet.extra",
            ((-1, "where"), (-1, "select"), (-1, "tables"), (-1, "order_by")), mode="keywords",
            requires_import=("django",),
        )
    )  # fmt: skip
    for name in ("django.db.models.expressions.RawSQL", "django.db.models.RawSQL"):
        add(SinkSpec("sql", name, "raw SQL expression"))
    for name in ("pandas.read_sql", "pandas.read_sql_query"):
        add(SinkSpec("sql", name, "SQL query"))
    # OS command (CWE-78).
    add(SinkSpec("command", "os.system", "shell command"))
    add(SinkSpec("command", "os.popen", "shell command"))
    for name in ("subprocess.getoutput", "subprocess.getstatusoutput", "commands.getoutput"):
        add(SinkSpec("command", name, "shell command"))
    for name in _SUBPROCESS:
        add(SinkSpec("command", f"subprocess.{name}", "command", ((0, "args"),), mode="subprocess"))
    add(SinkSpec("command", "asyncio.create_subprocess_shell", "shell command", ((0, "cmd"),)))
    add(SinkSpec("command", "asyncio.create_subprocess_exec", "program", ((0, "program"),)))
    for name in ("execl", "execle", "execlp", "execlpe", "execv", "execve", "execvp", "execvpe"):
        add(SinkSpec("command", f"os.{name}", "program", ((0, "path"), (0, "file")), mode="program-args"))
    for name in ("spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv", "spawnve", "spawnvp", "spawnvpe"):
        add(SinkSpec("command", f"os.{name}", "program", ((1, "path"), (1, "file")), mode="program-args"))
    add(SinkSpec("command", "os.posix_spawn", "program", ((0, "path"),)))
    add(SinkSpec("command", "os.posix_spawnp", "program", ((0, "path"),)))
    add(SinkSpec("command", "pty.spawn", "program", ((0, "argv"),), mode="program"))
    add(SinkSpec("command", ".exec_command", "remote shell command", ((0, "command"),), requires_import=("paramiko",)))
    # Code (CWE-94/95).
    add(SinkSpec("code", "builtins.eval", "evaluated expression", ((0, "source"),)))
    add(SinkSpec("code", "builtins.exec", "executed code", ((0, "source"),)))
    add(SinkSpec("code", "builtins.compile", "compiled code", ((0, "source"),)))
    # Templates compiled from input: ``taint_extra`` (SR818).


def _file_web_and_network_sinks(add: Callable[[SinkSpec], None]) -> None:
    """Path traversal, SSRF, XSS and open redirect sinks."""
    # Path traversal (CWE-22).
    add(SinkSpec("path", "builtins.open", "file path", ((0, "file"),)))
    add(SinkSpec("path", "io.open", "file path", ((0, "file"),)))
    add(SinkSpec("path", "codecs.open", "file path", ((0, "filename"),)))
    add(SinkSpec("path", "io.open_code", "file path", ((0, "path"),)))
    add(SinkSpec("path", "tokenize.open", "file path", ((0, "filename"),)))
    for name in ("open", "remove", "unlink", "rmdir", "removedirs", "mkdir", "makedirs", "listdir",
                 "scandir", "chmod", "chown", "truncate", "walk"):  # fmt: skip
        add(SinkSpec("path", f"os.{name}", "file path", ((0, "path"),)))
    for name in ("rename", "replace", "renames", "link", "symlink"):
        add(SinkSpec("path", f"os.{name}", "file path", ((0, "src"), (1, "dst"))))
    for name in ("copy", "copy2", "copyfile", "copytree", "move", "copymode", "copystat"):
        add(SinkSpec("path", f"shutil.{name}", "file path", ((0, "src"), (1, "dst"))))
    add(SinkSpec("path", "shutil.rmtree", "file path", ((0, "path"),)))
    for method in ("read_text", "read_bytes", "write_text", "write_bytes", "unlink", "rmdir", "touch",
                   "mkdir", "open", "rename", "replace", "iterdir"):  # fmt: skip
        for kind in ("pathlib.Path()", "pathlib.PurePath()", "pathlib.PosixPath()"):
            add(SinkSpec("path", f"{kind}.{method}", "file path", ((-1, None),)))
    add(
        SinkSpec("path", "flask.send_file", "file path", ((0, "path_or_file"), (0, "filename_or_fp")), takes_files=True)
    )
    add(SinkSpec("path", "flask.send_from_directory", "base directory of send_from_directory", ((0, "directory"),)))
    add(SinkSpec("path", ".save", "upload destination path", ((0, "dst"),), requires_import=("flask", "werkzeug")))
    add(SinkSpec("path", "tarfile.open", "archive path", ((0, "name"),), takes_files=True))
    add(SinkSpec("path", "zipfile.ZipFile", "archive path", ((0, "file"),), takes_files=True))
    # SSRF (CWE-918).
    for verb in (*_HTTP_VERBS, "request"):
        position = 1 if verb == "request" else 0
        for module in ("requests", "httpx"):
            add(SinkSpec("ssrf", f"{module}.{verb}", "request URL", ((position, "url"),)))
            for client in ("Session()", "session()", "Client()", "AsyncClient()"):
                add(SinkSpec("ssrf", f"{module}.{client}.{verb}", "request URL", ((position, "url"),)))
    # urllib also opens ``file://`` URLs: the same URL reads local files (path traversal).
    for name in ("urllib.request.urlopen", "urllib.request.Request", "urllib.request.urlretrieve"):
        add(SinkSpec("ssrf", name, "request URL (urllib also opens file:// URLs: local files)", ((0, "url"),)))
    add(SinkSpec("ssrf", "aiohttp.ClientSession().get", "request URL", ((0, "url"),)))
    add(SinkSpec("ssrf", "aiohttp.ClientSession().post", "request URL", ((0, "url"),)))
    add(SinkSpec("ssrf", "urllib3.PoolManager().request", "request URL", ((1, "url"),)))
    add(SinkSpec("ssrf", "http.client.HTTPConnection", "request host", ((0, "host"),)))
    add(SinkSpec("ssrf", "http.client.HTTPSConnection", "request host", ((0, "host"),)))
    # XSS (CWE-79).
    for name in ("flask.make_response", "flask.Response", "werkzeug.wrappers.Response",
                 "werkzeug.Response", "flask.wrappers.Response"):  # fmt: skip
        add(SinkSpec("xss", name, "HTTP response body", ((0, "response"),), mode="response", clean_result=True))
    for name in ("markupsafe.Markup", "flask.Markup", "jinja2.Markup"):
        add(
            SinkSpec(
                "xss",
                name,
                "markup trusted as safe HTML",
                clean_result=True,
                unmarked_by=tuple(sorted(UNMARKING_METHODS)),
            )
        )
    for name in ("django.http.HttpResponse", "django.http.response.HttpResponse"):
        add(SinkSpec("xss", name, "HTTP response body", ((0, "content"),), mode="response", clean_result=True))
    for name in ("django.utils.safestring.mark_safe", "django.utils.html.format_html",
                 "django.utils.safestring.SafeString"):  # fmt: skip
        add(SinkSpec("xss", name, "string marked safe HTML", ((0, None),), clean_result=True))
    # ``format_html_join(sep, format_string, args)`` escapes the arguments, not the format.
    add(SinkSpec("xss", "django.utils.html.format_html_join", "format string of safe HTML", ((1, "format_string"),),
                 clean_result=True))  # fmt: skip
    add(SinkSpec("xss", "tornado.handler.write", "HTTP response body", ((0, "chunk"),), clean_result=True,
                 json_dicts=True))  # fmt: skip
    add(SinkSpec("xss", "tornado.handler.finish", "HTTP response body", ((0, "chunk"),), clean_result=True,
                 json_dicts=True))  # fmt: skip
    add(SinkSpec("xss", "http.server.handler.wfile.write", "HTTP response body", ((0, "b"),), mode="response",
                 clean_result=True))  # fmt: skip
    for name in ("fastapi.responses.HTMLResponse", "starlette.responses.HTMLResponse"):
        add(SinkSpec("xss", name, "HTML response body", ((0, "content"),), clean_result=True))
    # Open redirect (CWE-601).
    for name in ("flask.redirect", "werkzeug.utils.redirect", "django.shortcuts.redirect",
                 "django.http.HttpResponseRedirect", "django.http.HttpResponsePermanentRedirect",
                 "django.http.response.HttpResponseRedirect", "fastapi.responses.RedirectResponse",
                 "starlette.responses.RedirectResponse"):  # fmt: skip
        add(SinkSpec("redirect", name, "redirect target", ((0, "location"), (0, "url"), (0, "redirect_to")),
                     model_objects=name == "django.shortcuts.redirect"))  # fmt: skip


def _query_data_and_output_sinks(add: Callable[[SinkSpec], None]) -> None:
    """LDAP, XPath, deserialization, XXE, header and log sinks."""
    # LDAP (CWE-90).
    for method in ("search", "search_s", "search_st", "search_ext", "search_ext_s"):
        add(
            SinkSpec(
                "ldap", "." + method, "LDAP search",
                ((0, "base"), (0, "search_base"), (2, "filterstr"), (1, "search_filter")),
                requires_import=("ldap", "ldap3"),
            )
        )  # fmt: skip
    # XPath (CWE-643).
    add(SinkSpec("xpath", ".xpath", "XPath expression", ((0, "_path"),), requires_import=("lxml",)))
    add(SinkSpec("xpath", "lxml.etree.XPath", "XPath expression", ((0, "path"),)))
    add(SinkSpec("xpath", "lxml.etree.ETXPath", "XPath expression", ((0, "path"),)))
    # Deserialization (CWE-502).
    for name in ("pickle.loads", "pickle.load", "pickle.Unpickler", "_pickle.loads", "_pickle.load",
                 "cPickle.loads", "cPickle.load", "dill.loads", "dill.load", "marshal.loads", "marshal.load",
                 "jsonpickle.decode", "pandas.read_pickle", "joblib.load", "shelve.open",
                 "yaml.unsafe_load", "yaml.full_load", "yaml.unsafe_load_all", "yaml.full_load_all"):  # fmt: skip
        add(SinkSpec("deserialization", name, "deserialized data"))
    # Loaders that unpickle only when told to: ``numpy.load(f, allow_pickle=True)``,
    # ``torch.load(f, weights_only=False)``.
    add(SinkSpec("deserialization", "numpy.load", "array file loaded with pickles allowed", ((0, "file"),),
                 mode="keyword:allow_pickle=True"))  # fmt: skip
    add(SinkSpec("deserialization", "torch.load", "model file unpickled without weights_only", ((0, "f"),),
                 mode="keyword:weights_only=False"))  # fmt: skip
    for name in ("yaml.load", "yaml.load_all"):
        add(SinkSpec("deserialization", name, "YAML document loaded without a safe Loader", ((0, "stream"),),
                     mode="yaml"))  # fmt: skip
    # XXE (CWE-611): lxml resolves entities unless told not to.
    for name in ("lxml.etree.fromstring", "lxml.etree.XML", "lxml.etree.parse", "lxml.etree.XMLID",
                 "lxml.etree.iterparse", "lxml.objectify.fromstring", "lxml.objectify.XML",
                 "lxml.objectify.parse"):  # fmt: skip
        add(SinkSpec("xxe", name, "XML parsed with entity resolution", ((0, "text"), (0, "source")), mode="lxml"))
    # The standard SAX parser resolves no external entity unless ``feature_external_ges`` is switched on.
    add(SinkSpec("xxe", "xml.sax.make_parser().parse", "XML parsed by a SAX parser", ((0, "source"),), mode="sax"))
    # Header injection (CWE-113).
    for method in ("add", "set", "setdefault", "add_header", "extend"):
        add(
            SinkSpec(
                "header", "." + method, "HTTP response header", ((1, "_value"), (1, "value")),
                receiver_hint="headers", requires_import=HEADER_FRAMEWORKS,
            )
        )  # fmt: skip
    for method in ("set_header", "append_header"):
        add(SinkSpec("header", "." + method, "HTTP response header", ((1, "value"),), requires_import=("falcon",)))
    add(SinkSpec("header", "http.server.handler.send_header", "HTTP response header", ((1, "value"),)))
    # Regular expression injection (CWE-1333): the pattern, never the searched text.
    for function in ("compile", "search", "match", "fullmatch", "findall", "finditer", "split", "sub", "subn"):
        add(SinkSpec("regex", f"re.{function}", "regular expression pattern", ((0, "pattern"),)))
        add(SinkSpec("regex", f"regex.{function}", "regular expression pattern", ((0, "pattern"),)))
    # Log injection (CWE-117).
    for level in ("debug", "info", "warning", "warn", "error", "exception", "critical", "fatal"):
        add(SinkSpec("log", f"logging.{level}", "log message", mode="all-args"))
        add(SinkSpec("log", "." + level, "log message", mode="all-args", receiver_hint="log"))
    add(SinkSpec("log", "logging.log", "log message", mode="all-args"))
    add(SinkSpec("log", ".log", "log message", mode="all-args", receiver_hint="log"))


# A view that renders what it returns (a Flask view) returns into the HTML response body.
RETURN_SINKS = (SinkSpec("xss", "return", "HTML response body returned from a view"),)
# A WSGI application whose ``start_response`` declares an HTML ``Content-Type``: its returned
# iterable is the page (text built from the data; a value through an unfollowed call is not).
WSGI_BODY_SINKS = (SinkSpec("xss", "return", "HTML body returned from a WSGI application", built_text=True),)
# Markup objects: ``Markup(...) % value``, ``.format`` and ``.join`` escape the values they take in.
MARKUP_KINDS = frozenset({"markupsafe.Markup()", "flask.Markup()", "jinja2.Markup()"})
# Lookups: the object found, not the text of the key that found it.
LOOKUPS = frozenset(
    {"django.shortcuts.get_object_or_404", "django.shortcuts.get_list_or_404", "django.shortcuts.aget_object_or_404",
     "django.shortcuts.aget_list_or_404", "rest_framework.generics.get_object_or_404", ".get_model",
     ".get_app_config", ".get_object_for_this_type", ".get_for_id", ".get_by_natural_key",
     # reads of a key-value store (Redis): what the server stored under the key, not the key's text
     ".hget", ".hgetall", ".hmget", ".hvals", ".mget", ".smembers", ".srandmember", ".lrange", ".lindex",
     ".zrange", ".zrangebyscore", ".zrevrange"}
)  # fmt: skip
MODEL_MANAGERS = frozenset({"objects", "_default_manager", "_base_manager"})
MANAGER_READS = frozenset(
    {"get", "filter", "exclude", "first", "last", "all", "order_by", "select_related", "prefetch_related",
     "only", "defer", "using", "in_bulk", "earliest", "latest", "distinct", "get_queryset", "values",
     "values_list", "count", "exists", "iterator", "select_for_update"}
)  # fmt: skip
# Django templates: ``render()`` escapes every variable unless escaping is switched off.
ESCAPING_TEMPLATES = {
    kind: "django.template.Template()"
    for kind in (
        "django.template.Template()", "django.template.base.Template()",
        "django.template.loader.get_template()", "django.template.loader.select_template()",
        *(f"django.template.{engine}().{method}()"
          for engine in ("Engine", "engine.Engine")
          for method in ("from_string", "get_template", "select_template")),
    )
}  # fmt: skip

STORE_SINKS = (
    StoreSink("trust-boundary", "flask.session", "value stored in the session", kept=True),
    StoreSink("trust-boundary", "django.request.session", "value stored in the session", kept=True),
    StoreSink("trust-boundary", "starlette.request.session", "value stored in the session", kept=True),
    StoreSink("header", ".headers", "HTTP response header", HEADER_FRAMEWORKS),
    *EXTRA_STORE_SINKS,
)


def _config_sanitizer(entry: str) -> tuple[str, frozenset[str]]:
    """``"myapp.clean"`` cleans every class; ``"myapp.clean:sql,xss"`` only those."""
    name, _, classes = entry.partition(":")
    if not classes:
        return name.strip(), EVERY_CLASS
    chosen = {CLASS_ALIASES.get(c.strip().lower(), c.strip().lower()) for c in classes.split(",") if c.strip()}
    return name.strip(), frozenset(chosen)


@lru_cache(maxsize=32)
def build_spec(
    extra_sources: tuple[str, ...] = (),
    extra_sanitizers: tuple[str, ...] = (),
    extra_sinks: tuple[tuple[str, tuple[str, ...]], ...] = (),
) -> TaintSpec:
    """The engine's spec: the tables above plus configured extensions.

    Configured sources are remote sources (callables or attributes, by qualified name);
    configured sinks take a class name (``sql``, ``command``, ...; unknown names are kept as
    their own class) and qualified names or ``.method`` names (every argument is checked).
    """
    call_sources = dict(CALL_SOURCES)
    attr_sources = dict(ATTR_SOURCES)
    method_sources = dict(METHOD_SOURCES)
    for name in extra_sources:
        name = name.strip()
        if name.startswith("."):
            method_sources[name[1:]] = "remote"
        else:
            call_sources[name] = "remote"
            attr_sources[name] = "remote"
    sanitizers = dict(SANITIZERS)
    method_sanitizers = dict(METHOD_SANITIZERS)
    for entry in extra_sanitizers:
        name, classes = _config_sanitizer(entry)
        if name.startswith("."):
            method_sanitizers[name[1:]] = classes
        else:
            sanitizers[name] = classes
    sinks = _sinks()
    classes = dict(CLASSES_BY_ID)
    for raw_class, names in extra_sinks:
        cls = CLASS_ALIASES.get(raw_class.lower(), raw_class.lower())
        classes.setdefault(cls, TaintClass(cls, None, f"{cls} injection"))
        for name in names:
            sinks.append(SinkSpec(cls, name.strip(), f"argument of a configured {cls} sink", mode="all-args"))
    local = frozenset(n for n, where in {**attr_sources, **call_sources}.items() if where == "local")
    return TaintSpec(
        attr_sources={k: v for k, v in attr_sources.items()},
        call_sources={k: v for k, v in call_sources.items()},
        method_sources=method_sources,
        object_kinds=dict(OBJECT_KINDS),
        object_sources=dict(OBJECT_SOURCES),
        client_keys=dict(CLIENT_KEYS),
        line_keys=dict(LINE_KEYS),
        own_settings={name: PREFERENCES for name in ("os.environ", "os.environb", "os.getenv", "os.getenvb")},
        source_cleaned=dict(SOURCE_CLEANED),
        document_sources=DOCUMENT_SOURCES,
        document_parsers=DOCUMENT_PARSERS,
        local_sources=local,
        command_line_sources=COMMAND_LINE_SOURCES,
        sinks=tuple(sinks),
        store_sinks=STORE_SINKS,
        return_sinks=RETURN_SINKS,
        wsgi_body_sinks=WSGI_BODY_SINKS,
        sanitizers=sanitizers,
        method_sanitizers=method_sanitizers,
        attribute_sanitizers=ATTRIBUTE_SANITIZERS,
        guards=dict(GUARDS),
        noreturn=NORETURN,
        clean_calls=CLEAN_CALLS,
        string_methods=STRING_METHODS,
        markup_kinds=MARKUP_KINDS,
        escaping_templates=ESCAPING_TEMPLATES,
        lookups=LOOKUPS,
        model_managers=MODEL_MANAGERS,
        manager_reads=MANAGER_READS,
        handler_bases=dict(HANDLER_BASES),
        handler_objects=dict(HANDLER_OBJECTS),
        capturing_handlers=CAPTURING_HANDLERS,
        route_decorators=ROUTE_DECORATORS,
        route_functions=ROUTE_FUNCTIONS,
        responder_captures=RESPONDER_CAPTURES,
        request_globals=REQUEST_GLOBALS,
        request_hooks=REQUEST_HOOKS,
        error_handler_decorators=ERROR_HANDLER_DECORATORS,
        resolver_modules=RESOLVER_MODULES,
        resolver_names=RESOLVER_NAMES,
        resolver_decorators=RESOLVER_DECORATORS,
        exception_text_classes=EXCEPTION_TEXT_CLASSES,
        class_sources={name: frozenset({TRACE_CLASS.id}) for name in (*TRACE_SOURCES, *TRACE_FILE_SOURCES)},
        file_sources=TRACE_FILE_SOURCES,
        view_body_sinks=TRACE_BODY_SINKS,
        template_renderers=TEMPLATE_RENDERERS,
        template_decorators=dict(TEMPLATE_DECORATORS),
        template_environments=TEMPLATE_ENVIRONMENTS,
        inline_templates=INLINE_TEMPLATES,
        autoescape_selectors=AUTOESCAPE_SELECTORS,
        environment_setups=ENVIRONMENT_SETUPS,
        autoescaped_templates=AUTOESCAPED_TEMPLATES,
        attribute_sinks=ATTRIBUTE_SINKS,
        method_return_sinks=METHOD_RETURN_SINKS,
        template_contexts=TEMPLATE_CONTEXTS,
        clean_converters=CLEAN_CONVERTERS,
        clean_annotations=CLEAN_ANNOTATIONS,
        document_annotations=DOCUMENT_ANNOTATIONS,
        document_markers=DOCUMENT_MARKERS,
        request_annotations=dict(REQUEST_ANNOTATIONS),
        annotated_kinds=dict(ANNOTATED_KINDS),
        request_parameters=REQUEST_PARAMETERS,
        propagators=PROPAGATORS,
        content_arguments=CONTENT_ARGUMENTS,
        markdown_renderers=MARKDOWN_RENDERERS,
        encoders=ENCODERS,
        decoders=DECODERS,
        buffer_kinds=BUFFER_KINDS,
        client_connections=CLIENT_CONNECTIONS,
        file_kinds=frozenset(f"{name}()" for name in FILE_MAKERS),
        file_kinds_made_by=FILE_MAKERS,
        classes=tuple(classes.values()),
    )


def spec_for(config: object | None) -> TaintSpec:
    """The spec for a ``Config`` (or anything with ``taint_sources`` / ``_sinks`` / ``_sanitizers``)."""
    sources = tuple(getattr(config, "taint_sources", ()) or ())
    sanitizers = tuple(getattr(config, "taint_sanitizers", ()) or ())
    sinks_map = getattr(config, "taint_sinks", {}) or {}
    sinks = tuple(sorted((str(k), tuple(v)) for k, v in sinks_map.items()))
    return build_spec(sources, sanitizers, sinks)


_CLEANED_LOG_SPECS: dict[int, tuple[TaintSpec, TaintSpec]] = {}


def with_cleaned_log_messages(spec: TaintSpec) -> TaintSpec:
    """``spec`` for a program whose installed log formatter cleans the line breaks of every
    message template (``engine/taint/log_output.py``): a log call's sink is then the values it
    merges into the template (``%``-arguments), not the template itself. One object per spec, so
    the summaries computed with it are shared."""
    known = _CLEANED_LOG_SPECS.get(id(spec))
    if known is not None and known[0] is spec:
        return known[1]
    sinks = tuple(
        dataclasses.replace(sink, mode="log-values") if sink.cls == "log" and sink.what == "log message" else sink
        for sink in spec.sinks
    )
    variant = dataclasses.replace(spec, sinks=sinks)
    if len(_CLEANED_LOG_SPECS) > 16:
        _CLEANED_LOG_SPECS.clear()
    _CLEANED_LOG_SPECS[id(spec)] = (spec, variant)
    return variant
