"""XML parsing (SR41x): entity expansion and external entities."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ..engine.facts import argument, keyword, keyword_value
from ..engine.finding import Finding
from .base import HIGH, LOW, MEDIUM, RuleContext, rule
from .judge import is_static, short, single_assignment

_STDLIB_PARSERS: dict[str, str] = {}
for _module, _functions in (
    ("xml.etree.ElementTree", ("parse", "iterparse", "fromstring", "XML", "fromstringlist")),
    ("xml.etree.cElementTree", ("parse", "iterparse", "fromstring", "XML", "fromstringlist")),
    ("xml.sax", ("parse", "parseString")),
    ("xml.dom.expatbuilder", ("parse", "parseString")),
    ("xml.dom.minidom", ("parse", "parseString")),
    ("xml.dom.pulldom", ("parse", "parseString")),
):
    for _function in _functions:
        _STDLIB_PARSERS[f"{_module}.{_function}"] = _module
# Functions whose first argument names a file (or is a file object) rather than holding XML text:
# a fixed file name does not make the document's content fixed.
_FILE_PARSERS = frozenset({"parse", "iterparse"})
_IN_MEMORY_FILES = frozenset({"io.StringIO", "io.BytesIO"})
# Parser objects of the standard library and the method that hands them a document.
_PARSER_FACTORIES = {
    "xml.sax.make_parser": "xml.sax",
    "xml.sax.expatreader.create_parser": "xml.sax.expatreader",
    "xml.etree.ElementTree.XMLParser": "xml.etree.ElementTree",
    "xml.etree.ElementTree.XMLPullParser": "xml.etree.ElementTree",
    "xml.etree.cElementTree.XMLParser": "xml.etree.cElementTree",
    "xml.parsers.expat.ParserCreate": "xml.parsers.expat",
}
_FEEDING_METHODS = {"parse": "parse", "feed": "feed", "Parse": "feed", "ParseFile": "parse"}
_XMLRPC_SERVERS = (
    "xmlrpc.server.SimpleXMLRPCServer",
    "xmlrpc.server.DocXMLRPCServer",
    "xmlrpc.server.CGIXMLRPCRequestHandler",
    "xmlrpc.server.MultiPathXMLRPCServer",
    "SimpleXMLRPCServer.SimpleXMLRPCServer",
)
_LXML_PARSERS = ("lxml.etree.parse", "lxml.etree.fromstring", "lxml.etree.XML", "lxml.etree.iterparse")


def _fixed_document(ctx: RuleContext, source: ast.expr, function: str) -> bool:
    """The XML itself is written in the source: literal text, or an in-memory file of literal text.

    For ``parse``/``iterparse`` a literal is a file name, whose content the source does not fix."""
    if function not in _FILE_PARSERS:
        return is_static(ctx, source)
    if isinstance(source, ast.Call) and ctx.facts.qualname(source.func) in _IN_MEMORY_FILES:
        text = argument(source, 0, "initial_value")
        return text is None or is_static(ctx, text)
    return False


def _parser_object_calls(ctx: RuleContext) -> Iterator[tuple[ast.Call, str]]:
    """``parser.parse(x)`` / ``parser.feed(x)`` on a standard-library parser object, made in
    place or bound once to a name (``parser = xml.sax.make_parser()``)."""
    for call in ctx.facts.method_calls(*_FEEDING_METHODS):
        if not call.args:
            continue
        receiver = call.func.value  # type: ignore[attr-defined]
        if isinstance(receiver, ast.Name):
            receiver = single_assignment(ctx, receiver)
        if isinstance(receiver, ast.Call):
            module = _PARSER_FACTORIES.get(ctx.facts.qualname(receiver.func) or "")
            if module is not None:
                yield call, module


_STDLIB_CODES = ("313", "314", "315", "316", "317", "318", "319", "405", "406", "407", "408", "409")


@rule(
    id="SR410",
    name="xml-unsafe-parse",
    cwe=611,
    severity=MEDIUM,
    confidence=LOW,
    bandit=("B320", "B410", "B411"),
    ruff=("S320", "S410", "S411"),
    summary="XML from a non-constant source is parsed with lxml's default parser, or an XML-RPC "
    "server parses requests from the network.",
    why="lxml before 5.0 resolves external entities by default: a document that comes from outside "
    "the program can read local files or make the server fetch URLs (XXE). Where the document's "
    "origin is not visible in the source the finding is at low confidence; documents that come from "
    "a request are the taint rule SR811's, literal XML is not reported. The standard library's "
    "expat-based parsers load no external entities by default and are not reported here (SR413, "
    "in the `hardening` profile, lists them for audits). XML-RPC servers parse whatever the network "
    "sends with the standard library parser and are reported at low severity.",
    bad="from lxml import etree\ntree = etree.fromstring(upload.read())",
    good="from lxml import etree\nparser = etree.XMLParser(resolve_entities=False, no_network=True)\n"
    "tree = etree.fromstring(upload.read(), parser=parser)",
)
def xml_unsafe_parse(ctx: RuleContext) -> Iterator[Finding]:
    for lxml_name, call in ctx.facts.calls_to(*_LXML_PARSERS):
        source = argument(call, 0, "source") or argument(call, 0, "text")
        function = lxml_name.rsplit(".", 1)[-1]
        if source is None or _fixed_document(ctx, source, function) or keyword(call, "parser") is not None:
            continue
        if len(call.args) >= 2:
            continue
        yield xml_unsafe_parse.finding(
            ctx,
            call,
            f"`{ctx.facts.spelled(call.func)}` parses `{short(ctx.segment(source))}` with lxml's default parser, "
            "which before lxml 5.0 resolves external entities; pass "
            "`parser=etree.XMLParser(resolve_entities=False, no_network=True)` or use `defusedxml.lxml`",
        )
    for _, call in ctx.facts.calls_to(*_XMLRPC_SERVERS):
        yield xml_unsafe_parse.finding(
            ctx,
            call,
            f"`{ctx.facts.spelled(call.func)}` parses XML-RPC requests from the network with the standard "
            "library parser; call `defusedxml.xmlrpc.monkey_patch()` or put it behind authentication",
            severity=LOW,
        )


@rule(
    id="SR413",
    name="xml-stdlib-parse",
    cwe=776,
    severity=LOW,
    confidence=LOW,
    bandit=tuple(f"B{code}" for code in _STDLIB_CODES),
    ruff=tuple(f"S{code}" for code in _STDLIB_CODES),
    default_enabled=False,
    profiles=("hardening",),
    summary="A standard-library XML parser reads a document that is not fixed in the source (hardening profile).",
    why="The standard library's expat-based parsers load no external entities by default; their "
    "remaining risk is entity expansion ('billion laughs'), which expat resists from 2.4.1 on. This "
    "audit check lists every parse of a non-literal document so a hardening review can move them to "
    "`defusedxml`; documents that come from a request are reported by the taint rule SR811 in the "
    "default report. Literal XML is not reported; a fixed file name is (its content is not in the "
    "source). Parser objects are judged where they receive a document (`.parse()`, `.feed()`).",
    bad="import xml.etree.ElementTree as ET\ntree = ET.parse(path)",
    good="import defusedxml.ElementTree as ET\ntree = ET.parse(path)",
)
def xml_stdlib_parse(ctx: RuleContext) -> Iterator[Finding]:
    for name, call in ctx.facts.calls_to(*_STDLIB_PARSERS):
        source = call.args[0] if call.args else (call.keywords[0].value if call.keywords else None)
        if source is None or _fixed_document(ctx, source, name.rsplit(".", 1)[-1]):
            continue
        yield xml_stdlib_parse.finding(
            ctx,
            call,
            f"`{ctx.facts.spelled(call.func)}` parses `{short(ctx.segment(source))}` with `{_STDLIB_PARSERS[name]}`, "
            "which resists entity expansion only when linked with expat >= 2.4.1; use `defusedxml` for "
            "XML from outside the program",
        )
    for call, module in _parser_object_calls(ctx):
        document = call.args[0]
        method = _FEEDING_METHODS[call.func.attr]  # type: ignore[attr-defined]
        if _fixed_document(ctx, document, "parse" if method == "parse" else "feed"):
            continue
        yield xml_stdlib_parse.finding(
            ctx,
            call,
            f"`{ctx.facts.spelled(call.func)}` gives `{short(ctx.segment(document))}` to a `{module}` parser, "
            "which resists entity expansion only when linked with expat >= 2.4.1; use `defusedxml` for "
            "XML from outside the program",
        )


_SAX_EXTERNAL = frozenset(
    {
        "xml.sax.handler.feature_external_ges",
        "xml.sax.handler.feature_external_pes",
        "xml.sax.feature_external_ges",
        "xml.sax.feature_external_pes",
    }
)


def _only_fixed_documents(ctx: RuleContext, parser: ast.Call) -> bool:
    """The parser made by ``parser`` is bound once to a name and every document handed to it in
    the module (``parser=name``, second argument, ``name.feed(...)``) is fixed in the source:
    literal XML or a fixed file name shipped with the program."""
    binding = ctx.facts.parent(parser)
    if not (isinstance(binding, ast.Assign) and len(binding.targets) == 1 and isinstance(binding.targets[0], ast.Name)):
        return False
    name = binding.targets[0].id
    documents: list[ast.expr] = []
    for node in ctx.facts.nodes(ast.Name):
        assert isinstance(node, ast.Name)
        if node.id != name or not isinstance(node.ctx, ast.Load):
            continue
        use = ctx.facts.parent(node)
        if isinstance(use, ast.keyword) and use.arg == "parser":
            use = ctx.facts.parent(use)
        elif isinstance(use, ast.Attribute) and use.attr == "feed":
            use = ctx.facts.parent(use)
            if isinstance(use, ast.Call) and use.args:
                documents.append(use.args[0])
                continue
            return False
        if not (isinstance(use, ast.Call) and ctx.facts.qualname(use.func) in _LXML_PARSERS and use.args):
            return False  # handed on or used some other way: its documents are not visible here
        documents.append(use.args[0])
    return bool(documents) and all(is_static(ctx, document) for document in documents)


@rule(
    id="SR411",
    name="xml-external-entities-enabled",
    cwe=611,
    severity=HIGH,
    confidence=HIGH,
    bandit=(),
    ruff=(),
    scope="module",  # the documents a parser bound to a name is given are looked for anywhere in the module
    summary="An XML parser is configured to resolve external entities or fetch DTDs from the network.",
    why='With external entities on, a document can declare `<!ENTITY x SYSTEM "file:///etc/passwd">` '
    "and have the file's content inserted into the parsed data (XXE), or make the server fetch "
    "URLs of the attacker's choice (SSRF). A parser bound to a name whose every document in the "
    "module is literal XML or a fixed file name is not reported.",
    bad="from lxml import etree\nparser = etree.XMLParser(resolve_entities=True, no_network=False)",
    good="from lxml import etree\nparser = etree.XMLParser(resolve_entities=False, no_network=True)",
)
def xml_external_entities_enabled(ctx: RuleContext) -> Iterator[Finding]:
    for _, call in ctx.facts.calls_to("lxml.etree.XMLParser", "lxml.etree.XMLTreeBuilder"):
        reasons = []
        value = keyword_value(call, "resolve_entities")
        if isinstance(value, ast.Constant) and value.value is True:
            reasons.append("`resolve_entities=True`")
        value = keyword_value(call, "no_network")
        if isinstance(value, ast.Constant) and value.value is False:
            reasons.append("`no_network=False`")
        if reasons and not _only_fixed_documents(ctx, call):
            yield xml_external_entities_enabled.finding(
                ctx,
                call,
                f"`{ctx.facts.spelled(call.func)}` with {' and '.join(reasons)} lets documents pull in local "
                "files or URLs (XXE); keep `resolve_entities=False, no_network=True`",
            )
    for call in ctx.facts.method_calls("setFeature"):
        if len(call.args) < 2:
            continue
        feature = ctx.facts.qualname(call.args[0])
        enabled = call.args[1]
        if feature in _SAX_EXTERNAL and isinstance(enabled, ast.Constant) and enabled.value:
            yield xml_external_entities_enabled.finding(
                ctx,
                call,
                f"`{ctx.facts.spelled(call.func)}({ctx.segment(call.args[0])}, True)` makes the SAX parser "
                "load external entities (XXE); leave the feature off",
            )


@rule(
    id="SR412",
    name="xmlrpc-dotted-names",
    cwe=749,
    severity=HIGH,
    confidence=HIGH,
    bandit=(),
    ruff=(),
    summary="An XML-RPC server exposes an object with `allow_dotted_names=True`.",
    why="Dotted names let a remote caller walk attributes of the registered object, reach its "
    "module's globals and call arbitrary functions there — remote code execution. The standard "
    "library documentation warns never to enable it on a reachable server.",
    bad="server.register_instance(api, allow_dotted_names=True)",
    good="server.register_instance(api)",
)
def xmlrpc_dotted_names(ctx: RuleContext) -> Iterator[Finding]:
    for call in ctx.facts.method_calls("register_instance"):
        value = argument(call, 1, "allow_dotted_names")
        if isinstance(value, ast.Constant) and value.value is True:
            yield xmlrpc_dotted_names.finding(
                ctx,
                call,
                f"`{ctx.facts.spelled(call.func)}` with `allow_dotted_names=True` lets remote callers reach "
                "module globals through attribute paths; remove it",
            )
