"""Injection found by data flow (SR8xx): untrusted input reaching a dangerous API.

One taint pass per file serves every rule here; each rule reports the sinks of its
class, with the path from the source in ``Finding.flow``. The pass also records what it
examined (sources, sinks, cleared sinks, what it skipped) as evidence records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..engine.evidence import ClearedSink, SinkExamined, SinkNotReported, Skipped, SourceSeen
from ..engine.finding import Finding, FlowStep, StepKind
from ..engine.taint import ModuleTaint, SinkHit
from ..engine.taint_model import TaintSpec, sink_index
from .base import HIGH, LOW, MEDIUM, CacheKey, Rule, RuleContext, rule
from .taint_tables import spec_for


@dataclass
class _Run:
    hits: list[SinkHit]
    spec: TaintSpec


_RUN: CacheKey[_Run] = CacheKey("taint analysis of the module")


def _run(ctx: RuleContext) -> _Run:
    """The module's taint analysis, run once per context and shared by every taint rule."""
    return ctx.cache.get(_RUN, lambda: _analyze(ctx))


def _analyze(ctx: RuleContext) -> _Run:
    spec = ctx.taint_spec if ctx.taint_spec is not None else spec_for(None)
    analysis = ModuleTaint(ctx.facts, spec, project=ctx.project, memo=ctx.taint_memo)
    hits = analysis.run()
    sources, sinks = _seen_by_engine(analysis)
    ctx.evidence.extend(sources)
    ctx.evidence.extend(sinks)
    _note_quiet_sinks(ctx, spec, {sink.line for sink in sinks})
    ctx.evidence.extend(Skipped(reason) for reason in analysis.skipped)
    for cls, node in analysis.cleared:
        current = _RULES_BY_CLASS.get(cls)
        if current is not None and current.cwe is not None:
            span = ctx.source.span(node)
            api = f"{ctx.facts.spelled(node.func)}()"  # type: ignore[attr-defined]
            ctx.evidence.add(ClearedSink(api, span.start_line, span.start_col, cls, current.cwe))
    return _Run(hits, spec)


def _note_quiet_sinks(ctx: RuleContext, spec: TaintSpec, seen_lines: set[int]) -> None:
    """Sinks in code no untrusted value can reach (no source in scope): examined, and quiet."""
    by_name, _ = sink_index(spec)
    called = set(ctx.facts.call_names)
    for name, call in ctx.facts.calls_to(*(name for name in by_name if name in called)):
        if call.lineno in seen_lines:
            continue
        what = by_name[name][0].what
        api = f"{ctx.facts.spelled(call.func)}()"
        ctx.evidence.add(SinkExamined(api, call.lineno, what, SinkNotReported.NO_SOURCE))


# -- adapters for what the taint engine still writes as text ------------------------------
#
# The engine reports the sources and sinks it examined as sentences and builds flow steps
# with notes only. These two functions are the one place that reads them back; they go away
# once the engine writes ``SourceSeen`` / ``SinkExamined`` records and ``FlowStep.of`` steps.


def _seen_by_engine(analysis: ModuleTaint) -> tuple[list[SourceSeen], list[SinkExamined]]:
    """The engine's ``sources_seen`` ("<source> (line N)") and ``sinks_seen``
    ("`<api>` (line N): <what>") as records."""
    sources: list[SourceSeen] = []
    for entry in analysis.sources_seen:
        description, number = entry.rsplit(" (line ", 1)
        sources.append(SourceSeen(description, int(number.rstrip(")"))))
    sinks: list[SinkExamined] = []
    for entry in analysis.sinks_seen:
        shown, rest = entry.rsplit(" (line ", 1)
        number, what = rest.split("): ", 1)
        sinks.append(SinkExamined(shown[1:-1], int(number), what))
    return sources, sinks


def _step_kind(step: FlowStep) -> tuple[StepKind | None, str]:
    """What happens at ``step`` and the name involved, for steps the engine made with a note only."""
    if step.kind is not None:
        return step.kind, step.name
    note = step.note
    if note.startswith("assigned to `") and note.endswith("`"):
        return StepKind.ASSIGNED, note[len("assigned to `") : -1]
    if note.startswith("passed to `") and note.endswith("()`"):
        return StepKind.PASSED, note[len("passed to `") : -3]
    return None, ""


# -- messages -------------------------------------------------------------------------------


def _where(step: FlowStep, current: str) -> str:
    line = f"line {step.span.start_line}"
    if step.path and step.path != current:
        return f"{line} of {Path(step.path).name}"
    return line


def _through(steps: tuple[FlowStep, ...], current: str) -> list[str]:
    """Names the value passes through, for the message (at most three)."""
    names: list[str] = []
    for step in steps[1:-1]:
        kind, name = _step_kind(step)
        if kind is StepKind.ASSIGNED:
            text = f"`{name}` ({_where(step, current)})"
        elif kind is StepKind.PASSED:
            text = f"`{name}()` ({_where(step, current)})"
        else:
            continue
        if text not in names:
            names.append(text)
    if len(names) > 3:
        names = [*names[:2], names[-1]]
    return names


def message_for(hit: SinkHit, title: str, current: str) -> str:
    steps = hit.label.steps
    source = hit.label.origin
    source_step = steps[0] if steps else None
    sink_step = steps[-1] if steps else None
    where_source = _where(source_step, current) if source_step else f"line {source.span.start_line}"
    where_sink = _where(sink_step, current) if sink_step else "?"
    text = f"{source.text} ({where_source}) reaches `{hit.sink}` ({where_sink})"
    through = _through(steps, current)
    if through:
        text += " through " + ", ".join(through)
    return f"{text}: {title}"


def _checker(cls: str, title: str) -> Callable[[RuleContext], Iterator[Finding]]:
    def check(ctx: RuleContext) -> Iterator[Finding]:
        run = _run(ctx)
        current = _RULES_BY_CLASS.get(cls)
        if current is None:
            return
        for hit in run.hits:
            if hit.cls != cls:
                continue
            local = hit.local
            yield current.finding(
                ctx,
                hit.node,
                message_for(hit, title, ctx.path),
                severity=MEDIUM if local else None,
                confidence=LOW if local else None,
                flow=hit.label.steps,
                extra={"taint_class": cls, "source": hit.label.origin.text, "local_source": local},
            )

    return check


_RULES_BY_CLASS: dict[str, Rule] = {}


def _define(
    cls: str,
    *,
    id: str,
    name: str,
    cwe: int,
    title: str,
    summary: str,
    why: str,
    bad: str,
    good: str,
    severity=HIGH,  # type: ignore[no-untyped-def]
    confidence=HIGH,  # type: ignore[no-untyped-def]
    bandit: tuple[str, ...] = (),
    ruff: tuple[str, ...] = (),
) -> Rule:
    check = _checker(cls, title)
    check.__module__ = __name__
    check.__name__ = name.replace("-", "_")
    created = rule(
        id=id,
        name=name,
        cwe=cwe,
        severity=severity,
        confidence=confidence,
        summary=summary,
        why=why,
        bad=bad,
        good=good,
        bandit=bandit,
        ruff=ruff,
        taint=True,
    )(check)
    _RULES_BY_CLASS[cls] = created
    return created


SQL = _define(
    "sql",
    id="SR801",
    name="sql-injection",
    cwe=89,
    title="SQL injection",
    summary="Untrusted input reaches the text of an SQL query.",
    why="Text spliced into a query is parsed as SQL: a quote in the input ends the literal and the "
    "rest runs as the attacker's SQL (read other rows, bypass a login, drop tables). Placeholders "
    "send the value separately, so it is never parsed.",
    bad='name = request.args["name"]\ncursor.execute(f"SELECT * FROM users WHERE name = \'{name}\'")',
    good='name = request.args["name"]\ncursor.execute("SELECT * FROM users WHERE name = %s", (name,))',
)
COMMAND = _define(
    "command",
    id="SR802",
    name="command-injection",
    cwe=78,
    title="OS command injection",
    summary="Untrusted input reaches a shell command or the program a process runs.",
    why="A shell interprets `;`, `|`, `$(...)` and backquotes in the input, so the attacker runs "
    "commands of their own. Pass an argument list without `shell=True` (the input is then one "
    "argument, never code), fix the program name, or quote with `shlex.quote`.",
    bad='host = request.args["host"]\nsubprocess.run(f"ping -c 1 {host}", shell=True)',
    good='host = request.args["host"]\nsubprocess.run(["ping", "-c", "1", host])',
)
CODE = _define(
    "code",
    id="SR803",
    name="code-injection",
    cwe=94,
    title="code injection",
    summary="Untrusted input is evaluated as Python code or as a template.",
    why="`eval`, `exec`, `compile` and template engines fed with a request's text run whatever "
    "the attacker wrote, with the server's privileges. Parse data with `ast.literal_eval` or "
    "`json.loads`; render fixed templates with the input as a variable.",
    bad='expr = request.args["expr"]\nresult = eval(expr)',
    good='import ast\nresult = ast.literal_eval(request.args["expr"])',
)
PATH = _define(
    "path",
    id="SR804",
    name="path-traversal",
    cwe=22,
    title="path traversal",
    summary="Untrusted input chooses a file path that is opened, written or deleted.",
    why="`../` sequences or an absolute path in the input leave the intended folder: the attacker "
    "reads `/etc/passwd` or the application's secrets, or overwrites files. Keep only a base name "
    "(`werkzeug.utils.secure_filename`, `os.path.basename`) or resolve the path and check it is "
    "still inside the base folder.",
    bad='name = request.args["file"]\nreturn open(os.path.join(UPLOADS, name)).read()',
    good='name = secure_filename(request.args["file"])\nreturn open(os.path.join(UPLOADS, name)).read()',
)
SSRF = _define(
    "ssrf",
    id="SR805",
    name="server-side-request-forgery",
    cwe=918,
    title="server-side request forgery",
    summary="Untrusted input chooses the URL (host) the server sends a request to.",
    why="The server can reach what the client cannot: cloud metadata endpoints, admin interfaces "
    "on localhost, internal services. Let the input choose only a path or a parameter under a "
    "fixed `https://host/`, or check the host against an allowlist.",
    bad='url = request.args["url"]\nrequests.get(url, timeout=5)',
    good='item = request.args["item"]\nrequests.get(f"https://api.example.com/items/{item}", timeout=5)',
)
XSS = _define(
    "xss",
    id="SR806",
    name="cross-site-scripting",
    cwe=79,
    title="cross-site scripting",
    summary="Untrusted input is written into an HTML response without escaping.",
    why="Markup in the input runs as script in other users' browsers, in the site's origin: it reads "
    "their session, acts on their behalf. Render templates with autoescaping, or escape with "
    "`markupsafe.escape` / `html.escape`; never mark input as safe.",
    bad='name = request.args["name"]\nreturn f"<h1>Hello {name}</h1>"',
    good='name = request.args["name"]\nreturn render_template("hello.html", name=name)',
)
REDIRECT = _define(
    "redirect",
    id="SR807",
    name="open-redirect",
    cwe=601,
    title="open redirect",
    summary="Untrusted input chooses where the user is redirected.",
    why="A link on the trusted domain that forwards to any site is the phishing page's best friend "
    "(and can leak OAuth codes). Redirect to internal routes (`url_for`), or check the target with "
    "`url_has_allowed_host_and_scheme`.",
    bad='return redirect(request.args["next"])',
    good='target = request.args.get("next", "")\n'
    "if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):\n"
    '    target = "/"\nreturn redirect(target)',
    severity=MEDIUM,
)
LDAP = _define(
    "ldap",
    id="SR808",
    name="ldap-injection",
    cwe=90,
    title="LDAP injection",
    summary="Untrusted input is spliced into an LDAP search filter or base DN.",
    why="`*`, `(`, `)` and `\\` in the input change the filter: `*)(uid=*` lists every entry or "
    "bypasses a login check. Escape with `ldap.filter.escape_filter_chars`.",
    bad='user = request.args["user"]\nconn.search_s(BASE, ldap.SCOPE_SUBTREE, f"(uid={user})")',
    good="from ldap.filter import escape_filter_chars\n"
    'conn.search_s(BASE, ldap.SCOPE_SUBTREE, f"(uid={escape_filter_chars(user)})")',
)
XPATH = _define(
    "xpath",
    id="SR809",
    name="xpath-injection",
    cwe=643,
    title="XPath injection",
    summary="Untrusted input is spliced into an XPath expression.",
    why="A quote in the input ends the literal and the rest is XPath: `' or '1'='1` selects every "
    "node. Pass values as XPath variables (`tree.xpath('//user[@name=$name]', name=name)`).",
    bad="name = request.args['name']\ntree.xpath(f\"//user[@name='{name}']\")",
    good="name = request.args['name']\ntree.xpath(\"//user[@name=$name]\", name=name)",
)
DESERIALIZATION = _define(
    "deserialization",
    id="SR810",
    name="untrusted-deserialization",
    cwe=502,
    title="deserialization of untrusted data",
    summary="Untrusted bytes are deserialized with a format that can build arbitrary objects.",
    why="pickle, marshal, unsafe YAML and jsonpickle run constructors named by the data: loading "
    "what a client sent is remote code execution. Use JSON (or `yaml.safe_load`) for data that "
    "crosses a trust boundary.",
    bad="obj = pickle.loads(request.data)",
    good="obj = json.loads(request.data)",
)
XXE = _define(
    "xxe",
    id="SR811",
    name="xml-external-entities",
    cwe=611,
    title="XML external entity injection",
    summary="Untrusted XML is parsed by lxml with entity resolution on.",
    why='An external entity (`<!ENTITY x SYSTEM "file:///etc/passwd">`) makes the parser read '
    "local files into the document, or fetch URLs. Parse with "
    "`etree.XMLParser(resolve_entities=False, no_network=True)` or use `defusedxml`.",
    bad="doc = etree.fromstring(request.data)",
    good="parser = etree.XMLParser(resolve_entities=False, no_network=True)\n"
    "doc = etree.fromstring(request.data, parser)",
)
HEADER = _define(
    "header",
    id="SR812",
    name="http-header-injection",
    cwe=113,
    title="HTTP header injection",
    summary="Untrusted input is written into an HTTP response header.",
    why="A CR/LF in the value ends the header and starts new ones (or the body): the attacker sets "
    "cookies, splits the response, poisons caches. Reject or strip `\\r` and `\\n`, or allow only "
    "known values.",
    bad='resp.headers["X-Name"] = request.args["name"]',
    good='name = request.args["name"].replace("\\r", "").replace("\\n", "")\nresp.headers["X-Name"] = name',
    severity=MEDIUM,
)
LOG = _define(
    "log",
    id="SR813",
    name="log-injection",
    cwe=117,
    title="log injection",
    summary="Untrusted input is written to a log without neutralizing line breaks.",
    why="A newline in the input forges whole log entries (a fake successful login, a fake admin "
    "action) and misleads whoever reads or parses the log. Strip or escape `\\r`/`\\n` first, or "
    "log `repr(value)`.",
    bad='logger.info("login failed for %s", request.form["user"])',
    good='user = request.form["user"].replace("\\n", "\\\\n").replace("\\r", "\\\\r")\n'
    'logger.info("login failed for %s", user)',
    severity=LOW,
    confidence=MEDIUM,
)
TRUST = _define(
    "trust-boundary",
    id="SR814",
    name="trust-boundary-violation",
    cwe=501,
    title="trust boundary violation",
    summary="Untrusted input is stored in the server-side session, where it is later trusted.",
    why="Code that reads the session assumes the server put the values there: an unchecked request "
    "value stored as `session['role']` or `session['user_id']` becomes an identity or a privilege. "
    "Validate (or look up) the value before it crosses into the session.",
    bad='session["user"] = request.args["user"]',
    good='user = User.query.filter_by(name=request.form["user"]).first_or_404()\nsession["user_id"] = user.id',
    severity=MEDIUM,
    confidence=MEDIUM,
)

TAINT_RULES = (SQL, COMMAND, CODE, PATH, SSRF, XSS, REDIRECT, LDAP, XPATH, DESERIALIZATION, XXE, HEADER, LOG, TRUST)
