"""Taint classes and sinks beyond the core table: file-existence probes (SR816), NoSQL and
DynamoDB expressions (SR817), server-side template injection (SR818), options of a fixed program
(SR819), modules imported by name (SR820), format strings from input (SR821), eval-like library APIs,
XPath engines, redirects written as a ``Location`` header or raised as an HTTP 3xx, and session
keys chosen by the client. Plain data; ``taint_tables`` merges it into the spec.
"""

from __future__ import annotations

from collections.abc import Callable

from ..engine.finding import Level
from ..engine.taint import (
    AFTER_END_OF_OPTIONS,
    AFTER_FIXED_TEXT,
    HOST_ALLOWLISTED,
    OPTIONS_REJECTED,
    PARENT_REFS_REJECTED,
    PREDICATE_HELD,
    AttributeSink,
    SinkSpec,
    StoreSink,
    TaintClass,
)

FILE_PROBE = "file-probe"
NOSQL = "nosql"
TEMPLATE = "template"
ARGUMENT = "argument"
REFLECTION = "reflection"
FORMAT = "format-string"

EXTRA_CLASSES = (
    TaintClass(
        FILE_PROBE,
        cwe=22,
        title="file existence probe",
        rule_id="SR816",
        rule_name="file-existence-probe",
        summary="Untrusted input chooses a path whose existence or type the server checks.",
        why="Nothing is read, but the answer (a different status, message or timing) tells the client "
        "whether `/home/alice/.ssh/id_rsa` or `../../app/settings.py` exists: a map of the server's files "
        "and users. Keep only a base name, or resolve the path and check it stays inside the base folder "
        "before asking the file system; a check earlier in the same `and` chain counts "
        "(`full.startswith(base + os.sep) and os.path.exists(full)`), one after the probe does not. "
        "A check that runs only under `isinstance(value, str)` is not "
        "reached by data wrapped in an in-memory buffer (`io.StringIO(data)`), here or in a function "
        "the buffer is handed to. A settings view only administrators open (`@admin_required`, a function only "
        "such views call) probing the folder an administrator types is the setting's own check, not reported.",
        bad='name = request.args["name"]\nif os.path.exists(os.path.join(UPLOADS, name)):\n    return "taken"',
        good='name = secure_filename(request.args["name"])\nif os.path.exists(os.path.join(UPLOADS, name)):\n'
        '    return "taken"',
        severity=Level.LOW,
        confidence=Level.MEDIUM,
        aliases=("path-probe", "exists"),
        # a name holding no ``..`` written after a folder stays inside it, as for reading the file
        cleaned_by=frozenset({PARENT_REFS_REJECTED}),
    ),
    TaintClass(
        NOSQL,
        cwe=943,
        title="NoSQL injection",
        rule_id="SR817",
        rule_name="nosql-injection",
        summary="Untrusted input becomes a MongoDB query document, server-side JavaScript or a DynamoDB expression.",
        why='A filter document taken from the request carries operators (`{"$ne": null}` matches every '
        "password); `$where`, `$function`, `mapReduce` and `eval` run the text as JavaScript on the "
        "database; a DynamoDB `FilterExpression` or PartiQL statement spliced from input is parsed "
        'like SQL. Build filters from typed values (`{"name": str(name)}`), never run client text as '
        "JavaScript, and use `ExpressionAttributeValues` (or `boto3.dynamodb.conditions.Key/Attr`).",
        bad="criteria = request.get_json()\nusers.find_one({\"$where\": f\"this.name == '{criteria['name']}'\"})",
        good='name = str(request.get_json()["name"])\nusers.find_one({"name": name})',
        aliases=("mongo", "mongodb", "dynamodb"),
        reports_local_sources=True,
    ),
    TaintClass(
        TEMPLATE,
        cwe=1336,
        title="server-side template injection",
        rule_id="SR818",
        rule_name="template-injection",
        summary="Untrusted input is compiled as a template (Jinja2, Django, Mako, Bottle).",
        why="Template languages reach Python objects: `{{ ''.__class__.__mro__[1].__subclasses__() }}` "
        "in a Jinja2 template written by the client leads to running commands on the server, and even "
        "a sandbox leaks configuration and secrets. Render a fixed template and pass the input as a "
        "variable.",
        bad='greeting = request.args["greeting"]\nreturn render_template_string("<p>" + greeting + "</p>")',
        good='greeting = request.args["greeting"]\nreturn render_template_string("<p>{{ g }}</p>", g=greeting)',
        aliases=("ssti",),
        result_keeps_data=True,
    ),
    TaintClass(
        ARGUMENT,
        cwe=88,
        title="argument injection",
        rule_id="SR819",
        rule_name="argument-injection",
        summary="Untrusted input is an argument of a fixed program where the program reads options.",
        why="Without a shell the input is one argument, but a program still reads an argument starting "
        "with `-` as an option: `git log --output=/srv/app/x.py`, `curl -o /etc/cron.d/x URL`, "
        "`tar --checkpoint-action=exec=sh`, `ssh -oProxyCommand=...` write files or run commands. Put "
        "`--` before the input (every argument after it is an operand), reject a leading `-`, or "
        "write the input after fixed text (`--branch=` + value).",
        bad='ref = request.args["ref"]\nsubprocess.run(["git", "log", ref])',
        good='ref = request.args["ref"]\nsubprocess.run(["git", "log", "--", ref])',
        severity=Level.MEDIUM,
        confidence=Level.MEDIUM,
        aliases=("option", "options", "argv"),
        cleaned_by=frozenset({OPTIONS_REJECTED, AFTER_FIXED_TEXT, HOST_ALLOWLISTED, AFTER_END_OF_OPTIONS}),
    ),
    TaintClass(
        REFLECTION,
        cwe=470,
        title="module or method chosen by input (unsafe reflection)",
        rule_id="SR820",
        rule_name="import-from-input",
        summary="Untrusted input names the module the program imports, or the attribute it reads and calls.",
        why="Importing runs the module's top-level code: a name from the request picks any module on "
        "the path (`os`, `antigravity`, a test helper, a module an upload put there) and its import "
        "side effects, and the attributes read from it afterwards. Map the input to modules through a "
        "fixed table, check the name against an allowlist or a predicate of the program's own "
        '(`is_registered(name)`), or import below a fixed package (`import_module("app.exporters." + name)`). '
        "The same holds for `getattr(obj, name)(...)` (also through a name the result is assigned to and "
        "then called): the input picks any method of the object, of a module, of its class, dunder methods "
        'included; a fixed prefix (`getattr(self, "do_" + action)`) or an allowlist keeps it to the '
        "methods meant to be called. Reading an attribute without calling it is not reported.",
        bad='name = request.args["format"]\nexporter = importlib.import_module(name)',
        good='EXPORTERS = {"csv": "app.export.csv", "json": "app.export.json"}\n'
        'exporter = importlib.import_module(EXPORTERS[request.args["format"]])',
        aliases=("import", "unsafe-reflection"),
        cleaned_by=frozenset({AFTER_FIXED_TEXT, PREDICATE_HELD}),
    ),
    TaintClass(
        FORMAT,
        cwe=134,
        title="format string from input",
        rule_id="SR821",
        rule_name="format-string-injection",
        summary="Untrusted input is the format string of `str.format` / `format_map` given objects to format.",
        why="A replacement field reads attributes and items of the arguments: a client writing the "
        "format string asks for `{user.__class__.__init__.__globals__[SECRET_KEY]}` or "
        "`{config.DATABASE_URL}` and the response shows them. Keep the format string fixed and pass "
        "the input as an argument, or use `string.Template`, whose `$name` fields read no attributes. "
        "The count given to a plural lookup (`ngettext(singular, plural, count)`, `npgettext`) only picks "
        "one of the program's two messages: it is not the format string.",
        bad='template = request.args["greeting"]\nreturn template.format(user=current_user)',
        good='name = request.args["name"]\nreturn "Hello {}".format(name)',
        severity=Level.MEDIUM,
        confidence=Level.MEDIUM,
        aliases=("format", "format-string"),
        result_keeps_data=True,  # the formatted text still carries the input
    ),
)

# An exception caught in a request handler often quotes the client's input (``ValueError(f"bad {x}")``):
# its text compiled as a template is template injection; for other sinks it is not counted.
EXCEPTION_TEXT_CLASSES = frozenset({TEMPLATE})

_WEB = ("flask", "werkzeug", "django", "fastapi", "starlette", "quart", "tornado", "bottle", "pyramid",
        "falcon", "aiohttp", "sanic")  # fmt: skip
_PATH_TYPES = ("pathlib.Path()", "pathlib.PurePath()", "pathlib.PosixPath()")
_MONGO = ("pymongo", "motor", "mongoengine", "flask_pymongo")
_LOCATION = "redirect target (Location header)"
# Keys of a MongoDB document whose value is JavaScript run by the server.
_JS_KEYS = ("$where", "$function", "$accumulator")


# The last component of a path (``Path(v).name``): no directory of the input's choosing, as
# ``os.path.basename``.
ATTRIBUTE_SANITIZERS = {
    f"pathlib.{cls}().{attr}": frozenset({"path"})
    for cls in ("Path", "PurePath", "PosixPath", "PurePosixPath", "WindowsPath", "PureWindowsPath")
    for attr in ("name", "stem")
}


# Calls making open files (in-memory buffers, files the code opened): a sink taking a path or a
# file (``zipfile.ZipFile``, ``flask.send_file``) handed one of these reads no path of the input.
FILE_MAKERS = frozenset(
    {"io.BytesIO", "io.StringIO", "builtins.open", "io.open", "tempfile.TemporaryFile",
     "tempfile.NamedTemporaryFile", "tempfile.SpooledTemporaryFile"}
)  # fmt: skip


def extra_sinks(add: Callable[[SinkSpec], None]) -> None:
    """The sinks of the classes above, and new sinks of existing classes."""
    _probe_sinks(add)
    _nosql_sinks(add)
    _template_sinks(add)
    _eval_like_sinks(add)
    _xpath_sinks(add)
    _redirect_sinks(add)
    _connection_and_file_sinks(add)
    _option_and_import_sinks(add)
    _session_method_sinks(add)
    _response_header_sinks(add)
    _async_driver_sql_sinks(add)
    _task_runner_sinks(add)


def _response_header_sinks(add: Callable[[SinkSpec], None]) -> None:
    """Headers given to a response when it is made (``Response(body, 200, {"X-Name": v})``,
    ``HttpResponse(headers={...})``): an open redirect at ``Location``, and header injection
    where the framework takes a line break (Starlette)."""
    flask = ("flask.Response", "flask.wrappers.Response", "werkzeug.Response", "werkzeug.wrappers.Response",
             "flask.make_response")  # fmt: skip
    starlette = tuple(
        f"{package}.responses.{cls}"
        for package in ("starlette", "fastapi")
        for cls in ("Response", "HTMLResponse", "JSONResponse", "PlainTextResponse", "RedirectResponse")
    )
    django = ("django.http.HttpResponse", "django.http.response.HttpResponse", "django.http.JsonResponse")
    for names, position in ((flask, 2), (starlette, 2), (django, 99)):
        for name in names:
            if names is starlette:  # Werkzeug and Django refuse a value holding a line break
                add(SinkSpec("header", name, "HTTP response header", ((position, "headers"),)))
            add(SinkSpec("redirect", name, _LOCATION, ((position, "headers"),), dict_keys=("Location",)))


def _task_runner_sinks(add: Callable[[SinkSpec], None]) -> None:
    """Invoke and Fabric run their command text through a shell, locally (``invoke.run``,
    ``ctx.run``) or on the remote host (``Connection(host).run`` / ``.sudo``)."""
    for name in ("invoke.run", "invoke.sudo"):
        add(SinkSpec("command", name, "shell command", ((0, "command"),)))
    for method in (".run", ".sudo"):
        add(SinkSpec("command", method, "shell command", ((0, "command"),), requires_import=("fabric", "invoke")))
    # pexpect splits its command text into a program and its arguments (``spawn("ssh " + host)``):
    # text from input picks the program or its options (``-oProxyCommand=...``).
    for name in ("spawn", "spawnu", "run", "runu", "popen_spawn.PopenSpawn"):
        add(SinkSpec("command", f"pexpect.{name}", "program and arguments", ((0, "command"), (0, "cmd"))))


def _async_driver_sql_sinks(add: Callable[[SinkSpec], None]) -> None:
    """Query methods of asyncpg's connections and pools beyond ``execute`` (``await conn.fetch(sql)``):
    their first argument is the SQL text, the rest are ``$n`` parameters. Also peewee's
    ``execute_sql`` and ``Model.raw``, DuckDB's module-level and connection queries, the
    ``databases`` package's queries and SQLAlchemy's ``exec_driver_sql``."""
    for handle in ("asyncpg.connect()", "asyncpg.create_pool()", "asyncpg.create_pool().acquire()"):
        for method in ("fetch", "fetchrow", "fetchval", "executemany", "cursor", "prepare"):
            add(SinkSpec("sql", f"{handle}.{method}", "SQL query", ((0, "query"), (0, "command")), text_only=True))
    add(SinkSpec("sql", ".execute_sql", "SQL query", ((0, "sql"),), text_only=True, requires_import=("peewee",)))
    add(SinkSpec("sql", ".raw", "raw SQL query", ((0, "sql"),), text_only=True, requires_import=("peewee",)))
    for name in ("sql", "query", "execute"):
        add(SinkSpec("sql", f"duckdb.{name}", "SQL query", ((0, "query"),), text_only=True))
        add(SinkSpec("sql", f"duckdb.connect().{name}", "SQL query", ((0, "query"),), text_only=True))
    # The ``databases`` package (``await database.fetch_all(query=sql)``) runs text as SQL.
    for method in ("fetch_all", "fetch_one", "fetch_val", "iterate", "execute_many"):
        add(SinkSpec("sql", f".{method}", "SQL query", ((0, "query"),), text_only=True,
                     requires_import=("databases",)))  # fmt: skip
    # SQLAlchemy hands ``exec_driver_sql`` text to the DBAPI cursor as it is.
    add(SinkSpec("sql", ".exec_driver_sql", "SQL query", ((0, "statement"),), text_only=True,
                 requires_import=("sqlalchemy",)))  # fmt: skip


def _session_method_sinks(add: Callable[[SinkSpec], None]) -> None:
    """Values stored in the session by its mapping methods, as by ``session[key] = value``:
    ``session.update({...})`` / ``update(key=value)`` and ``session.setdefault(key, value)``."""
    what = "value stored in the session"
    for base in ("flask.session", "django.request.session", "django.view.request.session", "starlette.request.session"):
        add(SinkSpec("trust-boundary", f"{base}.update", what, ((0, None),), mode="all-args"))
        add(SinkSpec("trust-boundary", f"{base}.setdefault", what, ((0, "key"), (1, "default"))))


def _option_and_import_sinks(add: Callable[[SinkSpec], None]) -> None:
    """Options of a fixed program (CWE-88), modules imported by name (CWE-470), and the headers
    a WSGI application sends through its ``start_response`` parameter (CWE-113)."""
    add(SinkSpec("header", "wsgi.start_response().__call__", "response header sent by `start_response()`",
                 ((1, "headers"), (1, "response_headers")), built_text=True))  # fmt: skip
    what = "argument a program may read as an option"
    for name in ("run", "call", "check_call", "check_output", "Popen"):
        add(SinkSpec(ARGUMENT, f"subprocess.{name}", what, ((0, "args"),), mode="options"))
    add(SinkSpec(ARGUMENT, "asyncio.create_subprocess_exec", what, ((0, "program"),), mode="option-args"))
    add(SinkSpec(ARGUMENT, "pty.spawn", what, ((0, "argv"),), mode="options"))
    for name in ("execl", "execle", "execlp", "execlpe", "execv", "execve", "execvp", "execvpe"):
        add(SinkSpec(ARGUMENT, f"os.{name}", what, ((0, "path"),), mode="exec-options"))
    for name in ("spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv", "spawnve", "spawnvp", "spawnvpe"):
        add(SinkSpec(ARGUMENT, f"os.{name}", what, ((1, "path"),), mode="exec-options"))
    for name in ("importlib.import_module", "builtins.__import__"):
        add(SinkSpec(REFLECTION, name, "name of the imported module", ((0, "name"),)))
    add(SinkSpec(REFLECTION, "pkgutil.resolve_name", "name of the imported object", ((0, "name"),)))
    add(SinkSpec(REFLECTION, "builtins.getattr", "name of the attribute read and called", ((1, "name"),),
                 mode="called"))  # fmt: skip
    for method in ("format", "format_map"):
        add(SinkSpec(FORMAT, "." + method, "format string given objects to format", ((-1, None),),
                     mode="with-arguments"))  # fmt: skip


def _connection_and_file_sinks(add: Callable[[SinkSpec], None]) -> None:
    """Raw connections to an address from input (SSRF) and files a response sends by path."""
    add(SinkSpec("ssrf", "socket.create_connection", "connection address", ((0, "address"),)))
    add(SinkSpec("ssrf", "socket.socket().connect", "connection address", ((0, "address"),)))
    # Archives unpacked from a path of the input's choosing, into a folder of its choosing.
    add(SinkSpec("path", "shutil.unpack_archive", "archive path", ((0, "filename"), (1, "extract_dir"))))
    # Key-value database files opened by a path of the input's choosing.
    for name in ("shelve.open", "dbm.open", "dbm.gnu.open", "dbm.ndbm.open", "dbm.dumb.open", "dbm.sqlite3.open"):
        add(SinkSpec("path", name, "database file path", ((0, "filename"), (0, "file"))))
    # Requests built before they are sent, and clients whose every request goes below a base URL
    # (``base_url`` is keyword-only for httpx: position 99 is never given).
    for name in ("requests.Request", "requests.models.Request"):
        add(SinkSpec("ssrf", name, "request URL", ((1, "url"),)))
    for name in ("httpx.Client", "httpx.AsyncClient"):
        add(SinkSpec("ssrf", name, "base URL of every request", ((99, "base_url"),)))
    add(SinkSpec("ssrf", "aiohttp.ClientSession", "base URL of every request", ((0, "base_url"),)))
    # aiohttp's one-shot ``aiohttp.request(method, url)`` and a session's other verbs.
    add(SinkSpec("ssrf", "aiohttp.request", "request URL", ((1, "url"),)))
    for verb in ("put", "patch", "delete", "head", "options", "request", "ws_connect"):
        position = 1 if verb == "request" else 0
        add(SinkSpec("ssrf", f"aiohttp.ClientSession().{verb}", "request URL", ((position, "url"),)))
    # cloudpickle reads the pickle format: loading runs what the data names.
    for name in ("cloudpickle.loads", "cloudpickle.load"):
        add(SinkSpec("deserialization", name, "deserialized data"))
    # Files opened asynchronously: ``aiofiles.open`` takes the same path as ``open``.
    add(SinkSpec("path", "aiofiles.open", "file path", ((0, "file"),)))
    # Mail and file-transfer clients connect to the host they are made with.
    for name in ("smtplib.SMTP", "smtplib.SMTP_SSL", "smtplib.LMTP", "ftplib.FTP", "ftplib.FTP_TLS",
                 "imaplib.IMAP4", "imaplib.IMAP4_SSL", "poplib.POP3", "poplib.POP3_SSL"):  # fmt: skip
        add(SinkSpec("ssrf", name, "server host", ((0, "host"),)))
    for name in ("starlette.responses.FileResponse", "fastapi.responses.FileResponse", "aiohttp.web.FileResponse",
                 "aiohttp.web_fileresponse.FileResponse"):  # fmt: skip
        add(SinkSpec("path", name, "file sent in the response", ((0, "path"),)))
    for name in ("sanic.response.file", "sanic.response.file_stream"):
        add(SinkSpec("path", name, "file sent in the response", ((0, "location"),)))
    for name in ("quart.send_file", "werkzeug.utils.send_file"):
        add(SinkSpec("path", name, "file path", ((0, "filename_or_io"), (0, "path_or_file")), takes_files=True))
    # Responses whose body is HTML only where the call declares an HTML content type (``text``
    # is keyword-only in aiohttp: position 99 is never given).
    for name in ("aiohttp.web.Response", "aiohttp.web_response.Response"):
        add(SinkSpec("xss", name, "HTTP response body declared HTML", ((99, "text"), (0, "body")), mode="html-typed",
                     clean_result=True))  # fmt: skip
    # Django's HttpResponse subclasses for errors answer HTML too, and ``response.write`` adds to the body.
    for name in ("HttpResponseBadRequest", "HttpResponseNotFound", "HttpResponseForbidden", "HttpResponseGone",
                 "HttpResponseServerError", "HttpResponseNotAllowed"):  # fmt: skip
        position = 1 if name == "HttpResponseNotAllowed" else 0
        for module in ("django.http", "django.http.response"):
            add(SinkSpec("xss", f"{module}.{name}", "HTTP response body", ((position, "content"),), mode="response",
                         clean_result=True))  # fmt: skip
    for module in ("django.http", "django.http.response"):
        add(SinkSpec("xss", f"{module}.HttpResponse().write", "HTTP response body", ((0, "content"),),
                     mode="response"))  # fmt: skip
        # A streamed body answers HTML too unless the call declares another content type.
        add(SinkSpec("xss", f"{module}.StreamingHttpResponse", "HTTP response body", ((0, "streaming_content"),),
                     mode="response", clean_result=True))  # fmt: skip
    for name in ("fastapi.Response", "fastapi.responses.Response", "starlette.responses.Response"):
        add(SinkSpec("xss", name, "HTTP response body declared HTML", ((0, "content"),), mode="html-typed",
                     clean_result=True))  # fmt: skip


def _probe_sinks(add: Callable[[SinkSpec], None]) -> None:
    """File-existence checks (CWE-22, low severity): the answer tells what exists."""
    for name in ("exists", "lexists", "isfile", "isdir", "islink", "ismount", "getsize", "getmtime", "getatime",
                 "getctime"):  # fmt: skip
        add(SinkSpec(FILE_PROBE, f"os.path.{name}", "path checked for existence", ((0, "path"),)))
    for name in ("stat", "lstat", "access"):
        add(SinkSpec(FILE_PROBE, f"os.{name}", "path checked for existence", ((0, "path"),)))
    for method in ("exists", "is_file", "is_dir", "is_symlink", "stat", "lstat"):
        for kind in _PATH_TYPES:
            add(SinkSpec(FILE_PROBE, f"{kind}.{method}", "path checked for existence", ((-1, None),)))


def _nosql_sinks(add: Callable[[SinkSpec], None]) -> None:
    """MongoDB filters and server-side JavaScript, DynamoDB expressions (CWE-943)."""
    for method in ("find", "find_one", "count_documents", "delete_one", "delete_many", "update_one",
                   "update_many", "find_one_and_delete", "find_one_and_update", "find_one_and_replace",
                   "replace_one", "distinct", "count"):  # fmt: skip
        position = 1 if method == "distinct" else 0
        add(SinkSpec(NOSQL, "." + method, "MongoDB query document", ((position, "filter"), (position, "spec")),
                     requires_import=_MONGO, dict_keys=_JS_KEYS, documents=True))  # fmt: skip
    add(SinkSpec(NOSQL, ".aggregate", "MongoDB aggregation pipeline", ((0, "pipeline"),), requires_import=_MONGO,
                 dict_keys=_JS_KEYS, documents=True))  # fmt: skip
    add(SinkSpec(NOSQL, ".map_reduce", "MongoDB map/reduce JavaScript", ((0, "map"), (1, "reduce")),
                 requires_import=_MONGO))  # fmt: skip
    add(SinkSpec(NOSQL, ".eval", "JavaScript run by the MongoDB server", ((0, "code"),), requires_import=_MONGO,
                 receiver_hint="db"))  # fmt: skip
    add(SinkSpec(NOSQL, ".command", "MongoDB database command", ((0, "command"),), requires_import=_MONGO,
                 dict_keys=(*_JS_KEYS, "eval", "mapReduce", "map", "reduce")))  # fmt: skip
    expressions = ((-1, "FilterExpression"), (-1, "KeyConditionExpression"), (-1, "ConditionExpression"),
                   (-1, "ProjectionExpression"), (-1, "UpdateExpression"))  # fmt: skip
    for method in ("scan", "query", "update_item", "delete_item", "put_item"):
        add(SinkSpec(NOSQL, "." + method, "DynamoDB expression", expressions, mode="keywords",
                     requires_import=("boto3", "aioboto3"), built_text=True))  # fmt: skip
    for method in ("execute_statement", "batch_execute_statement"):
        add(SinkSpec(NOSQL, "." + method, "DynamoDB PartiQL statement", ((-1, "Statement"),), mode="keywords",
                     requires_import=("boto3", "aioboto3"), built_text=True))  # fmt: skip


def _template_sinks(add: Callable[[SinkSpec], None]) -> None:
    """Template source chosen by the client (CWE-1336)."""
    what = "template source (server-side template injection)"
    for name in ("flask.render_template_string", "quart.render_template_string"):
        add(SinkSpec(TEMPLATE, name, what, ((0, "source"),)))
    for name in ("jinja2.Template", "jinja2.environment.Template", "django.template.Template",
                 "django.template.base.Template", "mako.template.Template", "bottle.SimpleTemplate",
                 "tornado.template.Template", "chevron.render", "pystache.render"):  # fmt: skip
        add(SinkSpec(TEMPLATE, name, what, ((0, "source"), (0, "template_string"), (0, "text"), (0, "template"))))
    add(SinkSpec(TEMPLATE, "bottle.template", what, ((0, "tpl"),)))
    add(SinkSpec(TEMPLATE, ".from_string", what, ((0, "source"), (0, "template_code")),
                 requires_import=("jinja2", "django")))  # fmt: skip


def _eval_like_sinks(add: Callable[[SinkSpec], None]) -> None:
    """Libraries that evaluate expressions written in Python syntax (code injection, CWE-94)."""
    what = "expression evaluated by a library"
    for name in ("PIL.ImageMath.eval", "PIL.ImageMath.unsafe_eval", "PIL.ImageMath.lambda_eval"):
        add(SinkSpec("code", name, what, ((0, "expression"),)))
    for name in ("numexpr.evaluate", "numexpr.re_evaluate", "pandas.eval", "asteval.Interpreter().eval",
                 "simpleeval.simple_eval"):  # fmt: skip
        add(SinkSpec("code", name, what, ((0, "ex"), (0, "expr"))))
    for method in ("query", "eval"):
        add(SinkSpec("code", "." + method, "expression evaluated by pandas", ((0, "expr"),),
                     requires_import=("pandas", "modin")))  # fmt: skip


# Modules whose objects have find/findall methods that take no ElementPath: ``str(x)``,
# compiled regular expressions, JSONPath expressions, BeautifulSoup trees, MongoDB collections.
_OTHER_FINDERS = ("builtins", "re", "regex", "jsonpath_ng", "jsonpath_rw", "bs4", *_MONGO)


def _xpath_sinks(add: Callable[[SinkSpec], None]) -> None:
    """XPath engines beyond ``.xpath()`` (CWE-643); values passed as variables stay safe."""
    what = "XPath expression"
    # ElementTree/lxml elements' path searches; a string's ``find``, a compiled pattern's
    # ``findall``, a JSONPath expression's ``find(document)``, BeautifulSoup's ``find(name)`` and a
    # MongoDB collection's ``find(filter)`` (a dict: no path) are other APIs of the same names.
    for method in ("find", "findall", "iterfind", "findtext"):
        add(SinkSpec("xpath", "." + method, "ElementPath expression", ((0, "path"),),
                     requires_import=("xml", "lxml", "defusedxml"),
                     other_receivers=_OTHER_FINDERS, json_dicts=True))  # fmt: skip
    for name in ("elementpath.select", "elementpath.iter_select"):
        add(SinkSpec("xpath", name, what, ((1, "path"),)))
    add(SinkSpec("xpath", "elementpath.Selector", what, ((0, "path"),)))
    for kind in ("lxml.etree.XPathEvaluator()", "lxml.etree.XPathElementEvaluator()",
                 "lxml.etree.XPathDocumentEvaluator()"):  # fmt: skip
        add(SinkSpec("xpath", f"{kind}.__call__", what, ((0, "_path"),)))
        add(SinkSpec("xpath", f"{kind}.evaluate", what, ((0, "_eval_arg"),)))


def _redirect_sinks(add: Callable[[SinkSpec], None]) -> None:
    """Redirects of other frameworks, raised 3xx responses and a ``Location`` header set by hand (CWE-601)."""
    for name in ("tornado.handler.redirect", "bottle.redirect", "quart.redirect", "sanic.response.redirect",
                 "sanic.redirect"):  # fmt: skip
        add(SinkSpec("redirect", name, "redirect target", ((0, "url"), (0, "location"), (0, "to"))))
    for module in ("falcon", "aiohttp.web", "pyramid.httpexceptions", "webob.exc"):
        for status in ("HTTPFound", "HTTPSeeOther", "HTTPMovedPermanently", "HTTPTemporaryRedirect",
                       "HTTPPermanentRedirect"):  # fmt: skip
            add(SinkSpec("redirect", f"{module}.{status}", "redirect target", ((0, "location"),)))
    add(SinkSpec("redirect", "django.http.response.HttpResponsePermanentRedirect", "redirect target",
                 ((0, "redirect_to"),)))  # fmt: skip
    add(SinkSpec("redirect", "http.server.handler.send_header", _LOCATION, ((1, "value"),), first_is="Location"))
    for method in ("set_header", "add_header"):
        add(SinkSpec("redirect", "." + method, _LOCATION, ((1, "value"),), requires_import=("tornado",),
                     first_is="Location"))  # fmt: skip
    for method in ("add", "set", "setdefault", "add_header"):
        add(SinkSpec("redirect", "." + method, _LOCATION, ((1, "_value"), (1, "value")), receiver_hint="headers",
                     requires_import=_WEB, first_is="Location"))  # fmt: skip


# Request data that may be a parsed document (a JSON body: dicts and lists, not only text), and
# the parsers that make one from text: a value of theirs written into a MongoDB filter may be an
# operator (``{"$ne": null}``); ``str(v)``, ``int(v)`` and text built from it are not.
DOCUMENT_SOURCES = frozenset(
    {"flask.request.json", "flask.request.get_json", "starlette.request.json", "aiohttp.request.json",
     "webob.request.json_body", "webob.request.json", "django.request.data", "django.view.request.data",
     "falcon.request.media", "falcon.request.get_media", "bottle.request.json", "sanic.request.json"}
)  # fmt: skip
DOCUMENT_PARSERS = frozenset({"json.loads", "ujson.loads", "orjson.loads", "simplejson.loads"})

EXTRA_STORE_SINKS = (
    StoreSink("redirect", ".headers", _LOCATION, _WEB, key="Location"),
    StoreSink("redirect", "django.http.HttpResponse()", _LOCATION, key="Location"),
    StoreSink("redirect", "django.http.response.HttpResponse()", _LOCATION, key="Location"),
    StoreSink("redirect", "flask.make_response()", _LOCATION, key="Location"),
    *(
        StoreSink("redirect", f"django.http.{kind}()", _LOCATION, key="Location")
        for kind in ("HttpResponseRedirect", "HttpResponsePermanentRedirect", "response.HttpResponseRedirect")
    ),
    StoreSink("trust-boundary", "flask.session", "key of a session entry", on_key=True),
    StoreSink("trust-boundary", "django.request.session", "key of a session entry", on_key=True),
    StoreSink("trust-boundary", "starlette.request.session", "key of a session entry", on_key=True),
    StoreSink("trust-boundary", "django.view.request.session", "key of a session entry", on_key=True),
    # a session's entries come back with the client's later requests: read back, they are input
    StoreSink("trust-boundary", "django.view.request.session", "value stored in the session", kept=True),
)

# Template files rendered with a context: (template argument, context argument; -1 = keywords).
# Response bodies set as attributes: Falcon's ``resp.text`` / ``resp.body`` / ``resp.data`` is
# HTML only when the responder says so (Falcon answers JSON by default); ``resp.media`` is
# serialized by the media handler (JSON), not a markup sink.
ATTRIBUTE_SINKS = tuple(
    AttributeSink("xss", attr, "HTML response body", ("resp", "response"), ("falcon",), html_only=True)
    for attr in ("text", "body", "data")
)

# Methods a framework calls for a value it then uses: what a subclass's method returns.
METHOD_RETURN_SINKS = tuple(
    (base, "get_redirect_url", SinkSpec("redirect", "return", "redirect target returned by `get_redirect_url()`"))
    for base in ("django.views.generic.RedirectView", "django.views.generic.base.RedirectView")
)

# Inline templates that escape their variables by default, and the context objects they render.
AUTOESCAPED_TEMPLATES = frozenset({"django.template.Template", "django.template.base.Template"})
TEMPLATE_CONTEXTS = frozenset(
    {
        "django.template.Context",
        "django.template.context.Context",
        "django.template.RequestContext",
        "django.template.context.RequestContext",
    }
)

TEMPLATE_RENDERERS = (
    SinkSpec("xss", "flask.render_template", "", ((0, "template_name_or_list"), (-1, None))),
    SinkSpec("xss", "quart.render_template", "", ((0, "template_name_or_list"), (-1, None))),
    SinkSpec("xss", "django.shortcuts.render", "", ((1, "template_name"), (2, "context"))),
    SinkSpec("xss", "django.template.loader.render_to_string", "", ((0, "template_name"), (1, "context"))),
    *(
        SinkSpec("xss", f"aiohttp_jinja2.{name}", "", ((0, "template_name"), (2, "context")))
        for name in ("render_template", "render_string", "render_template_async", "render_string_async")
    ),
    # Starlette/FastAPI ``Jinja2Templates(...).TemplateResponse``: ``(request, name, context)``, or
    # the older ``(name, context)`` (the spec whose template position holds no name checks nothing).
    *(
        SinkSpec("xss", f"{package}.templating.Jinja2Templates().TemplateResponse", "", places)
        for package in ("starlette", "fastapi")
        for places in (((1, "name"), (2, "context")), ((0, "name"), (1, "context")))
    ),
)

# Handlers decorated with the template their returned dict is rendered with → that renderer.
TEMPLATE_DECORATORS = {"aiohttp_jinja2.template": "aiohttp_jinja2.render_template"}

# Jinja2 environments: the escaping without ``autoescape=`` (Jinja2 escapes nothing by default).
INLINE_TEMPLATES = frozenset({"jinja2.Template", "jinja2.environment.Template"})
TEMPLATE_ENVIRONMENTS = {
    name: "off"
    for name in ("jinja2.Environment", "jinja2.environment.Environment", "jinja2.sandbox.SandboxedEnvironment",
                 *INLINE_TEMPLATES)
}  # fmt: skip
AUTOESCAPE_SELECTORS = frozenset({"jinja2.select_autoescape", "jinja2.utils.select_autoescape"})
# aiohttp-jinja2 escapes templates named .html, .htm, .xhtml, .xml and .jinja2 unless set up
# otherwise; Flask and Quart escape templates named .html, .htm, .xml, .xhtml and .svg, Starlette
# every template (a setup call of their own is not looked for: "" never names a call).
ENVIRONMENT_SETUPS = {
    **{
        renderer.name: ("aiohttp_jinja2.setup", "select:html,htm,xhtml,xml,jinja2::0")
        for renderer in TEMPLATE_RENDERERS
        if renderer.name.startswith("aiohttp_jinja2.")
    },
    "flask.render_template": ("", "select:html,htm,xml,xhtml,svg::0"),
    "quart.render_template": ("", "select:html,htm,xml,xhtml,svg::0"),
    # Starlette's ``Jinja2Templates`` escapes every template unless told otherwise.
    **{f"{package}.templating.Jinja2Templates().TemplateResponse": ("", "on") for package in ("starlette", "fastapi")},
}
