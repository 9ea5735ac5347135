"""Network clients and protocols (SR5xx): TLS verification in HTTP clients, timeouts,
URL schemes, SSH host keys, SNMP, model downloads. Telnet, FTP and IPMI (SR503, SR504,
SR509), where the call itself is the finding, are rows of ``banned_calls``."""

from __future__ import annotations

import ast
import string
from collections.abc import Iterator

from ..engine.evidence import Judgement
from ..engine.facts import argument, keyword, keyword_value
from ..engine.finding import Finding
from .base import HIGH, LOW, MEDIUM, RuleContext, remove_keyword, rule
from .caller_data import handed_in
from .judge import (
    callee_tail,
    has_star_kwargs,
    imports_module,
    is_static,
    name_stores,
    short,
    single_assignment,
    static_string,
)
from .operator_values import operator_value
from .user_settings import user_setting

HTTP_VERBS = frozenset({"get", "options", "head", "post", "put", "patch", "delete", "request"})
_HTTPX_EXTRA = frozenset({"stream", "Client", "AsyncClient"})


def _requests_calls(ctx: RuleContext) -> Iterator[tuple[str, str, ast.Call]]:
    """Resolved calls of ``requests``/``httpx`` top-level HTTP functions: (library, name, call)."""
    for name, call in ctx.facts.calls_with_prefix("requests."):
        tail = name.rsplit(".", 1)[-1]
        if tail in HTTP_VERBS and name in {f"requests.{tail}", f"requests.api.{tail}"}:
            yield "requests", name, call
    for name, call in ctx.facts.calls_with_prefix("httpx."):
        tail = name.rsplit(".", 1)[-1]
        if name == f"httpx.{tail}" and (tail in HTTP_VERBS or tail in _HTTPX_EXTRA):
            yield "httpx", name, call


def _client_method_calls(ctx: RuleContext) -> Iterator[ast.Call]:
    """``session.get(...)`` style calls on receivers we cannot resolve."""
    for call in ctx.facts.method_calls(*HTTP_VERBS, "stream", "ws_connect"):
        if ctx.facts.qualname(call.func) is None:
            yield call


# aiohttp's connector and one-shot request: ``ssl=False`` (or the older ``verify_ssl=False``)
# skips certificate validation for every connection they make.
_AIOHTTP_TLS_CALLS = frozenset(
    {"aiohttp.TCPConnector", "aiohttp.connector.TCPConnector", "aiohttp.request", "aiohttp.client.request"}
)


def _is_false(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is not None and not node.value and node.value != ""


def _turns_verify_off(node: ast.Assign) -> bool:
    """``<session>.verify = False``."""
    return _is_false(node.value) and any(isinstance(t, ast.Attribute) and t.attr == "verify" for t in node.targets)


@rule(
    id="SR501",
    name="tls-verify-disabled",
    cwe=295,
    severity=HIGH,
    confidence=HIGH,
    bandit=("B501",),
    ruff=("S501",),
    fix_safety="unsafe",
    fix_note="Requests to a server whose certificate does not verify (self-signed, a private CA not "
    "in the bundle) start failing until the CA bundle is passed as `verify=`.",
    summary="An HTTP client request turns off TLS certificate verification (`verify=False`, aiohttp's `ssl=False`).",
    why="Without certificate verification any machine on the network path (Wi-Fi, proxy, "
    "compromised router) can present its own certificate, read the traffic including credentials, "
    "and change responses. To trust a private CA, pass its bundle: `verify='/path/ca.pem'`.",
    bad="import requests\nrequests.get(url, verify=False)",
    good="import requests\nrequests.get(url, timeout=10)\nrequests.get(url, verify='/etc/ssl/corp-ca.pem', timeout=10)",
)
def tls_verify_disabled(ctx: RuleContext) -> Iterator[Finding]:
    seen: set[int] = set()
    for library, name, call in _requests_calls(ctx):
        seen.add(id(call))
        kw = keyword(call, "verify")
        if kw is not None and _is_false(kw.value):
            yield _verify_finding(ctx, call, kw, library, HIGH)
        elif kw is None or isinstance(kw.value, ast.Constant):
            ctx.judged(name, call, Judgement.VERIFIED)
    for name, call in ctx.facts.calls_with_prefix("aiohttp."):
        if name not in _AIOHTTP_TLS_CALLS:
            continue
        seen.add(id(call))
        for word in ("ssl", "verify_ssl"):
            kw = keyword(call, word)
            if kw is not None and _is_false(kw.value):
                yield _verify_finding(ctx, call, kw, "aiohttp", HIGH)
    if imports_module(ctx.facts, "requests", "httpx", "aiohttp"):
        for call in _client_method_calls(ctx):
            if id(call) in seen:
                continue
            for name in ("verify", "ssl", "verify_ssl"):
                kw = keyword(call, name)
                if kw is not None and _is_false(kw.value):
                    yield _verify_finding(ctx, call, kw, "the HTTP client", MEDIUM)
        for node in ctx.facts.nodes_where(ast.Assign, _turns_verify_off):
            assert isinstance(node, ast.Assign)
            yield tls_verify_disabled.finding(
                ctx,
                node,
                f"`{ctx.segment(node.targets[0])} = False` turns off certificate verification for every "
                "request made with this session",
                confidence=MEDIUM,
            )
    for _, call in ctx.facts.calls_with_prefix("urllib3."):
        if callee_tail(call) not in {"PoolManager", "ProxyManager", "HTTPSConnectionPool", "connection_from_url"}:
            continue
        value = keyword_value(call, "cert_reqs")
        if value is not None and static_string(ctx, value) in {"CERT_NONE", "NONE", "none"}:
            yield tls_verify_disabled.finding(
                ctx,
                value,
                f"`{ctx.facts.spelled(call.func)}` with `cert_reqs={ctx.segment(value)}` accepts any certificate",
            )


def _verify_finding(ctx: RuleContext, call: ast.Call, kw: ast.keyword, library: str, confidence: object) -> Finding:
    spelled = ctx.facts.spelled(call.func)
    fix = remove_keyword(ctx, call, kw, f"Remove `{kw.arg}={ctx.segment(kw.value)}` (verify certificates)")
    return tls_verify_disabled.finding(
        ctx,
        kw,
        f"`{spelled}` with `{kw.arg}={ctx.segment(kw.value)}` disables certificate verification in {library}; "
        "anyone on the network path can impersonate the server",
        confidence=confidence,  # type: ignore[arg-type]
        fix=fix,
    )


@rule(
    id="SR502",
    name="request-without-timeout",
    cwe=400,
    severity=MEDIUM,
    confidence=LOW,
    bandit=("B113",),
    ruff=("S113",),
    summary="An HTTP request has no timeout (`requests` waits forever by default).",
    why="`requests` has no default timeout: a server that accepts the connection and never answers "
    "blocks the calling thread forever, and a few such calls exhaust a worker pool. `httpx` has a "
    "default, but `timeout=None` removes it.",
    bad="import requests\nrequests.get(url)",
    good="import requests\nrequests.get(url, timeout=10)",
)
def request_without_timeout(ctx: RuleContext) -> Iterator[Finding]:
    for library, name, call in _requests_calls(ctx):
        timeout = keyword(call, "timeout")
        spelled = ctx.facts.spelled(call.func)
        if timeout is not None and not (isinstance(timeout.value, ast.Constant) and timeout.value.value is None):
            ctx.judged(name, call, Judgement.TIMEOUT)
        if timeout is None:
            if library != "requests" or has_star_kwargs(call):
                continue
            yield request_without_timeout.finding(
                ctx, call, f"`{spelled}` has no `timeout=`; an unresponsive server blocks this call forever"
            )
        elif isinstance(timeout.value, ast.Constant) and timeout.value.value is None:
            yield request_without_timeout.finding(
                ctx,
                timeout,
                f"`{spelled}` with `timeout=None` waits forever for an unresponsive server",
                confidence=MEDIUM,
            )


_URLOPEN = (
    "urllib.request.urlopen",
    "urllib.request.urlretrieve",
    "six.moves.urllib.request.urlopen",
    "six.moves.urllib.request.urlretrieve",
    "urllib.urlopen",
    "urllib.urlretrieve",
    "urllib2.urlopen",
)
# Opener objects whose `.open(url)` / `.retrieve(url)` follow any scheme, `file://` included.
_URL_OPENERS = frozenset(
    {
        "urllib.request.URLopener",
        "urllib.request.FancyURLopener",
        "urllib.request.build_opener",
        "six.moves.urllib.request.URLopener",
        "six.moves.urllib.request.FancyURLopener",
        "six.moves.urllib.request.build_opener",
        "urllib.URLopener",
        "urllib.FancyURLopener",
        "urllib2.build_opener",
    }
)


def _url_is_fixed(ctx: RuleContext, node: ast.expr, depth: int = 0) -> bool:
    if is_static(ctx, node):
        return True
    if depth > 4:
        return False
    if isinstance(node, ast.Name):
        return _every_store_fixed(ctx, node, depth)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        table = single_assignment(ctx, node.value)  # ENDPOINTS[name]: a table of fixed URLs
        values: list[ast.expr] = []
        if isinstance(table, ast.Dict):
            values = list(table.values)
        elif isinstance(table, ast.Call) and ctx.facts.qualname(table.func) == "builtins.dict" and not table.args:
            values = [kw.value for kw in table.keywords if kw.arg is not None]
            values += [ast.Name(id="?")] * (len(values) != len(table.keywords))  # ``**more``: unknown
        return bool(values) and all(_url_is_fixed(ctx, v, depth + 1) for v in values)
    if isinstance(node, ast.JoinedStr) and node.values:
        first = node.values[0]
        if isinstance(first, ast.FormattedValue):  # f"{endpoint}/{project}/json"
            return first.format_spec is None and _url_is_fixed(ctx, first.value, depth + 1)
        return isinstance(first, ast.Constant) and str(first.value).lower().startswith(("http:", "https:"))
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        left = node.left
        while isinstance(left, ast.BinOp) and isinstance(left.op, ast.Add):
            left = left.left
        prefix = static_string(ctx, left)
        return prefix is not None and prefix.lower().startswith(("http:", "https:"))
    if isinstance(node, ast.Call) and ctx.facts.qualname(node.func) in {"urllib.request.Request", "urllib2.Request"}:
        inner = argument(node, 0, "url")
        return inner is not None and _url_is_fixed(ctx, inner, depth + 1)
    return False


def _every_store_fixed(ctx: RuleContext, name: ast.Name, depth: int) -> bool:
    """Every assignment of the name (``url = f"{base}/a"`` or ``url = f"{base}/b"``) fixes the scheme."""
    found = name_stores(ctx, name)
    if found is None:
        return False
    values = []
    for store in found[1]:
        parent = ctx.facts.parent(store)
        if not (isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is not None):
            return False
        values.append(parent.value)
    return all(_url_is_fixed(ctx, value, depth + 1) for value in values)


def _scheme_checked(ctx: RuleContext, call: ast.Call) -> bool:
    """The enclosing function inspects a URL scheme (``.scheme`` or ``startswith('http')``)."""
    function = ctx.facts.enclosing_function(call)
    if function is None:
        return False
    first, last = function.lineno, function.end_lineno or function.lineno
    for node in ctx.facts.nodes(ast.Attribute):
        if node.attr == "scheme" and first <= node.lineno <= last and node.lineno <= call.lineno:  # type: ignore[attr-defined]
            return True
    for check in ctx.facts.method_calls("startswith"):
        if first <= check.lineno <= call.lineno and any(
            (static_string(ctx, a) or "").startswith("http") for a in ast.walk(check) if isinstance(a, ast.Constant)
        ):
            return True
    return False


def _opener_calls(ctx: RuleContext) -> Iterator[ast.Call]:
    """``opener.open(url)`` / ``.retrieve(url)`` on a urllib opener, made in place or bound once."""
    for call in ctx.facts.method_calls("open", "retrieve"):
        receiver = call.func.value  # type: ignore[attr-defined]
        if isinstance(receiver, ast.Name):
            receiver = single_assignment(ctx, receiver)
        if isinstance(receiver, ast.Call) and ctx.facts.qualname(receiver.func) in _URL_OPENERS:
            yield call


_REQUEST_CLASSES = frozenset({"urllib.request.Request", "urllib2.Request"})


def _unchecked_urls(ctx: RuleContext) -> Iterator[tuple[ast.Call, ast.expr]]:
    """Each ``urlopen``/opener call with its URL, when the scheme is neither fixed nor checked."""
    calls = [call for _, call in ctx.facts.calls_to(*_URLOPEN)]
    calls.extend(_opener_calls(ctx))
    for call in sorted(calls, key=lambda c: (c.lineno, c.col_offset)):
        url = argument(call, 0, "url") or argument(call, 0, "fullurl")
        if url is not None and not _url_is_fixed(ctx, url) and not _scheme_checked(ctx, call):
            yield call, url


def _caller_url(ctx: RuleContext, url: ast.expr) -> bool:
    """The URL is what the enclosing function's caller handed in (``caller_data``), alone or
    wrapped in a ``Request`` built from it, or what the operator chose on the command line or in
    configuration (``operator_values``)."""
    if handed_in(ctx, url) or user_setting(ctx, url) or operator_value(ctx, url):
        return True
    built = single_assignment(ctx, url) if isinstance(url, ast.Name) else url
    if isinstance(built, ast.Call) and ctx.facts.qualname(built.func) in _REQUEST_CLASSES:
        return handed_in(ctx, argument(built, 0, "url"))
    return False


@rule(
    id="SR505",
    name="urlopen-any-scheme",
    cwe=918,
    severity=MEDIUM,
    confidence=MEDIUM,
    bandit=("B310",),
    ruff=("S310",),
    summary="`urllib.request.urlopen` is given a URL that is not fixed in the source, without a scheme check.",
    why="`urlopen` follows `file://` (and `ftp://`, `data:`) URLs as readily as `https://`: a URL "
    "taken from input can read local files such as `file:///etc/passwd` or reach internal services. "
    "Check that the scheme is `http`/`https` (and the host is allowed) before opening it. Openers "
    "(`build_opener()`, the legacy `URLopener`) behave the same in `.open()` / `.retrieve()`. A URL whose "
    "scheme is fixed in the source is not reported: a literal, or text that starts with one, with a "
    "value from a table of `https://` endpoints or with a name every assignment of which is such a URL. "
    "A URL a function was handed by its caller (`def fetch(url): return urlopen(url)`, a `Request` "
    "built from it, an object keeping its constructor's URL) or one the program's operator sets (its "
    "command line: `sys.argv`, an argument parser's options; a configuration mapping or file it reads) is "
    "the `hardening` note SR511: the caller or the operator chooses it; parameters of routes and request handlers stay here, and the data-flow "
    "rules report request data reaching the call.",
    bad="import urllib.request\n\n@app.route('/fetch')\ndef fetch(url):\n    return urllib.request.urlopen(url).read()",
    good="import urllib.parse, urllib.request\nif urllib.parse.urlsplit(user_url).scheme in {'http', 'https'}:\n"
    "    urllib.request.urlopen(user_url, timeout=10)",
)
def urlopen_any_scheme(ctx: RuleContext) -> Iterator[Finding]:
    for call, url in _unchecked_urls(ctx):
        if _caller_url(ctx, url):
            continue  # SR511's audit note: the caller chooses the URL
        yield urlopen_any_scheme.finding(
            ctx,
            call,
            f"`{ctx.facts.spelled(call.func)}` opens `{short(ctx.segment(url))}` whatever its scheme, including "
            "`file://`; check the scheme is http/https first",
        )


@rule(
    id="SR511",
    name="url-from-caller",
    cwe=918,
    severity=LOW,
    confidence=LOW,
    default_enabled=False,
    profiles=("hardening",),
    summary="`urlopen` opens the URL a function was handed by its caller, whatever its scheme (hardening profile).",
    why="A library function that opens the URL its caller gives (`def fetch(url)`, a robots.txt "
    "reader keeping the URL its constructor got, a `Request` built from a parameter) does what it "
    "is asked: the caller chooses the URL, and the pattern rule cannot see where that caller got "
    "it. The same holds for a URL from the program's own command line or configuration: whoever sets "
    "it already runs the program. Such calls are left out of the default report (SR505); the data-flow rules report them "
    "where request data reaches the call. This audit note lists them so a hardening review can "
    "check each caller or restrict the scheme to http/https in the function itself.",
    bad="import urllib.request\n\ndef fetch(url):\n    return urllib.request.urlopen(url).read()",
    good="import urllib.parse, urllib.request\n\ndef fetch(url):\n"
    "    if urllib.parse.urlsplit(url).scheme not in {'http', 'https'}:\n        raise ValueError(url)\n"
    "    return urllib.request.urlopen(url, timeout=10).read()",
)
def url_from_caller(ctx: RuleContext) -> Iterator[Finding]:
    for call, url in _unchecked_urls(ctx):
        if not _caller_url(ctx, url):
            continue
        function = ctx.facts.enclosing_function(call)
        chooser = (
            "the program's command line or configuration sets it; check that only its operator can"
            if operator_value(ctx, url) and not handed_in(ctx, url)
            else f"the caller of `{function.name if function else 'this function'}` hands it in; check that no "
            "caller passes a URL from outside the program"
        )
        yield url_from_caller.finding(
            ctx,
            call,
            f"`{ctx.facts.spelled(call.func)}` opens `{short(ctx.segment(url))}` whatever its scheme, as {chooser}",
        )


@rule(
    id="SR506",
    name="ssh-no-host-key-verification",
    cwe=295,
    severity=HIGH,
    confidence=MEDIUM,
    bandit=("B507",),
    ruff=("S507",),
    summary="Paramiko accepts unknown SSH host keys (`AutoAddPolicy` / `WarningPolicy`).",
    why="The host key is what proves you reached the right server. Accepting any unknown key lets "
    "a machine in the middle impersonate the server and capture the password or commands.",
    bad="import paramiko\nclient.set_missing_host_key_policy(paramiko.AutoAddPolicy())",
    good="import paramiko\nclient.load_system_host_keys()\nclient.set_missing_host_key_policy(paramiko.RejectPolicy())",
)
def ssh_no_host_key_verification(ctx: RuleContext) -> Iterator[Finding]:
    if not imports_module(ctx.facts, "paramiko"):
        return
    for call in ctx.facts.method_calls("set_missing_host_key_policy"):
        policy = argument(call, 0, "policy")
        if policy is None:
            continue
        target = policy.func if isinstance(policy, ast.Call) else policy
        name = ctx.facts.qualname(target) or ctx.facts.spelled(target)
        tail = name.rsplit(".", 1)[-1]
        if tail in {"AutoAddPolicy", "WarningPolicy"}:
            yield ssh_no_host_key_verification.finding(
                ctx,
                call,
                f"`{ctx.facts.spelled(call.func)}({ctx.segment(policy)})` trusts any unknown host key; "
                "load known hosts and use `RejectPolicy`",
            )


def _pysnmp_calls(ctx: RuleContext, class_name: str) -> Iterator[ast.Call]:
    for name, call in ctx.facts.calls_with_prefix("pysnmp."):
        if name.endswith("." + class_name):
            yield call


@rule(
    id="SR507",
    name="snmp-insecure-version",
    cwe=319,
    severity=MEDIUM,
    confidence=HIGH,
    bandit=("B508",),
    ruff=("S508",),
    summary="SNMP v1/v2c (community strings) is used.",
    why="SNMP v1 and v2c authenticate with a community string sent in clear text and offer no "
    "encryption; anyone who sees one packet can read or, with a write community, reconfigure the "
    "device. Use SNMPv3 with `UsmUserData` and authentication plus privacy keys.",
    bad="from pysnmp.hlapi import CommunityData\nauth = CommunityData('public', mpModel=0)",
    good="from pysnmp.hlapi import UsmUserData, usmHMACSHAAuthProtocol, usmAesCfb128Protocol\n"
    "auth = UsmUserData('user', auth_key, priv_key, authProtocol=usmHMACSHAAuthProtocol, "
    "privProtocol=usmAesCfb128Protocol)",
)
def snmp_insecure_version(ctx: RuleContext) -> Iterator[Finding]:
    for call in _pysnmp_calls(ctx, "CommunityData"):
        model = keyword_value(call, "mpModel")
        version = "v2c"
        if isinstance(model, ast.Constant) and model.value == 0:
            version = "v1"
        yield snmp_insecure_version.finding(
            ctx,
            call,
            f"`{ctx.facts.spelled(call.func)}` uses SNMP{version} with a clear-text community string; use SNMPv3 "
            "(`UsmUserData`) with authentication and privacy",
        )


@rule(
    id="SR508",
    name="snmp-no-encryption",
    cwe=319,
    severity=MEDIUM,
    confidence=HIGH,
    bandit=("B509",),
    ruff=("S509",),
    summary="SNMPv3 is used without a privacy (encryption) key.",
    why="`UsmUserData` without a privacy key is noAuthNoPriv or authNoPriv: the traffic, including "
    "any values read or written, is unencrypted.",
    bad="from pysnmp.hlapi import UsmUserData\nauth = UsmUserData('user', auth_key)",
    good="from pysnmp.hlapi import UsmUserData\nauth = UsmUserData('user', auth_key, priv_key)",
)
def snmp_no_encryption(ctx: RuleContext) -> Iterator[Finding]:
    for call in _pysnmp_calls(ctx, "UsmUserData"):
        if has_star_kwargs(call) or any(isinstance(a, ast.Starred) for a in call.args):
            continue
        has_priv = len(call.args) >= 3 or keyword(call, "privKey") is not None
        if has_priv:
            continue
        level = "authNoPriv" if len(call.args) >= 2 or keyword(call, "authKey") is not None else "noAuthNoPriv"
        yield snmp_no_encryption.finding(
            ctx,
            call,
            f"`{ctx.facts.spelled(call.func)}` without a privacy key runs SNMPv3 as {level} (unencrypted); "
            "pass `privKey` and a `privProtocol`",
        )


_HF_DOWNLOADS = {
    "from_pretrained": ("transformers", "diffusers"),
    "load_dataset": ("datasets",),
    "hf_hub_download": ("huggingface_hub",),
    "snapshot_download": ("huggingface_hub",),
}


def _is_commit_hash(text: str) -> bool:
    return len(text) >= 7 and all(c in string.hexdigits for c in text)


@rule(
    id="SR510",
    name="huggingface-unpinned-download",
    cwe=494,
    severity=MEDIUM,
    confidence=HIGH,
    bandit=("B615",),
    ruff=(),
    summary="A Hugging Face Hub download is not pinned to a commit (`revision=`).",
    why="Without a pinned revision the code downloads whatever the repository holds today. If the "
    "repository is changed or taken over, the next run loads different weights, datasets or code "
    "(pickled weights and `trust_remote_code` run code). Pin `revision=` to a full commit hash.",
    bad="from transformers import AutoModel\nmodel = AutoModel.from_pretrained('org/model')",
    good="from transformers import AutoModel\n"
    "model = AutoModel.from_pretrained('org/model', revision='5d0c3b1e2a7f9c4d8e6b0a1f2c3d4e5f6a7b8c9d')",
)
def huggingface_unpinned_download(ctx: RuleContext) -> Iterator[Finding]:
    if not imports_module(ctx.facts, "transformers", "diffusers", "datasets", "huggingface_hub"):
        return
    for name in list(ctx.facts.call_names):
        parts = name.split(".")
        libraries = _HF_DOWNLOADS.get(parts[-1])
        if libraries is None or parts[0] not in libraries:
            continue
        for _, call in ctx.facts.calls_to(name):
            finding = _hf_finding(ctx, call, parts[-1])
            if finding is not None:
                yield finding


def _hf_finding(ctx: RuleContext, call: ast.Call, function: str) -> Finding | None:
    if has_star_kwargs(call):
        return None
    local = keyword_value(call, "local_files_only")
    if isinstance(local, ast.Constant) and local.value is True:
        return None
    for name in ("revision", "commit_id"):
        value = keyword_value(call, name)
        if value is None:
            continue
        text = static_string(ctx, value)
        if text is None or _is_commit_hash(text):
            return None
    repo = (
        argument(call, 0, "repo_id") or argument(call, 0, "pretrained_model_name_or_path") or argument(call, 0, "path")
    )
    repo_text = static_string(ctx, repo)
    if repo_text is not None and repo_text.startswith(("./", "/", "../", "~")):
        return None
    confidence = HIGH if repo_text is not None else LOW
    shown = repr(repo_text) if repo_text is not None else (short(ctx.segment(repo)) if repo is not None else "")
    return huggingface_unpinned_download.finding(
        ctx,
        call,
        f"`{ctx.facts.spelled(call.func)}({shown})` downloads from the Hub without pinning `revision=` to a "
        "commit hash; a changed repository silently changes what is loaded",
        confidence=confidence,
    )
