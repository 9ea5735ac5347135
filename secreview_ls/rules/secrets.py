"""Secrets written into source code (SR75x): passwords, tokens and keys as literals.

A finding needs both a name that means a secret (``password``, ``api_key``,
``auth_token`` — not ``password_field`` or ``TOKEN_URL``) and a value that
looks like one (not empty, not a placeholder such as ``"changeme"`` or
``"<your-token>"``, not an environment variable name or a sentence).
Test code is not reported by default: fixture credentials are not secrets in use.

Judged by role as well as by look: a value that is an identifier (``"_password_reset_token"``,
a session key name), a name that starts with an action (``update_password == "always"``,
an option), a reply code (``PWD_REPLY``), an e-mail address (anonymous FTP's password) or
a mapping of field names (``dict(username="user", password="passwd")``) or of field types
(``{"Client": "string", "Secret": "password"}``), a mount point or engine name (``secrets_mount``)
and a module constant read only as a lookup key (``store.get(_SESSION_KEY)``, ``store[_SESSION_KEY]``)
hold no credential. Literals in an ``if __name__ == "__main__":`` block that asserts results (the
module's manual self-test) are fixtures, like those of test code.
A literal the program uses as its signing key (``SECRET_KEY``, ``app.secret_key``,
``JWT_SECRET_KEY``) or passes straight to ``jwt.encode``/``.login(user, ...)`` is reported
whatever it looks like: a placeholder that is in use is the key in force. Django-style
database settings naming a user with an empty ``PASSWORD`` (not SQLite) are reported with low
confidence.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import lru_cache

from ..engine.facts import keyword_value
from ..engine.finding import Finding
from .base import LOW, MEDIUM, RuleContext, rule
from .connection_strings import connection_strings, dsn_password
from .judge import identifier_words

_PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "passphrase", "pass", "pw", "secret", "passcode"})
_SECRET_WORDS = _PASSWORD_WORDS | {"token", "apikey", "credential", "credentials", "secrets", "passwords"}
_KEY_QUALIFIERS = frozenset(
    {
        "api",
        "secret",
        "private",
        "access",
        "signing",
        "encryption",
        "auth",
        "client",
        "master",
        "app",
        "consumer",
        "license",
        "hmac",
        "aes",
        "session",
    }
)
# Words that turn a secret-sounding name into the name of something else.
_NOT_SECRET_WORDS = frozenset(
    """url uri urls endpoint endpoints field fields label labels name names type types prompt prompts path paths
    file files filename dir directory header headers param params parameter parameters length len size count min
    max regex pattern patterns re rx format fmt env var variable placeholder hint message msg messages text help
    title policy id ids attr attribute column col validator validators validation error errors input widget
    form template templates mode method expiry expires expiration ttl timeout lifetime age scheme prefix suffix
    location class cls factory backend backends manager store storage provider service source generator audience
    issuer algorithm alg kind setting settings option options flag enabled required changed index idx num limit
    pos position start end char chars separator sep delimiter encoding charset version location
    element selector xpath locator button link css html view route handler callback event events hook signal
    mask masked strength complexity rule rules history state status module mount engine
    cache pool lock queue store keyword keywords ref refs reference map table
    dict list set tuple sample example examples default defaults doc docs description
    reply replies response command cmd columns cols page pages pagination cursor
    """.split()
)
# The first word of a listing's page cursor (``next_page_token``, ``page_token``, ``NextToken``): an
# opaque position the server hands out with a page, not a credential.
_PAGINATION_FIRST = frozenset({"page", "pagination", "continuation", "next", "prev", "previous", "cursor"})
_PLACEHOLDER_VALUES = frozenset(
    """token key apikey api_key none null nil undefined test testing dummy fake
    example sample placeholder redacted hidden masked changeme change_me change-me changeit xxx xxxx todo tbd fixme
    default string str value required optional unset empty n/a na secret_key your_password your-password
    yourpassword password123 mypassword mysecret your_token your-token your_api_key your-api-key foo bar baz
    foobar user username anonymous yes no true false on off enabled disabled auto""".split()
)
_PLACEHOLDER_SHAPES = re.compile(
    r"""^(?:
        (.)\1{2,}                     # ****, xxxx, ....
      | <[^<>]*>                      # <your-token>
      | \$\{?[\w.:-]+\}?              # $TOKEN, ${TOKEN}
      | \{\{.*\}\}                    # {{ token }}
      | \{[\w.]*\}                    # {token}
      | %\(\w+\)s | %s                # %(password)s
      | [A-Z][A-Z_]*                  # NAME, DB_PASSWORD (constant / environment variable names)
      | [A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+ # DB_PASSWORD_2
      | [a-z_][\w]*(?:\.[\w]+)+       # dotted.module.Path
      | (?:https?|file|ftp)://\S*     # URLs
      | [./~].*                       # paths
      | \{[a-z_][a-z0-9_.]*\}(?:\{[a-z_][a-z0-9_.]*\}|[a-z0-9_.-])*/[a-z0-9_./-]*  # {base}/reset: URL templates
    )$""",
    re.VERBOSE,
)


# A name that starts with an action is the name of a setting about the credential
# (``update_password = 'always'``, ``reset_token_ttl``), not of the credential.
ACTION_FIRST = frozenset(
    """update change reset set require check verify validate hash encrypt decrypt generate rotate show hide
    use allow enable disable ask prompt forgot save store send expire remember""".split()
)
# Names whose value is the key an application signs or encrypts with (``SECRET_KEY``,
# ``app.secret_key``, ``JWT_SECRET``): a literal there is in use, placeholder-looking or not.
_SIGNING_KEY_NAMES = (("secret", "key"), ("signing", "key"), ("jwt", "secret"), ("jwt", "key"), ("hmac", "key"))
_USER_KEYS = frozenset({"user", "username", "usr", "login", "userid"})
_USER_FIELD_WORDS = _USER_KEYS | {"name", "user_name", "login_name"}
_IDENTIFIER_VALUE = re.compile(r"^_*[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")
_EMAIL_VALUE = re.compile(r"^[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+$")
# an object reference in entry-point syntax: ``package.module:Name`` / ``module:factory.attr``
_OBJECT_REFERENCE = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+:[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$")
_TEMPLATE_VALUE = re.compile(r"^(?:\$\{?[\w.:-]+\}?|\{\{.*\}\}|\{[\w.]*\}|%\(\w+\)s|%s|<[^<>]*>)$")


@lru_cache(maxsize=4096)
def _name_words(name: str) -> tuple[str, ...]:
    """``identifier_words`` of a name, kept: the rules ask about the same parameter and variable
    names over and over (``name``, ``value``, ``text`` in every class of a module)."""
    return tuple(identifier_words(name))


def is_signing_key_name(name: str) -> bool:
    """``SECRET_KEY``, ``app.secret_key``, ``JWT_SECRET_KEY``, ``signing_key``."""
    words = _name_words(name)
    return len(words) >= 2 and tuple(words[-2:]) in _SIGNING_KEY_NAMES


def used_literal_key(value: str) -> bool:
    """A literal a program actually uses as its key or password: anything but empty or a template."""
    stripped = value.strip()
    return bool(stripped) and not _TEMPLATE_VALUE.match(stripped)


# Secret words as values: the name of a field (``PASSWORD = "password"``) when the value repeats a
# word of the name it is assigned to, a weak credential otherwise (``SMTP_PASSWORD = "secret"``).
_SELF_NAMING_VALUES = frozenset({"password", "passwd", "pwd", "pass", "secret", "passphrase", "passcode"})
_SENTENCE_END = (".", ":", "?", "!", "…")

# Character classes are matched over bounded, bracket-free runs: the search stays linear on
# a long string of brackets.
_REGEX_SYNTAX = re.compile(r"\\[dswbDSWB]|\(\?[:=!<P]|\[[^\][]{0,64}?\w-\w[^\][]{0,64}\]|\{\d+(?:,\d*)?\}")


def secret_kind(name: str) -> str | None:
    """What secret a name holds: ``"password"`` (``db_password``, ``SECRET``), ``"token"``
    (``API_KEY``, ``authToken``), or None (``password_field``, ``TOKEN_URL``, ``sort_key``)."""
    words = _name_words(name)
    if not words or any(w in _NOT_SECRET_WORDS for w in words[1:]):
        return None
    if len(words) > 1 and (words[0] in ACTION_FIRST or words[0] in _PAGINATION_FIRST):
        return None
    if words[-1] in {"key", "keys"}:
        if len(words) > 1 and (words[-2] in _KEY_QUALIFIERS or words[-2] in _SECRET_WORDS):
            return "token"
        return None
    if "key" in words:
        return None
    if words[0] in {"pass", "pw"} and len(words) > 1:
        words = words[1:]
    if any(w in _PASSWORD_WORDS for w in words):
        return "password"
    if any(w in _SECRET_WORDS for w in words):
        return "token"
    return None


def is_secret_name(name: str) -> bool:
    """``db_password``, ``API_KEY``, ``authToken`` yes; ``password_field``, ``TOKEN_URL``, ``sort_key`` no."""
    return secret_kind(name) is not None


def is_secret_value(value: str, kind: str = "password", *, name: str | None = None, passphrase: bool = False) -> bool:
    """A literal that could be a real credential (not empty, a placeholder or prose).

    Token-like names (``token``, ``api_key``) also need a value that looks generated
    (mixed letters and digits, or long), so ``token == "import"`` in a parser is not one.
    A secret word as the value (``"secret"``) counts only under a ``name`` that does not
    contain that word. ``passphrase`` accepts a few space-separated words (a literal a
    password is compared with), never a sentence."""
    stripped = value.strip()
    if len(stripped) < 4 or stripped != value:
        return False
    if any(c.isspace() for c in stripped) and not (kind == "password" and passphrase and _passphrase(stripped)):
        return False
    if stripped.lower() in _SELF_NAMING_VALUES:
        return name is not None and stripped.lower() not in identifier_words(name)
    if _IDENTIFIER_VALUE.match(stripped) and _names_a_field(stripped, kind, name):
        return False  # ``SESSION_TOKEN = "_password_reset_token"``: the name of a session key, not a token
    if _OBJECT_REFERENCE.match(stripped):
        return False  # ``"app.tests.factories:APIToken"``: code to import, not a secret
    if _EMAIL_VALUE.match(stripped):
        return False  # an identity (anonymous FTP's e-mail address as password), not a secret
    if _REGEX_SYNTAX.search(stripped):
        return False  # a pattern that matches secrets, not a secret
    if stripped.lower() in _PLACEHOLDER_VALUES:
        return False
    if not any(c.isalnum() for c in stripped):
        return False
    if _PLACEHOLDER_SHAPES.match(stripped):
        return False
    lowered = stripped.lower()
    if any(marker in lowered for marker in ("your_", "your-", "changeme", "example", "placeholder", "dummy")):
        return False
    if kind == "token":
        has_digit = any(c.isdigit() for c in stripped)
        has_alpha = any(c.isalpha() for c in stripped)
        return (len(stripped) >= 8 and has_digit and has_alpha) or len(stripped) >= 20
    return True


def _names_a_field(value: str, kind: str, name: str | None) -> bool:
    """A snake_case value that names a field or key rather than holding a credential:
    ``"password_hash"`` / ``"moderator_password"`` (a secret word inside an identifier: the
    name of where a secret is kept), ``"self_signing"`` under ``self_signing_key`` (the value
    repeats the words of its own name). A password-kind value needs a qualified name sharing
    its secret word (``mod_password="moderator_password"``): ``db_password = "prod_secret"``
    and ``password = "class_password"`` stay findings."""
    words = set(identifier_words(value))
    own = set(identifier_words(name or ""))
    if words and words <= own:
        return True
    shared = words & _SECRET_WORDS
    if kind == "token":
        return bool(shared)
    if any(c.isdigit() for c in value):
        return False  # ``"mail_password_2024"``: made up to be hard to guess
    return bool(shared & own) and bool(words - own - _SECRET_WORDS) and bool(own - _SECRET_WORDS)


def _passphrase(value: str) -> bool:
    words = value.split()
    return 2 <= len(words) <= 4 and not value.endswith(_SENTENCE_END) and "{" not in value and "%" not in value


def _judge(name: str, value: str, *, passphrase: bool = False) -> bool:
    if is_signing_key_name(name) and not passphrase:
        return used_literal_key(value) and not _PLACEHOLDER_SHAPES.match(value.strip())
    kind = secret_kind(name)
    return kind is not None and is_secret_value(value, kind, name=name, passphrase=passphrase)


_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*")


def _renaming_table(mapping: ast.Dict) -> bool:
    """A dict translating one set of key names into another by one systematic change
    (``{"master_key": "master", "self_signing_key": "self_signing"}``: every value is its key with
    the same words dropped): a table of names, no credential. At least two entries show the
    pattern; a lone ``{"jwt_secret_key": "jwt"}`` stays judged as a value."""
    dropped: set[tuple[str, ...]] = set()
    for key, item in zip(mapping.keys, mapping.values, strict=False):
        name, value = _string(key), _string(item)
        if name is None or value is None or not _IDENTIFIER.fullmatch(value):
            return False
        name_words, value_words = identifier_words(name), identifier_words(value)
        if not value_words or len(value_words) >= len(name_words):
            return False
        if name_words[: len(value_words)] == value_words:
            dropped.add(("suffix", *name_words[len(value_words) :]))
        elif name_words[-len(value_words) :] == value_words:
            dropped.add(("prefix", *name_words[: -len(value_words)]))
        else:
            return False
    return len(mapping.keys) >= 2 and len(dropped) == 1


def _names_fields(values: list[tuple[str | None, ast.expr]]) -> bool:
    """Keyword arguments or dict entries that map field names to field names
    (``dict(database="db", username="user", password="passwd")``): a schema, no credential."""
    for key, item in values:
        value = _string(item)
        words = identifier_words(key or "")
        if words and value and words[-1] in _USER_KEYS and value.lower() in _USER_FIELD_WORDS | {"userid"}:
            return True  # the user field is "filled" with the word user: the others are names too
    return False


def _string(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _target_names(target: ast.AST) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Attribute):
        return [target.attr]
    if isinstance(target, ast.Subscript):
        key = _string(target.slice)
        return [key] if key else []
    return []


# Words a configuration descriptor uses for the type of a field (``{"Secret": "password",
# "Client": "string"}``): such a mapping describes a form, it holds no credential.
_TYPE_WORDS = frozenset(
    """string str text int integer float number bool boolean password secret list dict int64 int32 date
    datetime email url uri bytes binary json textarea select checkbox hidden file""".split()
)
_LOOKUP_METHODS = frozenset({"get", "pop", "setdefault", "getattr", "setattr", "hasattr", "delattr"})


def _type_descriptor(mapping: ast.Dict) -> bool:
    """Every value of the mapping is a type word and at least one is not a secret word: the
    mapping gives each field's type (``"Secret": "password"`` says the field is masked)."""
    values = [_string(v) for v in mapping.values]
    if len(values) < 2 or any(v is None for v in values):
        return False
    words = {v.lower() for v in values if v is not None}
    return words <= _TYPE_WORDS and bool(words - _SELF_NAMING_VALUES)


def _lookup_key_only(ctx: RuleContext, name: str) -> bool:
    """Every read of the module-level name ``name`` uses it as the key of a lookup
    (``store[_SESSION_KEY]``, ``store.get(_SESSION_KEY)``, ``getattr(g, KEY)``): the value names
    where something is kept; it is never sent, compared or used as a key to sign with."""
    reads = ctx.facts.name_uses().loads(name)
    if not reads:
        return False
    for read in reads:
        parent = ctx.facts.parent(read)
        if isinstance(parent, ast.Subscript) and parent.slice is read:
            continue
        if isinstance(parent, ast.Call) and read in parent.args:
            func = parent.func
            called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            position = parent.args.index(read)
            if called in _LOOKUP_METHODS and position == (1 if called.endswith("attr") else 0):
                continue
        if isinstance(parent, ast.Compare) and parent.left is read and isinstance(parent.ops[0], (ast.In, ast.NotIn)):
            continue
        return False
    return True


def _assigns_string(node: ast.Assign) -> bool:
    return _string(node.value) is not None


_ENVIRONMENT_READS = frozenset({"os.environ.get", "os.getenv"})


def _environment_fallback(ctx: RuleContext, node: ast.AST) -> tuple[str, ast.expr] | None:
    """``os.environ.get("NAME", "literal")`` / ``os.getenv("NAME", "literal")``: the variable's
    name and the literal used where it is unset."""
    if not (isinstance(node, ast.Call) and ctx.facts.qualname(node.func) in _ENVIRONMENT_READS):
        return None
    default = (
        node.args[1] if len(node.args) == 2 else next((k.value for k in node.keywords if k.arg == "default"), None)
    )
    variable = _string(node.args[0]) if node.args else None
    return (variable, default) if variable and _string(default) is not None else None  # type: ignore[return-value]


def _environment_fallbacks(ctx: RuleContext) -> Iterator[Finding]:
    """``SECRET_KEY = os.environ.get("SECRET_KEY", "literal")``: where the variable is not set (a
    deployment that forgot it) the credential is the literal in the source."""
    for node in ctx.facts.nodes(ast.Assign):
        assert isinstance(node, ast.Assign)
        if not isinstance(node.value, ast.Call):
            continue  # most assignments: no environment read (``_environment_fallback``'s first test)
        found = _environment_fallback(ctx, node.value)
        if found is None:
            continue
        variable, default = found
        for target in node.targets:
            name = next((n for n in _target_names(target) if _judge(n, _string(default) or "")), None)
            if name is not None:
                yield hardcoded_password_string.finding(
                    ctx,
                    default,
                    f"`{name}` falls back to a hardcoded credential literal where `{variable}` is not set; "
                    "require the variable (`os.environ[...]`) instead of a fallback",
                )
                break


def _assigns_string_or_dict(node: ast.Assign | ast.AnnAssign) -> bool:
    return _string(node.value) is not None or isinstance(node.value, ast.Dict)


def _string_keyword(node: ast.keyword) -> bool:
    """``name="literal"`` (not ``**mapping``)."""
    return bool(node.arg) and _string(node.value) is not None


def _module_secret_constants(ctx: RuleContext) -> bool:
    """The code holds a module-level ``NAME = "literal"`` with a secret-sounding name: the only
    finding judged by the rest of the module (its reads as a lookup key)."""
    for node in ctx.facts.nodes_where(ast.Assign, _assigns_string):
        assert isinstance(node, ast.Assign)
        if ctx.facts.parent(node) is not ctx.facts.tree:
            continue
        if any(isinstance(t, ast.Name) and (secret_kind(t.id) or is_signing_key_name(t.id)) for t in node.targets):
            return True
    return False


def _main_self_test(ctx: RuleContext, node: ast.AST) -> bool:
    """``node`` sits in an ``if __name__ == "__main__":`` block that asserts results: the module's
    manual self-test, whose credentials are fixtures of a local test set-up like a test file's."""
    for ancestor in ctx.facts.ancestors(node):
        if not isinstance(ancestor, ast.If) or ctx.facts.parent(ancestor) is not ctx.facts.tree:
            continue
        test = ancestor.test
        if (
            isinstance(test, ast.Compare)
            and isinstance(test.left, ast.Name)
            and test.left.id == "__name__"
            and len(test.comparators) == 1
            and _string(test.comparators[0]) == "__main__"
        ):
            return any(isinstance(inner, ast.Assert) for inner in ast.walk(ancestor))
    return False


_MESSAGE = "read it from the environment or a secret store instead of the source"


@rule(
    id="SR751",
    name="hardcoded-password-string",
    scope="module",  # a module constant is judged by how every statement of the module reads it
    needs_module=lambda ctx: _module_secret_constants(ctx),
    cwe=798,
    severity=MEDIUM,
    confidence=MEDIUM,
    bandit=("B105",),
    ruff=("S105",),
    relevant_in_tests=False,
    summary="A password, token or key is assigned or compared as a string literal.",
    why="A credential in the source is visible to everyone who can read the repository, its "
    "history, every clone and every build artifact, and it cannot be rotated without a release. "
    "Names are judged (`password_field = 'password'` and `TOKEN_URL` are not secrets) and "
    "placeholder values (empty, `changeme`, `<token>`, `${TOKEN}`) are ignored. A secret word as the "
    "value is a weak credential (`SMTP_PASSWORD = 'secret'`) unless it repeats the name "
    "(`PASSWORD = 'password'` names a field); a password compared with a few words is a passphrase. "
    "A constant read only as a lookup key (`store.get(SESSION_KEY)`), a mapping of field names to type "
    "words and the literals of a `__main__` self-test that asserts results are not reported. A literal "
    "fallback of an environment read (`os.environ.get('SECRET_KEY', '...')`) is judged the same way: "
    "it is the credential wherever the variable is not set. A connection string assigned to any "
    'name counts when its password entry is a literal (`DSN = "host=db user=app password=..."`).',
    bad="DB_PASSWORD = 'hunter2-prod'",
    good="import os\nDB_PASSWORD = os.environ['DB_PASSWORD']",
)
def hardcoded_password_string(ctx: RuleContext) -> Iterator[Finding]:
    for node in ctx.facts.nodes_where((ast.Assign, ast.AnnAssign), _assigns_string_or_dict):
        value = _string(node.value)  # type: ignore[attr-defined]
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]  # type: ignore[attr-defined]
        if isinstance(node.value, ast.Dict):  # type: ignore[attr-defined]
            yield from _secret_mapping(ctx, targets, node.value)  # type: ignore[attr-defined]
            continue
        self_test: bool | None = None  # worked out for the first target judged a credential
        entry = dsn_password(value) if value is not None else None
        for target in targets:
            name = next((n for n in _target_names(target) if _judge(n, value)), None)
            if name is None and entry is not None and _judge("password", entry[1]):
                names = _target_names(target)
                if names and not _main_self_test(ctx, node):
                    yield hardcoded_password_string.finding(
                        ctx,
                        node.value,  # type: ignore[attr-defined]
                        f"`{names[0]}` holds a connection string whose `{entry[0]}=` entry is a hardcoded "
                        f"password; {_MESSAGE}",
                    )
                break
            if name is None:
                continue
            if self_test is None:
                self_test = _main_self_test(ctx, node)
            if self_test:
                break
            if isinstance(target, ast.Name) and ctx.facts.parent(node) is ctx.facts.tree:
                if _lookup_key_only(ctx, target.id):
                    continue  # the name of a storage slot, used only to look things up
            yield hardcoded_password_string.finding(
                ctx,
                node.value,  # type: ignore[attr-defined]
                f"`{name}` is set to a hardcoded credential literal; {_MESSAGE}",
            )
    yield from _environment_fallbacks(ctx)
    for node in ctx.facts.nodes_where(ast.Compare, _equality_with_string):
        assert isinstance(node, ast.Compare)
        left, right = node.left, node.comparators[0]
        for side, other in ((left, right), (right, left)):
            value = _string(other)
            names = _target_names(side)
            if value is not None and names and _judge(names[0], value, passphrase=True):
                yield hardcoded_password_string.finding(
                    ctx, other, f"`{names[0]}` is compared with a hardcoded credential literal; {_MESSAGE}"
                )
                break
    for node in ctx.facts.nodes_where(ast.Dict, _has_string_key):
        assert isinstance(node, ast.Dict)
        if _empty_database_password(node):
            yield hardcoded_password_string.finding(
                ctx,
                node,
                "database connection settings with an empty `PASSWORD` for a named user: the server accepts "
                "anyone who can reach it as that user; set a password and read it from the environment",
                confidence=LOW,
            )
        judged = _judged_entries(node)
        if not judged or _renaming_table(node) or _type_descriptor(node) or _main_self_test(ctx, node):
            continue
        if _route_arguments(ctx, node):
            continue
        names_fields = _names_fields([(_string(k), v) for k, v in zip(node.keys, node.values, strict=False)])
        for item, name, value in judged:
            if (names_fields and value.isalpha()) or _grouping_value(node, value):
                continue
            yield hardcoded_password_string.finding(
                ctx, item, f"the `{name!r}` entry holds a hardcoded credential literal; {_MESSAGE}"
            )


def _route_arguments(ctx: RuleContext, mapping: ast.Dict) -> bool:
    """``reverse("order", kwargs={"secret": "6zzjnumtsx"})``: the path parameters of a URL of the
    site's own routes (``reverse``, ``reverse_lazy`` and wrappers named after it), written into the
    URL it builds, not a credential the program presents anywhere."""
    keyword = ctx.facts.parent(mapping)
    if not (isinstance(keyword, ast.keyword) and keyword.arg == "kwargs"):
        return False
    call = ctx.facts.parent(keyword)
    if not isinstance(call, ast.Call):
        return False
    func = call.func
    word = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return "reverse" in word.lower()


def _equality_with_string(node: ast.Compare) -> bool:
    """``a == "literal"`` / ``"literal" != a`` (one comparison): the only compares judged."""
    if len(node.ops) != 1 or not isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
        return False
    return _string(node.left) is not None or _string(node.comparators[0]) is not None


def _has_string_key(node: ast.Dict) -> bool:
    """A mapping with a string key: the only ones whose entries are judged (the others'
    would-be findings need a string name)."""
    return any(_string(key) is not None for key in node.keys)


def _judged_entries(mapping: ast.Dict) -> list[tuple[ast.expr, str, str]]:
    """The entries of ``mapping`` whose string key and string value ``_judge`` takes for a
    credential (value node, key, value); the mapping-wide exceptions are asked only then."""
    judged: list[tuple[ast.expr, str, str]] = []
    constant = ast.Constant
    for key, item in zip(mapping.keys, mapping.values, strict=False):
        # ``_string`` of both spelled out: asked of every entry of every mapping with a string key
        if not (isinstance(key, constant) and isinstance(item, constant)):
            continue
        name, value = key.value, item.value
        if isinstance(name, str) and name and isinstance(value, str) and _judge(name, value):
            judged.append((item, name, value))
    return judged


def _grouping_value(mapping: ast.Dict, value: str) -> bool:
    """A value that two or more entries under names of no secret also hold (``{"smtp_host":
    "mail_settings", "smtp_password": "mail_settings"}``): the group or section each field belongs
    to, no credential."""
    shared = 0
    for key, item in zip(mapping.keys, mapping.values, strict=False):
        name = _string(key)
        if name is not None and _string(item) == value and secret_kind(name) is None:
            shared += 1
    return shared >= 2


def _empty_database_password(mapping: ast.Dict) -> bool:
    """Django-style ``{"ENGINE": "...postgresql", "USER": "app", "PASSWORD": ""}`` (not SQLite,
    which has no users)."""
    if not any(isinstance(key, ast.Constant) and key.value == "ENGINE" for key in mapping.keys):
        return False  # most mappings: no ``"ENGINE"`` entry, so no engine to judge
    entries: dict[str, str | None] = {}
    for key, value in zip(mapping.keys, mapping.values, strict=False):
        name = _string(key)
        if name:
            entries[name] = _string(value)
    engine = entries.get("ENGINE")
    return (
        engine is not None
        and "sqlite" not in engine.lower()
        and bool(entries.get("USER"))
        and "PASSWORD" in entries
        and entries["PASSWORD"] == ""
    )


def _secret_mapping(ctx: RuleContext, targets: list[ast.expr], mapping: ast.Dict) -> Iterator[Finding]:
    """``PASSWORDS = {"admin": "..."}``: a mapping named for secrets holds literal values."""
    names = [n for t in targets for n in _target_names(t) if secret_kind(n) is not None]
    if not names:
        return
    kind = secret_kind(names[0]) or "password"
    for key, item in zip(mapping.keys, mapping.values, strict=False):
        value = _string(item)
        if value is not None and _string(key) is not None and is_secret_value(value, kind, name=names[0]):
            yield hardcoded_password_string.finding(
                ctx, item, f"`{names[0]}[{_string(key)!r}]` is a hardcoded credential literal; {_MESSAGE}"
            )


@rule(
    id="SR752",
    name="hardcoded-password-argument",
    cwe=798,
    severity=MEDIUM,
    confidence=MEDIUM,
    bandit=("B106",),
    ruff=("S106",),
    relevant_in_tests=False,
    summary="A password, token or key is passed to a function as a string literal.",
    why="`connect(password='...')` puts a live credential in the source, where every reader of "
    "the repository and its history can use it. A connection string handed to a call counts the "
    'same when its password entry holds a literal (libpq\'s `"host=db user=app password=..."`, '
    'ODBC\'s `"...;UID=app;PWD=..."`); placeholders (`%s`, `{}`, `${VAR}`) are not reported. So does a '
    "literal passed by position where a call takes the password: `smtp.login(user, '...')`, LDAP's "
    "`simple_bind_s(dn, '...')`, `HTTPBasicAuth(user, '...')`, a request's `auth=(user, '...')`.",
    bad="db.connect(user='app', password='s3cr3t-Pa55')",
    good="import os\ndb.connect(user='app', password=os.environ['DB_PASSWORD'])",
)
def hardcoded_password_argument(ctx: RuleContext) -> Iterator[Finding]:
    for node in ctx.facts.nodes_where(ast.keyword, _string_keyword):
        assert isinstance(node, ast.keyword)
        value = _string(node.value)
        assert node.arg is not None and value is not None
        if _judge(node.arg, value) and not _main_self_test(ctx, node):
            call = ctx.facts.parent(node)
            if (
                value.isalpha()
                and isinstance(call, ast.Call)
                and _names_fields([(k.arg, k.value) for k in call.keywords])
            ):
                continue
            where = f"`{ctx.facts.spelled(call.func)}`" if isinstance(call, ast.Call) else "a call"
            yield hardcoded_password_argument.finding(
                ctx, node, f"{where} receives a hardcoded credential as `{node.arg}=`; {_MESSAGE}"
            )
    yield from _positional_credentials(ctx)
    yield from _connection_string_credentials(ctx)


def _may_pass_password_entry(call: ast.Call) -> bool:
    """Whether one of ``connection_strings(call)`` holds a password entry's key (asked of every
    call of a module)."""
    search = _PASSWORD_KEY.search
    for node in connection_strings(call):
        if search(node.value) is not None:
            return True
    return False


_PASSWORD_KEY = re.compile(r"(?i)(?:password|pwd)\s*=")


def _connection_string_credentials(ctx: RuleContext) -> Iterator[Finding]:
    """``psycopg2.connect("host=db user=app password=...")``, ``pyodbc.connect("...;PWD=...")``:
    a connection string handed to a call with a password entry that is not a placeholder."""
    for call in ctx.facts.nodes_where(ast.Call, _may_pass_password_entry):
        assert isinstance(call, ast.Call)
        for node in connection_strings(call):
            found = dsn_password(node.value)
            if found is not None and _judge("password", found[1]):
                yield hardcoded_password_argument.finding(
                    ctx,
                    node,
                    f"`{ctx.facts.spelled(call.func)}` receives a connection string whose `{found[0]}=` entry is a "
                    f"hardcoded password; {_MESSAGE}",
                )


# Calls whose positional argument at the index is a key or password the call uses right away.
_KEY_POSITIONS = {
    "jwt.encode": 1, "jwt.decode": 1, "jwt.api_jwt.encode": 1, "jwt.api_jwt.decode": 1,
    # HTTP Basic/Digest credentials: ``HTTPBasicAuth(user, password)``.
    "requests.auth.HTTPBasicAuth": 1, "requests.auth.HTTPDigestAuth": 1, "httpx.BasicAuth": 1,
    "httpx.DigestAuth": 1, "aiohttp.BasicAuth": 1, "aiohttp.helpers.BasicAuth": 1,
}  # fmt: skip
# ``.login(user, password)`` of mail and file-transfer clients; LDAP's ``simple_bind_s(dn, password)``.
_LOGIN_METHODS = frozenset({"login", "auth_plain", "auth_login", "simple_bind", "simple_bind_s"})


def _login_call(call: ast.Call) -> bool:
    """``<anything>.login(user, password)`` (a method of ``_LOGIN_METHODS``, two arguments)."""
    func = call.func
    return isinstance(func, ast.Attribute) and func.attr in _LOGIN_METHODS and len(call.args) == 2


def _positional_credentials(ctx: RuleContext) -> Iterator[Finding]:
    """``jwt.encode(payload, "key")``, ``smtp.login(user, "pw")``: a literal used as the key or
    password, whatever it looks like (a placeholder that is used is the key in force)."""
    for name, call in ctx.facts.calls_to(*_KEY_POSITIONS):
        index = _KEY_POSITIONS[name]
        value = _string(call.args[index]) if len(call.args) > index else None
        if value is not None and used_literal_key(value):
            yield hardcoded_password_argument.finding(
                ctx,
                call.args[index],
                f"`{ctx.facts.spelled(call.func)}` is given a hardcoded {'key' if name.startswith('jwt.') else 'password'}; "
                f"{_MESSAGE}",
            )
    yield from _auth_pairs(ctx)
    if next(ctx.facts.method_calls(*_LOGIN_METHODS), None) is None:
        return  # the facts list the calls by method name: no ``.login(...)`` call, none to read
    for call in ctx.facts.nodes_where(ast.Call, _login_call):
        assert isinstance(call, ast.Call)
        func = call.func
        value = _string(call.args[1])
        if value is not None and used_literal_key(value) and not _EMAIL_VALUE.match(value.strip()):
            yield hardcoded_password_argument.finding(
                ctx, call.args[1], f"`{ctx.facts.spelled(func)}` is given a hardcoded password; {_MESSAGE}"
            )


def _auth_pairs(ctx: RuleContext) -> Iterator[Finding]:
    """``requests.get(url, auth=("api", "s3cret"))``: a literal password in a request's auth pair."""
    for prefix in ("requests.", "httpx."):
        for _, call in ctx.facts.calls_with_prefix(prefix):
            auth = keyword_value(call, "auth")
            if not (isinstance(auth, ast.Tuple) and len(auth.elts) == 2):
                continue
            value = _string(auth.elts[1])
            if value is not None and used_literal_key(value):
                yield hardcoded_password_argument.finding(
                    ctx, auth.elts[1], f"`{ctx.facts.spelled(call.func)}` is given a hardcoded password; {_MESSAGE}"
                )


@rule(
    id="SR753",
    name="hardcoded-password-default",
    cwe=798,
    severity=MEDIUM,
    confidence=MEDIUM,
    bandit=("B107",),
    ruff=("S107",),
    relevant_in_tests=False,
    summary="A function parameter that takes a password, token or key defaults to a string literal.",
    why="Every caller that omits the argument uses the credential written in the source, which "
    "anyone with the code can read; it also tends to survive into production unnoticed.",
    bad="def connect(host, password='admin123!'): ...",
    good="def connect(host, password: str | None = None): ...  # required, or read from the environment",
)
def hardcoded_password_default(ctx: RuleContext) -> Iterator[Finding]:
    for function in ctx.facts.functions:
        args = function.args
        if not any(_string(default) is not None for default in (*args.defaults, *args.kw_defaults)):
            continue  # most functions have no literal string default to look at
        positional = [*args.posonlyargs, *args.args]
        pairs = list(zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=False))
        pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=False) if d is not None]
        for param, default in pairs:
            value = _string(default)
            if value is not None and _judge(param.arg, value):
                yield hardcoded_password_default.finding(
                    ctx,
                    default,
                    f"parameter `{param.arg}` of `{function.name}` defaults to a hardcoded credential; {_MESSAGE}",
                )
