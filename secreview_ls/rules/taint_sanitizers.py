"""Sanitizers, propagators and guards of the taint analysis, as data (``taint_tables`` builds
the engine's spec from them): calls whose result cannot carry syntax for some classes, calls
whose result is their argument's text, methods that clean or test a value, calls that prove an
argument safe when true, calls that never return, and calls whose result carries no data."""

from __future__ import annotations

from ..engine.taint import ALL_CLASSES
from .taint_extra import FILE_PROBE

EVERY_CLASS = frozenset({ALL_CLASSES})
_MARKUP = frozenset({"xss"})
SANITIZERS: dict[str, frozenset[str]] = {
    # Conversions to data that cannot carry syntax.
    "builtins.int": EVERY_CLASS,
    "builtins.float": EVERY_CLASS,
    "builtins.bool": EVERY_CLASS,
    "builtins.complex": EVERY_CLASS,
    "builtins.len": EVERY_CLASS,
    "uuid.UUID": EVERY_CLASS,
    "decimal.Decimal": EVERY_CLASS,
    "datetime.date.fromisoformat": EVERY_CLASS,
    "datetime.datetime.fromisoformat": EVERY_CLASS,
    "ipaddress.ip_address": frozenset({"command", "sql", "path", "xss", "header", "log", "ldap", "xpath"}),
    # Hashes and encodings.
    "hashlib.md5": EVERY_CLASS,
    "hashlib.sha1": EVERY_CLASS,
    "hashlib.sha256": EVERY_CLASS,
    "hashlib.sha512": EVERY_CLASS,
    "hashlib.blake2b": EVERY_CLASS,
    "hashlib.new": EVERY_CLASS,
    "hmac.new": EVERY_CLASS,
    "hmac.digest": EVERY_CLASS,
    # Password hashes: the modular crypt text (``$2b$12$...``) of a salted digest, none of the input.
    **dict.fromkeys(
        (
            "bcrypt.hashpw",
            "werkzeug.security.generate_password_hash",
            "django.contrib.auth.hashers.make_password",
            "passlib.context.CryptContext().hash",
            "passlib.hash.bcrypt.hash",
            "passlib.hash.pbkdf2_sha256.hash",
            "passlib.hash.sha256_crypt.hash",
            "passlib.hash.sha512_crypt.hash",
            "passlib.hash.argon2.hash",
            "argon2.PasswordHasher().hash",
        ),
        EVERY_CLASS,
    ),
    "base64.b16encode": EVERY_CLASS,
    "binascii.hexlify": EVERY_CLASS,
    # Command.
    "shlex.quote": frozenset({"command"}),
    "re.escape": frozenset({"regex"}),
    "regex.escape": frozenset({"regex"}),
    "pipes.quote": frozenset({"command"}),
    # ``shlex.join(parts)`` quotes every element of the list it joins.
    "shlex.join": frozenset({"command"}),
    # Markup.
    "html.escape": _MARKUP,
    "cgi.escape": _MARKUP,
    "markupsafe.escape": _MARKUP,
    "flask.escape": _MARKUP,
    "jinja2.escape": _MARKUP,
    "django.utils.html.escape": _MARKUP,
    "django.utils.html.conditional_escape": _MARKUP,
    "django.utils.html.strip_tags": _MARKUP,
    "bleach.clean": _MARKUP,
    "xml.sax.saxutils.escape": _MARKUP,
    "tornado.escape.xhtml_escape": _MARKUP,
    "flask.render_template": _MARKUP,
    "flask.jsonify": _MARKUP,
    "django.shortcuts.render": _MARKUP,
    "django.template.loader.render_to_string": _MARKUP,
    "django.http.JsonResponse": _MARKUP,
    # JSON text escapes every control character of a string (``\n`` is written as two characters).
    "json.dumps": _MARKUP | {"log", "header"},
    # Paths.
    "os.path.basename": frozenset({"path"}),
    "werkzeug.utils.secure_filename": frozenset({"path", "command", "xss", "header", "log", "redirect", "sql"}),
    "werkzeug.security.safe_join": frozenset({"path"}),
    "werkzeug.utils.safe_join": frozenset({"path"}),
    "flask.safe_join": frozenset({"path"}),
    "django.utils._os.safe_join": frozenset({"path"}),
    "django.utils.text.get_valid_filename": frozenset({"path", "command"}),
    # URLs.
    "urllib.parse.quote": frozenset({"xss", "header", "log", "sql", "command", "ldap", "xpath"}),
    "urllib.parse.quote_plus": frozenset({"xss", "header", "log", "sql", "command", "ldap", "xpath", "path"}),
    "urllib.parse.urlencode": frozenset({"xss", "header", "log", "sql", "command", "ldap", "xpath"}),
    "flask.url_for": frozenset({"redirect", "ssrf", "xss", "header", "log", "path"}),
    "django.urls.reverse": frozenset({"redirect", "ssrf", "xss", "header", "log", "path"}),
    "django.shortcuts.resolve_url": frozenset({"redirect"}),
    # LDAP / SQL escaping.
    "ldap.filter.escape_filter_chars": frozenset({"ldap"}),
    "ldap.filter.filter_format": frozenset({"ldap"}),
    "ldap.dn.escape_dn_chars": frozenset({"ldap"}),
    "ldap3.utils.conv.escape_filter_chars": frozenset({"ldap"}),
    "pymysql.converters.escape_string": frozenset({"sql"}),
    "MySQLdb.escape_string": frozenset({"sql"}),
    "psycopg2.extensions.quote_ident": frozenset({"sql"}),
    # psycopg's composition objects quote a name or a value for the statement they join.
    **{
        f"{module}.sql.{cls}": frozenset({"sql"})
        for module in ("psycopg", "psycopg2")
        for cls in ("Identifier", "Literal")
    },
    # Data formats whose output is data.
    "json.loads": frozenset({"deserialization"}),
    # A pickle the process makes from an object it holds rebuilds that object and nothing else
    # (``pickle.loads(pickle.dumps(obj))`` is a deep copy), whatever the object's values are.
    **{
        f"{module}.dumps": frozenset({"deserialization"})
        for module in ("pickle", "_pickle", "cPickle", "dill", "cloudpickle", "marshal")
    },
}
# What cleans a path cleans it for an existence check too.
SANITIZERS.update({name: classes | {FILE_PROBE} for name, classes in SANITIZERS.items() if "path" in classes})
# Calls whose result is their arguments' text, decoded: the data goes on as it is (not opaque).
PROPAGATORS = frozenset(
    {"urllib.parse.unquote", "urllib.parse.unquote_plus", "urllib.parse.unquote_to_bytes", "html.unescape",
     "textwrap.dedent", "textwrap.indent", "codecs.decode", "codecs.encode", "shlex.join", "string.Template",
     "io.StringIO", "io.BytesIO", "urllib.parse.parse_qs", "urllib.parse.parse_qsl",
     # The message of an exception built from a text is that text (``str(error)``, ``error.args``).
     *(f"builtins.{error}" for error in (
         "Exception", "ValueError", "RuntimeError", "TypeError", "LookupError", "PermissionError",
         "NotImplementedError", "AssertionError", "OSError", "ArithmeticError")),
     }
)  # fmt: skip
# Calls whose output is made from one argument's text only (position, keyword): docutils renders
# its ``source``; ``source_path``/``destination_path``/``settings_overrides`` are labels and
# options. The source stays tainted: reStructuredText can carry links to ``javascript:`` URLs.
CONTENT_ARGUMENTS: dict[str, tuple[tuple[int, str], ...]] = {
    "docutils.core.publish_parts": ((0, "source"),),
    "docutils.core.publish_string": ((0, "source"),),
    "docutils.core.publish_doctree": ((0, "source"),),
    "docutils.core.publish_file": ((0, "source"),),
    ".bindparams": (),  # SQLAlchemy: bound values travel apart from the statement's text
}
# Markdown renderers: the keyword switching escaping on or off (None: none does), and whether they
# escape without it. markdown2 escapes or drops raw HTML with a ``safe_mode``; Python-Markdown had one
# before 3.0 and since ignores it, as any keyword it does not know; mistune's ``markdown()`` escapes
# unless ``escape=False``, its ready-made ``html()`` never does.
MARKDOWN_RENDERERS: dict[str, tuple[str | None, bool]] = {
    "markdown.markdown": (None, False),
    "markdown2.markdown": ("safe_mode", False),
    "mistune.markdown": ("escape", True),
    "mistune.html": ("escape", False),
}
# Their result is made from their source text only (options and extensions are settings).
CONTENT_ARGUMENTS.update(dict.fromkeys(MARKDOWN_RENDERERS, ((0, "text"),)))
# Plural lookups: the count only picks the singular or the plural message (or its translation),
# it never becomes part of the text; a context or a domain names the catalogue entry.
_PLURALS = {"ngettext": 0, "ngettext_lazy": 0, "ungettext": 0, "ungettext_lazy": 0, "npgettext": 1,
            "npgettext_lazy": 1, "dngettext": 1, "dnpgettext": 2}  # fmt: skip
for _module in ("django.utils.translation", "gettext"):
    for _function, _first in _PLURALS.items():
        CONTENT_ARGUMENTS[f"{_module}.{_function}"] = ((_first, "singular"), (_first + 1, "plural"))
CONTENT_ARGUMENTS[".ngettext"] = ((0, "singular"), (1, "plural"))  # a translations object's method
CONTENT_ARGUMENTS[".npgettext"] = ((1, "singular"), (2, "plural"))
# Encodings whose text cannot carry syntax, and the decoders that give the data back.
ENCODERS = frozenset(
    {"base64.b64encode", "base64.urlsafe_b64encode", "base64.standard_b64encode", "base64.b32encode",
     "base64.b85encode", "base64.a85encode", "base64.encodebytes"}
)  # fmt: skip
DECODERS = frozenset(
    {"base64.b64decode", "base64.urlsafe_b64decode", "base64.standard_b64decode", "base64.b32decode",
     "base64.b85decode", "base64.a85decode", "base64.decodebytes", "base64.b16decode", "binascii.unhexlify",
     "binascii.a2b_base64", "bytes.fromhex"}
)  # fmt: skip
BUFFER_KINDS = frozenset({"io.StringIO()", "io.BytesIO()"})
METHOD_SANITIZERS: dict[str, frozenset[str]] = {
    "hexdigest": EVERY_CLASS,
    "digest": EVERY_CLASS,
    "isdigit": EVERY_CLASS,
    "isdecimal": EVERY_CLASS,
    "isnumeric": EVERY_CLASS,
    "isalnum": EVERY_CLASS,
    "isalpha": EVERY_CLASS,
    "isidentifier": EVERY_CLASS,
    "isascii": EVERY_CLASS,
    "startswith": EVERY_CLASS,
    "endswith": EVERY_CLASS,
    "count": EVERY_CLASS,
    "find": EVERY_CLASS,
    "rfind": EVERY_CLASS,
    "index": EVERY_CLASS,
    "rindex": EVERY_CLASS,
    "__len__": EVERY_CLASS,
    "__contains__": EVERY_CLASS,
    "exists": EVERY_CLASS,
    "is_file": EVERY_CLASS,
    "is_dir": EVERY_CLASS,
    "hex": EVERY_CLASS,
    "__html__": _MARKUP,  # the object's own HTML, safe by the markup protocol
    "escape_string": frozenset({"sql"}),
    "quote_ident": frozenset({"sql"}),
    # SQLAlchemy criteria: keyword values of ``filter_by`` and the operands of a column's ``in_`` /
    # ``like`` operators are bound parameters of the statement, never its text.
    **dict.fromkeys(
        ("filter_by", "in_", "not_in", "notin_", "like", "ilike", "not_like", "notlike", "not_ilike", "notilike"),
        frozenset({"sql"}),
    ),
    # A password-database entry is the system's record, whichever user's name or id was asked:
    # its shell and home directory are not the text of the lookup.
    "getpwnam": frozenset({"command", "path"}),
    "getpwuid": frozenset({"command", "path"}),
}
# Calls that, when true, prove an argument safe: (position, classes); -1 = the receiver.
GUARDS: dict[str, tuple[int, frozenset[str]]] = {
    ".isdigit": (-1, EVERY_CLASS),
    ".isdecimal": (-1, EVERY_CLASS),
    ".isnumeric": (-1, EVERY_CLASS),
    ".isalnum": (-1, EVERY_CLASS),
    ".isalpha": (-1, EVERY_CLASS),
    ".isidentifier": (-1, EVERY_CLASS),
    ".fullmatch": (0, EVERY_CLASS),
    "re.fullmatch": (1, EVERY_CLASS),
    # with a literal pattern anchored at its end (``^`` too for ``search``); a pattern the module
    # compiles once from such a literal, without flags, guards the same way with its ``.match`` /
    # ``.search`` (``conditions.py``)
    "re.match": (1, EVERY_CLASS),
    "re.search": (1, EVERY_CLASS),
    "django.utils.http.url_has_allowed_host_and_scheme": (0, frozenset({"redirect"})),
    "django.utils.http.is_safe_url": (0, frozenset({"redirect"})),
    # A language code Django accepts: letters, digits, ``-`` and ``@`` only, of an installed locale.
    "django.utils.translation.check_for_language": (0, EVERY_CLASS),
    ".startswith": (-1, frozenset({"path"})),
    ".is_relative_to": (-1, frozenset({"path"})),
}
GUARDS.update({name: (at, classes | {FILE_PROBE}) for name, (at, classes) in GUARDS.items() if "path" in classes})
NORETURN = frozenset(
    {"flask.abort", "werkzeug.exceptions.abort", "sys.exit", "os._exit", "builtins.exit", "builtins.quit",
     "fastapi.HTTPException", "django.core.exceptions.PermissionDenied"}
)  # fmt: skip
CLEAN_CALLS = frozenset(
    {"builtins.isinstance", "builtins.issubclass", "builtins.hasattr", "builtins.callable", "builtins.id",
     "builtins.hash", "builtins.abs", "builtins.round", "builtins.ord", "builtins.type", "builtins.print",
     "os.path.exists", "os.path.isfile", "os.path.isdir", "os.path.getsize", "os.getpid", "time.time",
     "secrets.token_hex", "secrets.token_urlsafe", "uuid.uuid4",
     # the standard library's reason phrase for an HTTP status code
     "http.client.responses.get"}
    # A database engine, pool or connection opened from a URL or DSN: its dialect, name, driver
    # and the rows it returns are the library's and the database's, not the text it was opened with.
    | {f"sqlalchemy.{name}" for name in ("create_engine", "engine.create_engine", "engine_from_config",
                                        "engine.engine_from_config", "ext.asyncio.create_async_engine",
                                        "ext.asyncio.async_engine_from_config")}
    | {f"{module}.connect" for module in ("sqlite3", "psycopg2", "psycopg", "pymysql", "MySQLdb", "asyncpg",
                                          "aiosqlite", "cx_Oracle", "oracledb", "pyodbc", "duckdb")}
    | {"asyncpg.create_pool", "aiomysql.create_pool", "aiopg.create_pool", "psycopg_pool.ConnectionPool"}
)  # fmt: skip
STRING_METHODS = frozenset(
    {"lower", "upper", "strip", "lstrip", "rstrip", "title", "capitalize", "casefold", "swapcase",
     "replace", "format", "format_map", "join", "split", "rsplit", "splitlines", "partition",
     "rpartition", "encode", "decode", "ljust", "rjust", "center", "zfill", "expandtabs",
     "removeprefix", "removesuffix", "translate", "strftime", "read", "readline", "readlines",
     "getlist", "get", "getvalue", "get_json", "get_data", "to_dict", "dict", "values", "items",
     "keys", "copy", "__str__", "tobytes", "as_posix", "resolve", "absolute", "joinpath", "with_name",
     "with_suffix", "text", "json"}
)  # fmt: skip
