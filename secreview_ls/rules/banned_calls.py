"""Banned calls as data: rules where calling the API is itself the finding.

Cleartext protocols (Telnet, FTP, IPMI), a temporary-file name with no file behind it,
obsolete ciphers: no argument makes these
calls safe, so each rule is one row of ``BANNED_CALLS`` (its id, the qualified names it
matches, the message, its metadata and its documentation) and ``banned_call_findings``
checks every row the same way. A rule that needs any judgement about the call (its
arguments, what its result is used for) stays a function in its family's module.

Each row keeps the family it is listed under (``secreview rules``, SARIF tags), which is
the module its rule lived in before the rows were gathered here.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from ..engine.facts import ModuleFacts
from ..engine.finding import Finding, Fix, Level, Span, TextEdit
from .base import HIGH, MEDIUM, FixSafety, Rule, RuleContext, rule
from .fallbacks import import_fallback, in_private_directory

# A fix for one matched call, or None where no safe rewrite applies.
Fixer = Callable[[RuleContext, ast.Call], Fix | None]


@dataclass(frozen=True)
class BannedCall:
    """One banned-call rule.

    ``apis`` are qualified names (``ftplib.FTP``); a name with one ``*`` matches every
    qualified name that starts with the part before it and ends with the part after it
    (``pyghmi.*.Command``). ``message`` is formatted with ``call`` (the callee as spelled in
    the source) and ``detail`` (the API's entry in ``details``, empty if it has none).
    """

    id: str
    name: str
    family: str
    apis: tuple[str, ...]
    message: str
    cwe: int
    severity: Level
    confidence: Level
    summary: str
    why: str
    bad: str
    good: str
    bandit: tuple[str, ...] = ()
    ruff: tuple[str, ...] = ()
    details: Mapping[str, str] = field(default_factory=dict)
    fix: Fixer | None = None
    fix_safety: FixSafety | None = None
    fix_note: str = ""
    # Calls of the API that the row's own judgement leaves out (None: every call is a finding).
    harmless: Callable[[ast.Call], bool] | None = None
    # the same, judged with the module around the call (a fallback branch, a private directory)
    harmless_here: Callable[[RuleContext, ast.Call], bool] | None = None


def matched_calls(facts: ModuleFacts, apis: tuple[str, ...]) -> Iterator[tuple[str, ast.Call]]:
    """Calls matching ``apis``, each with the entry of ``apis`` it matched: exact names in
    the order given, then patterns grouped by the part before their ``*``."""
    yield from facts.calls_to(*(api for api in apis if "*" not in api))
    patterns = [(api, *api.split("*", 1)) for api in apis if "*" in api]
    for head in dict.fromkeys(head for _, head, _ in patterns):
        tails = [(api, tail) for api, other, tail in patterns if other == head]
        for name, call in facts.calls_with_prefix(head):
            matched = next((api for api, tail in tails if name.endswith(tail)), None)
            if matched is not None:
                yield matched, call


def banned_call_findings(row: BannedCall, current: Rule, ctx: RuleContext) -> Iterator[Finding]:
    """The findings of one row: every matched call, with the row's message and fix."""
    for api, call in matched_calls(ctx.facts, row.apis):
        if row.harmless is not None and row.harmless(call):
            continue
        if row.harmless_here is not None and row.harmless_here(ctx, call):
            continue
        message = row.message.format(call=ctx.facts.spelled(call.func), detail=row.details.get(api, ""))
        yield current.finding(ctx, call, message, fix=row.fix(ctx, call) if row.fix is not None else None)


# -- fixes ----------------------------------------------------------------------------------


def names_a_windows_pipe(call: ast.Call) -> bool:
    """``mktemp(prefix=r'\\\\.\\pipe\\app-')``: the name of a Windows named pipe, which its creator opens
    with ``FILE_FLAG_FIRST_PIPE_INSTANCE``; there is no file to race for."""
    prefix = next(
        (kw.value for kw in call.keywords if kw.arg == "prefix"), call.args[1] if len(call.args) > 1 else None
    )
    if isinstance(prefix, ast.BinOp):  # r'\\.\pipe\x-%d' % n
        prefix = prefix.left
    if isinstance(prefix, ast.Call) and isinstance(prefix.func, ast.Attribute):  # '...{}'.format(n)
        prefix = prefix.func.value
    return (
        isinstance(prefix, ast.Constant)
        and isinstance(prefix.value, str)
        and prefix.value.lower().startswith("\\\\.\\pipe\\")
    )


def mktemp_fix(ctx: RuleContext, call: ast.Call) -> Fix | None:
    """``path = tempfile.mktemp(...)`` → ``fd, path = tempfile.mkstemp(...)`` + ``os.close(fd)``."""
    if ctx.facts.qualname(call.func) != "tempfile.mktemp":
        return None
    statement = ctx.facts.parent(call)
    if not (
        isinstance(statement, ast.Assign)
        and statement.value is call
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
        and isinstance(call.func, ast.Attribute)
    ):
        return None
    if ctx.facts.imports.aliases.get("os") != "os":
        return None
    if any(kw.arg is None for kw in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args):
        return None
    target = statement.targets[0]
    fd = "fd" if "fd" not in ctx.facts.imports.locally_bound else "tmp_fd"
    line = ctx.source.line(statement.lineno)
    indent = line[: len(line) - len(line.lstrip())]
    end = ctx.span(statement)
    edits = (
        TextEdit(ctx.span(target), f"{fd}, {target.id}"),
        TextEdit(ctx.span(call.func), f"{ctx.segment(call.func.value)}.mkstemp"),
        TextEdit(Span(end.end_line, end.end_col, end.end_line, end.end_col), f"\n{indent}os.close({fd})"),
    )
    return Fix(f"Create the file atomically: `{fd}, {target.id} = ...mkstemp(...)`", edits)


# -- data -----------------------------------------------------------------------------------

WEAK_CIPHERS = {
    "Crypto.Cipher.ARC2.new": "RC2",
    "Crypto.Cipher.ARC4.new": "RC4",
    "Crypto.Cipher.Blowfish.new": "Blowfish",
    "Crypto.Cipher.CAST.new": "CAST",
    "Crypto.Cipher.DES.new": "DES",
    "Crypto.Cipher.DES3.new": "Triple DES",
    "Crypto.Cipher.XOR.new": "XOR",
    "Cryptodome.Cipher.ARC2.new": "RC2",
    "Cryptodome.Cipher.ARC4.new": "RC4",
    "Cryptodome.Cipher.Blowfish.new": "Blowfish",
    "Cryptodome.Cipher.CAST.new": "CAST",
    "Cryptodome.Cipher.DES.new": "DES",
    "Cryptodome.Cipher.DES3.new": "Triple DES",
    "Cryptodome.Cipher.XOR.new": "XOR",
}
WEAK_CIPHERS.update(
    {
        f"{module}.{cipher}": label
        for module in (
            "cryptography.hazmat.primitives.ciphers.algorithms",
            "cryptography.hazmat.decrepit.ciphers.algorithms",
        )
        for cipher, label in (
            ("ARC4", "RC4"),
            ("Blowfish", "Blowfish"),
            ("CAST5", "CAST5"),
            ("IDEA", "IDEA"),
            ("SEED", "SEED"),
            ("TripleDES", "Triple DES"),
            ("RC2", "RC2"),
        )
    }
)

BANNED_CALLS: tuple[BannedCall, ...] = (
    BannedCall(
        id="SR302",
        name="weak-cipher",
        family="crypto",
        apis=tuple(WEAK_CIPHERS),
        details=WEAK_CIPHERS,
        message="`{call}` uses {detail}, which is broken or obsolete; use AES-GCM or ChaCha20-Poly1305",
        cwe=327,
        severity=HIGH,
        confidence=HIGH,
        bandit=("B304", "B413"),
        ruff=("S304", "S413"),
        summary="A broken or obsolete cipher (DES, 3DES, RC4, Blowfish, IDEA, ...) is used.",
        why="These ciphers have small keys or 64-bit blocks (Sweet32 collisions after a few dozen "
        "gigabytes) or are outright broken (RC4 biases, XOR). Data encrypted with them can be "
        "recovered. Use AES-GCM or ChaCha20-Poly1305 (`cryptography`'s AEAD classes).",
        bad="from Crypto.Cipher import DES\ncipher = DES.new(key, DES.MODE_CBC, iv)",
        good="from cryptography.hazmat.primitives.ciphers.aead import AESGCM\nAESGCM(key).encrypt(nonce, data, None)",
    ),
    BannedCall(
        id="SR503",
        name="telnet-used",
        family="network",
        apis=("telnetlib.Telnet", "telnetlib3.open_connection"),
        message="`{call}` opens a Telnet session, which is unencrypted; use SSH",
        cwe=319,
        severity=HIGH,
        confidence=HIGH,
        bandit=("B312", "B401"),
        ruff=("S312", "S401"),
        summary="A Telnet connection sends everything, including passwords, in clear text.",
        why="Telnet has no encryption or server authentication: anyone on the path reads the session "
        "and can inject commands. Use SSH (e.g. `paramiko`, `asyncssh`).",
        bad="import telnetlib\nconn = telnetlib.Telnet(host)",
        good="import paramiko\nclient = paramiko.SSHClient()\nclient.load_system_host_keys()\nclient.connect(host)",
    ),
    BannedCall(
        id="SR504",
        name="ftp-used",
        family="network",
        apis=("ftplib.FTP",),
        message="`{call}` uses plain FTP, which sends the login and data unencrypted; "
        "use `ftplib.FTP_TLS` with `prot_p()`, or SFTP",
        cwe=319,
        severity=HIGH,
        confidence=HIGH,
        bandit=("B321", "B402"),
        ruff=("S321", "S402"),
        summary="Plain FTP sends credentials and files in clear text.",
        why="`ftplib.FTP` logs in with the password in clear text and transfers data unencrypted and "
        "unauthenticated. Use `ftplib.FTP_TLS` (and call `prot_p()`), SFTP or HTTPS.",
        bad="import ftplib\nftp = ftplib.FTP(host)\nftp.login(user, password)",
        good="import ftplib\nftp = ftplib.FTP_TLS(host)\nftp.login(user, password)\nftp.prot_p()",
    ),
    BannedCall(
        id="SR509",
        name="ipmi-used",
        family="network",
        apis=("pyghmi.*.Command", "pyghmi.*.Session", "pyghmi.*.Console"),
        message="`{call}` opens an IPMI session, whose authentication leaks crackable "
        "password hashes; keep it on an isolated network or use Redfish",
        cwe=319,
        severity=MEDIUM,
        confidence=MEDIUM,
        bandit=("B415",),
        ruff=("S415",),
        summary="An IPMI session is opened (`pyghmi`).",
        why="IPMI 2.0's RAKP authentication hands out a salted password hash to anyone who asks for a "
        "valid user name, which can then be cracked offline; IPMI interfaces should sit on an isolated "
        "management network, and management should prefer Redfish over HTTPS.",
        bad="from pyghmi.ipmi import command\nconn = command.Command(bmc=host, userid=user, password=pw)",
        good="# manage the BMC through Redfish over HTTPS, on an isolated management network",
    ),
    BannedCall(
        id="SR703",
        name="mktemp-used",
        family="files",
        apis=("tempfile.mktemp", "os.tempnam", "os.tmpnam"),
        message="`{call}()` returns a name that another process can claim before this one "
        "creates the file; use `tempfile.mkstemp()` or `NamedTemporaryFile()`",
        fix=mktemp_fix,
        fix_safety="unsafe",
        fix_note="The file now exists, empty and readable by its owner only, as soon as the name is "
        "chosen: code that creates something else at that path (a directory, a socket, a FIFO) or "
        "hands it to another user fails.",
        harmless=names_a_windows_pipe,
        harmless_here=lambda ctx, call: import_fallback(ctx, call) or in_private_directory(ctx, call),
        cwe=377,
        severity=MEDIUM,
        confidence=HIGH,
        bandit=("B306", "B325"),
        ruff=("S306",),
        summary="`tempfile.mktemp()` returns a name without creating the file.",
        why="Between `mktemp()` choosing a name and the program creating the file, another process can "
        "create that path (or a symlink there) — a classic race. `mkstemp()` creates and opens the file "
        "in one step. A name with a Windows named-pipe prefix (`\\\\.\\pipe\\`) is not reported: "
        "no file is created there; nor a name chosen in a directory `mkdtemp()` made (mode 0700, no "
        "other user can create it first), nor a fallback in `except ImportError:` whose `try` "
        "uses `tempfile`'s safe functions (it runs only where `tempfile` cannot be imported).",
        bad="import tempfile\npath = tempfile.mktemp(suffix='.txt')",
        good="import os, tempfile\nfd, path = tempfile.mkstemp(suffix='.txt')\nos.close(fd)",
    ),
)


# -- registration ---------------------------------------------------------------------------


def _register(row: BannedCall) -> Rule:
    holder: list[Rule] = []

    def check(ctx: RuleContext) -> Iterator[Finding]:
        return banned_call_findings(row, holder[0], ctx)

    check.__name__ = check.__qualname__ = row.name.replace("-", "_")
    # A rule's family is the module of its check: the row's family, not this module.
    check.__module__ = f"{__package__}.{row.family}"
    registered = rule(
        id=row.id,
        name=row.name,
        cwe=row.cwe,
        severity=row.severity,
        confidence=row.confidence,
        summary=row.summary,
        why=row.why,
        bad=row.bad,
        good=row.good,
        bandit=row.bandit,
        ruff=row.ruff,
        fix_safety=row.fix_safety,
        fix_note=row.fix_note,
    )(check)
    holder.append(registered)
    return registered


BANNED_CALL_RULES: tuple[Rule, ...] = tuple(_register(row) for row in BANNED_CALLS)
