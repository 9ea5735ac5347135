"""The shape of the taint tables: taint classes, sources, sinks and sanitizers.

The rule layer fills a ``TaintSpec`` from its tables (plus configuration) and hands it to the
engine; the engine never imports the tables and knows no taint class by name. Each class is a
``TaintClass`` row: what it is (CWE, title, docs, severity) and how it behaves (which cleaning
behaviours make a value harmless for it, whether local sources count, whether a sink's result
still carries the data).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from ..finding import Level

ALL_CLASSES = "*"

# Cleaning behaviours: things the analysis sees happen to a value. A taint class lists those that
# make a value harmless for it; the interpreter asks the spec which classes that is.
MARKUP_ESCAPED = "markup-escaped"  # formatted into a markup object (``Markup("<b>%s</b>") % value``)
LINE_BREAKS_REMOVED = "line-breaks-removed"  # ``.replace("\n", ...)`` or ``.replace("\r", ...)``
AFTER_FIXED_HOST = "after-fixed-host"  # written after a constant ``scheme://host/`` prefix
AFTER_BASE_SEPARATOR = (
    "after-base-separator"  # after a leading value and a lone ``/``: a path, or ``//host`` with no scheme
)
AFTER_FIXED_PATH = "after-fixed-path"  # written after a constant ``/path`` prefix (same site)
# written after constant text that is not only dashes (``"--output=" + value``): never an option itself
AFTER_FIXED_TEXT = "after-fixed-text"
# ``value.startswith("-")`` was false (or ``value.startswith("https://")`` true): not an option
OPTIONS_REJECTED = "options-rejected"
# an element placed after a ``"--"`` element of a sequence, at a position not known here
# (``[*opts, "--", path]``, ``cmd.extend(paths)`` after ``cmd.append("--")``): an operand
AFTER_END_OF_OPTIONS = "after-end-of-options"
# a predicate named ``is_…`` / ``_is_…`` was true of the value (``resolver._is_callback(name)``,
# ``is_registered(name)``): the value is one the program knows (a registered name)
PREDICATE_HELD = "predicate-held"
HOST_ALLOWLISTED = "host-allowlisted"  # ``urlparse(url).hostname in ALLOWED`` held
PARENT_REFS_REJECTED = "parent-refs-rejected"  # ``".." in value`` was false
QUOTES_REJECTED = "quotes-rejected"  # ``"'" in value`` was false, or the quote was replaced
SHELL_SYNTAX_REJECTED = "shell-syntax-rejected"  # a search for every shell metacharacter found none
# the result of a call the analysis does not follow (a database lookup, an authentication
# backend): data computed from the input, not the input's own value
COMPUTED_BY_CALL = "computed-by-call"
# the result of a method the analysis does not follow, called on an object that carries no input
# with the input among its arguments (``task.on_action(user, **form.cleaned_data)``): a value the
# program's object computes and returns, not the input's own text
RETURNED_BY_PROGRAM_OBJECT = "returned-by-program-object"
# data from the program's command line: what the user running it typed, no boundary for a
# command run with that user's own rights
INVOKING_USER_CHOSE = "invoking-user-chose"
# the URL or path of the request being served: a page of this site the client asked for and the
# application routed, not a value the client hands the application to keep
OWN_REQUEST_URL = "own-request-url"
# the request's ``Referer``: the page the browser itself came from (a site can make it its own
# only for the visitors it sent), so sending the user back there forwards no one elsewhere
PAGE_CAME_FROM = "page-came-from"
# a lookup by equality found a record for the value (``user = find_user(name)`` then ``user is not
# None``; ``[p for p in plugins if p.id == name]`` not empty): the value equals a key the program
# stored, and the record found is the program's own (``found_keys.py``)
FOUND_BY_KEY = "found-by-key"
# ``value in session["carts"]`` held: the value is one the session already holds (a key or an
# item of its data), so keeping it under another key of that session moves nothing across a boundary
FOUND_IN_SESSION = "found-in-session"
# Not a behaviour but a mark on the labels of a value inside ``if isinstance(value, str):``: a
# flow carrying it reaches its sink only when the value is text, never for an in-memory buffer
# (``io.StringIO(data)``) a caller passes instead of a path.
TEXT_ONLY = "~text-only"
# A mark on the labels of data that may be a parsed document (a JSON body: dicts and lists, not
# only text): a query document holding it may hold an operator (``{"$ne": null}``). Text made from
# the data (``str(v)``, an f-string, a concatenation) carries no mark.
DOCUMENT = "~document"
# Marks for a summarized function's parameter: ``MADE_TEXT`` on its labels once text was made
# from it (``str(param)``, an f-string), and ``NEEDS_DOCUMENT`` on an effect whose sink counts the
# parameter only when the caller hands in a parsed document (a value inside a query document).
MADE_TEXT = "~made-text"
# A mark on a summarized function's parameter labels where the parameter (or one of its parts) was
# written whole into an f-string (``f"payload: {form}"``): a caller handing in a dict, list or
# tuple known by its items gets its ``repr`` written there, line breaks escaped.
FORMATTED_WHOLE = "~formatted-whole"
# Beside ``FORMATTED_WHOLE``: the parameter written is the very name formatted (``f"{form_data}"``
# in the function taking ``form_data``, or after ``form_data = helper(form_data)``), not a value
# made from it (an exception raised while using it): a request model handed in shows its reprs.
FORMATTED_ITSELF = "~formatted-itself"
NEEDS_DOCUMENT = "~needs-document"
# Marks beside the classes ``".." in value`` being false cleaned: ``RELATIVE_ONLY`` — the value
# stays below a folder text puts before it, but ``os.path.join(folder, value)`` and
# ``Path(folder) / value`` start over at an absolute value, so those joins drop that cleaning
# unless ``ABSOLUTE_REJECTED`` says an absolute value was turned away too
# (``value.startswith("/")`` or ``os.path.isabs(value)`` false).
RELATIVE_ONLY = "~relative-only"
# A mark beside the classes a rejected or escaped quote cleaned: the value cannot leave a quoted
# literal, but written where no quote is open (``"WHERE id = " + v``) it needs none to inject.
QUOTED_ONLY = "~quoted-only"
ABSOLUTE_REJECTED = "~absolute-rejected"
CLEANING_BEHAVIOURS = frozenset(
    {MARKUP_ESCAPED, LINE_BREAKS_REMOVED, AFTER_FIXED_HOST, AFTER_FIXED_PATH, AFTER_BASE_SEPARATOR, AFTER_FIXED_TEXT, HOST_ALLOWLISTED,
     PARENT_REFS_REJECTED, QUOTES_REJECTED, SHELL_SYNTAX_REJECTED, OPTIONS_REJECTED, PREDICATE_HELD,
     COMPUTED_BY_CALL, AFTER_END_OF_OPTIONS, RETURNED_BY_PROGRAM_OBJECT, INVOKING_USER_CHOSE, OWN_REQUEST_URL,
     PAGE_CAME_FROM, FOUND_BY_KEY, FOUND_IN_SESSION}
)  # fmt: skip


@dataclass(frozen=True)
class TaintClass:
    """One class of injection the analysis tracks (``sql``, ``xss``, ...), with the rule that
    reports it and its docs. A class only named by configuration has just an id and a title."""

    id: str  # the name sinks, sanitizers and guards use
    cwe: int | None
    title: str  # "SQL injection": ends the finding's message
    rule_id: str = ""  # "SR801"
    rule_name: str = ""  # "sql-injection"
    summary: str = ""
    why: str = ""
    bad: str = ""
    good: str = ""
    severity: Level = Level.HIGH
    confidence: Level = Level.HIGH
    aliases: tuple[str, ...] = ()  # other spellings accepted in configuration ("cmd", "shell")
    # Sources local to the machine (argv, environment, stdin) are reported for this class: its
    # sinks still cross a boundary for the machine's own user (a database, a shell).
    reports_local_sources: bool = False
    # A sink of this class returns the input transformed (eval's value, an unpickled object,
    # markup), so its result stays tainted; other sinks return new data (a file, an output).
    result_keeps_data: bool = False
    cleaned_by: frozenset[str] = frozenset()  # cleaning behaviours that make a value harmless
    # Sinks of this class harm a running service's visitors only (a response, a redirect, a
    # session, a request sent on their behalf): test code serves nobody, so its findings are
    # reported only with ``test-code = "strict"``.
    served_only: bool = False
    # Only the sources naming this class in ``TaintSpec.class_sources`` feed it (a traceback): the
    # request's data and every other source are clean for it.
    own_sources_only: bool = False

    def __post_init__(self) -> None:
        unknown = self.cleaned_by - CLEANING_BEHAVIOURS
        if unknown:
            raise ValueError(f"taint class {self.id}: unknown cleaning behaviours {sorted(unknown)}")


@dataclass(frozen=True)
class SinkSpec:
    """A dangerous call. ``name`` is a qualified name (``os.system``), a method name
    (``.execute``, any receiver) or a receiver kind plus method (``requests.Session().get``).

    ``args`` lists (position, keyword) pairs of the arguments that must not be tainted;
    position -1 means the receiver. ``mode`` selects special semantics:
    ``"subprocess"`` (whole command with ``shell=True``, else only the program),
    ``"program"`` (the first element of an argument vector), ``"yaml"`` (unsafe loader only),
    ``"lxml"`` (no hardened parser given), ``"all-args"`` (every argument), ``"sax"`` (a SAX
    parser with external entities switched on), ``"html-typed"`` (a body the call declares HTML),
    ``"program-args"`` (``os.exec*`` / ``os.spawn*``: the program, or the command line of a shell
    it starts with ``-c``), ``"options"`` (the elements of an argument vector after a constant
    program and before a ``--`` element, when no shell runs it), ``"option-args"`` (the same for a
    program and its arguments passed one by one: ``create_subprocess_exec(program, *args)``),
    ``"exec-options"`` (the same for ``os.exec*`` / ``os.spawn*`` of a program not from input: the
    elements of the ``v`` forms' vector, the ``l`` forms' arguments, after ``arg0``),
    ``"with-arguments"`` (only a call given a named or positional argument, not only ``*items``:
    ``template.format(user=u)``), ``"log-values"`` (a log call whose message template the program's
    formatter cleans: every argument but the template), ``"called"`` (only where the call's result
    is called: ``getattr(obj, name)(...)``).
    """

    cls: str
    name: str
    what: str
    args: tuple[tuple[int, str | None], ...] = ((0, None),)
    mode: str = ""
    requires_import: tuple[str, ...] = ()
    receiver_hint: str = ""  # method-name sinks: receiver spelling must contain this
    # method-name sinks: not on text (a string literal or constant) nor on an object made by one of
    # these modules (the top module of the receiver's kind), whose method of that name is another
    # API's: ``re.compile(p).findall(text)``, ``jsonpath_ng.parse(p).find(document)``
    other_receivers: tuple[str, ...] = ()
    # method-name sinks: not where the module defines a method of that name on its own classes and
    # the receiver's spelling names none of these (``command.execute(argv)`` of the program's own
    # command objects, not a database cursor's)
    own_method_unless: tuple[str, ...] = ()
    clean_result: bool = False  # the call's result no longer carries this class
    # The call is this sink only when its first argument is this constant (case-insensitive):
    # ``send_header("Location", value)``; the checked arguments are the others of ``args``.
    first_is: str = ""
    # An argument written as a dict literal is checked only at these constant keys
    # (``find({"$where": code})``); any other value is checked whole.
    dict_keys: tuple[str, ...] = ()
    # Values written at other keys of a dict literal are checked too when they may be a parsed
    # document (``find({"user": body["user"]})`` with ``body = request.get_json()``).
    documents: bool = False
    # Only text built from the data counts: values that went through an unknown call (a query
    # builder object, ``Key("id").eq(v)``) are not the expression's text.
    built_text: bool = False
    # The argument may be an open file instead of a path (``ZipFile(upload)``, ``send_file(buffer)``):
    # an in-memory buffer or an uploaded file's stream names no file on the server.
    takes_files: bool = False
    # A dict (a literal, or a value with string keys only) is written as JSON: not this sink.
    json_dicts: bool = False
    # The call resolves an object to its URL itself (Django's ``redirect(obj)`` calls
    # ``obj.get_absolute_url()``): a record a ``save()`` returned (``redirect(form.save())``) or a
    # value known only by its attributes (``obj.font = upload; redirect(obj)``) is not URL text.
    model_objects: bool = False
    # The argument is text (an SQL statement): an argument vector passed instead — ``sys.argv``,
    # a slice of it, a list or tuple written in the call — is another API's ``execute(argv)``.
    text_only: bool = False
    # Methods that turn the call's result back into plain text at once (``Markup(v).unescape()``,
    # ``.striptags()``): a call whose result goes straight into one of them trusts nothing as markup;
    # the text it gives back is the data, still to be checked where it is written.
    unmarked_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoreSink:
    """``<base>[key] = value`` where base matches: a qualified name (``flask.session``),
    a receiver kind (``django.request.session``) or a final attribute (``.headers``)."""

    cls: str
    base: str
    what: str
    requires_import: tuple[str, ...] = ()
    key: str = ""  # only this constant key (case-insensitive): ``headers["Location"]``
    on_key: bool = False  # the key is checked, not the value: ``session[name] = ...``
    # the entries come back with the client's later requests (a session): a value from input stored
    # at a constant key is input again where that key is read (``kept_values.py``)
    kept: bool = False


@dataclass(frozen=True)
class AttributeSink:
    """``<receiver>.<attr> = value`` where the receiver is a name spelled one of ``receivers``,
    in a module importing one of ``requires_import``. ``html_only``: a response body, a sink only
    where the function declares that receiver's content type HTML (``resp.content_type =
    falcon.MEDIA_HTML``): other bodies are not rendered as HTML."""

    cls: str
    attr: str
    what: str
    receivers: tuple[str, ...]
    requires_import: tuple[str, ...] = ()
    html_only: bool = False


@dataclass(frozen=True)
class TaintSpec:
    """Everything the engine needs to know about taint classes, sources, sinks and sanitizers."""

    # qualified names of attributes/values that are untrusted (``flask.request.args``)
    attr_sources: dict[str, str] = field(default_factory=dict)
    # qualified callables whose result is untrusted (``builtins.input``)
    call_sources: dict[str, str] = field(default_factory=dict)
    # method names whose result is untrusted whatever the receiver (``recv``)
    method_sources: dict[str, str] = field(default_factory=dict)
    # qualified names that stand for a request object (kind name → ...)
    object_kinds: dict[str, str] = field(default_factory=dict)
    # kind → attributes of such an object that are untrusted
    object_sources: dict[str, frozenset[str]] = field(default_factory=dict)
    # ``kind.attr`` → classes such a source is already clean for (the app's own URL: redirect, SSRF)
    source_cleaned: dict[str, frozenset[str]] = field(default_factory=dict)
    # ``kind.attr`` sources whose value may be a parsed document (``flask.request.json``), and
    # calls parsing their argument's text into one (``json.loads``): their labels carry ``DOCUMENT``
    document_sources: frozenset[str] = frozenset()
    document_parsers: frozenset[str] = frozenset()
    # ``kind.attr`` of a request mapping that also holds the server's own entries → the keys (a
    # name ending in ``_`` is a prefix) whose values the client sends; a constant key outside
    # them reads the server's data, not input (``request.META["CSRF_COOKIE"]``)
    client_keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # the same mappings → the client's keys (a prefix ends in ``_``) whose values the server parsed
    # out of the request line or a header line: they hold no line break (``REQUEST_METHOD``)
    line_keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # a local source (``os.environ``, ``os.getenv``) → constant keys naming settings the local user
    # makes for their own process (``PAGER``, ``EDITOR``): reading one is not input from anyone else
    own_settings: dict[str, frozenset[str]] = field(default_factory=dict)
    # sources that are local to the machine (argv, environment, stdin): lower confidence
    local_sources: frozenset[str] = frozenset()
    # local sources that are the program's command line (``sys.argv``, ``parse_args``): the
    # invoking user's own words, cleaned for the classes ``cleaned_by(INVOKING_USER_CHOSE)``
    command_line_sources: frozenset[str] = frozenset()
    sinks: tuple[SinkSpec, ...] = ()
    store_sinks: tuple[StoreSink, ...] = ()
    # what a view that renders its return value as HTML returns into (``name`` is shown as the sink)
    return_sinks: tuple[SinkSpec, ...] = ()
    # what a WSGI application declaring an HTML ``Content-Type`` returns into (its body iterable)
    wsgi_body_sinks: tuple[SinkSpec, ...] = ()
    # qualified callable → classes its result is clean for ("*" = every class)
    sanitizers: dict[str, frozenset[str]] = field(default_factory=dict)
    # ``kind.attr`` → classes reading that attribute cleans for (``pathlib.Path().name``)
    attribute_sanitizers: dict[str, frozenset[str]] = field(default_factory=dict)
    # method name → classes (``.isdigit`` guards, ``.hexdigest`` results, ...)
    method_sanitizers: dict[str, frozenset[str]] = field(default_factory=dict)
    # guards: qualified callable / ``.method`` → (argument position, -1 = receiver; classes the
    # argument is clean for where the call returned true)
    guards: dict[str, tuple[int, frozenset[str]]] = field(default_factory=dict)
    # calls that never return (abort, sys.exit)
    noreturn: frozenset[str] = frozenset()
    # calls whose result never carries data (len, isinstance, ...)
    clean_calls: frozenset[str] = frozenset()
    # str-like methods whose result is the receiver's data (lower, strip, ...)
    string_methods: frozenset[str] = frozenset()
    # kinds of markup objects (``markupsafe.Markup()``): formatting into them escapes the values
    markup_kinds: frozenset[str] = frozenset()
    # lookups: qualified functions (the object found by their first argument's keys) and
    # ``.method`` names (an element of their receiver) whose result carries none of the key's
    # text (``apps.get_model(label)``, ``get_object_or_404(Model, pk=pk)``); a call through a
    # model manager named here (``Model.objects.get(slug=slug)``) is one too
    lookups: frozenset[str] = frozenset()
    model_managers: frozenset[str] = frozenset()
    # the manager and queryset methods that read (``get``, ``filter``, ``first``...)
    manager_reads: frozenset[str] = frozenset()
    # kinds of template objects whose ``render()`` escapes (autoescape on) → the one kind they
    # are known by (``rendering.py``)
    escaping_templates: dict[str, str] = field(default_factory=dict)
    # base classes whose ``self`` is a request handler: qualname → kind
    handler_bases: dict[str, str] = field(default_factory=dict)
    # ``handler kind.attr`` → kind of the request object it is (``aiohttp.view.request``)
    handler_objects: dict[str, str] = field(default_factory=dict)
    # handler kinds whose HTTP-method parameters after ``self`` are URL captures (Tornado)
    capturing_handlers: frozenset[str] = frozenset()
    # GraphQL: modules whose import makes ``resolve_<field>(parent, info, **args)`` (and ``mutate``)
    # resolvers, and decorators whose function takes the query's arguments (``strawberry.field``)
    resolver_modules: tuple[str, ...] = ()
    resolver_names: frozenset[str] = frozenset()
    resolver_decorators: frozenset[str] = frozenset()
    # responder methods whose parameters after the framework's are URL captures: (request kind,
    # method name prefix, number of framework parameters after ``self``) — Falcon's ``on_get(req, resp, id)``
    responder_captures: tuple[tuple[str, str, int], ...] = ()
    # request-scoped globals objects (``flask.g``) and the decorator names of the hooks that fill
    # them before each view (``before_request``)
    request_globals: frozenset[str] = frozenset()
    request_hooks: frozenset[str] = frozenset()
    # decorator method names of Flask/Quart error handlers, whose return value is the response body
    error_handler_decorators: frozenset[str] = frozenset()
    # decorator method names that declare a route (``route``, ``get``, ...)
    route_decorators: frozenset[str] = frozenset()
    # module-level functions that declare a route with ``<name>`` captures (``bottle.route``)
    route_functions: frozenset[str] = frozenset()
    # Flask converters that produce non-string values
    clean_converters: frozenset[str] = frozenset()
    # annotations that make a FastAPI parameter clean (``int``, ``uuid.UUID``)
    clean_annotations: frozenset[str] = frozenset()
    # FastAPI/Starlette parameters holding a JSON document from the body: the outer name of the
    # annotation (``dict``, ``dict[str, Any]``), or a default / ``Annotated`` marker (``Body()``)
    # on a parameter not annotated as text; their labels carry ``DOCUMENT``
    document_annotations: frozenset[str] = frozenset()
    document_markers: frozenset[str] = frozenset()
    # annotations that make a parameter a request object: qualname → kind
    request_annotations: dict[str, str] = field(default_factory=dict)
    # annotations that give a parameter the kind of a client object: qualname → kind
    # (``session: requests.Session`` is what ``requests.Session()`` makes)
    annotated_kinds: dict[str, str] = field(default_factory=dict)
    # qualified callables whose result is their arguments' text (``unquote``): not opaque
    propagators: frozenset[str] = frozenset()
    # qualified callables whose result carries the data of some arguments only ((position,
    # keyword) pairs): ``publish_parts(source, source_path=...)`` renders ``source``; the other
    # arguments name files and settings, which never reach the output's text
    content_arguments: dict[str, tuple[tuple[int, str], ...]] = field(default_factory=dict)
    # Markdown renderers: qualified name → (keyword switching their escaping, whether they escape
    # without it); an unescaping one's result carries its source's data (``markdown_output``)
    markdown_renderers: dict[str, tuple[str | None, bool]] = field(default_factory=dict)
    # encodings whose output cannot carry syntax (``b64encode``) until decoded again (``b64decode``)
    encoders: frozenset[str] = frozenset()
    decoders: frozenset[str] = frozenset()
    # value kinds that are open files (``io.BytesIO()``), and the calls making them: not a path
    file_kinds: frozenset[str] = frozenset()
    file_kinds_made_by: frozenset[str] = frozenset()
    # kinds of in-memory text buffers: ``write`` stores into them, ``getvalue``/``read`` reads back
    buffer_kinds: frozenset[str] = frozenset()
    # kinds of connections the program opens as a client (``websocket.create_connection(url)``):
    # ``recv`` on one reads the answers of the server the program chose, like an HTTP response
    client_connections: frozenset[str] = frozenset()
    # a view's first parameter named ``request`` (or ``req``) in a module importing one of these
    # roots is a request object: import root → kind (checked in order)
    request_parameters: tuple[tuple[str, str], ...] = ()
    # calls rendering a template file: ``args`` = ((template position, keyword), (context position,
    # keyword)), context position -1 = the call's own keywords (``render_template("t.html", name=v)``);
    # a context variable the template writes unescaped (``|safe``, autoescape off) is this sink
    template_renderers: tuple[SinkSpec, ...] = ()
    # decorators naming the template a handler's returned dict is rendered with → the renderer
    # (in ``template_renderers``) doing it: ``aiohttp_jinja2.template`` → ``aiohttp_jinja2.render_template``
    template_decorators: dict[str, str] = field(default_factory=dict)
    # template environments: constructor → escaping mode without ``autoescape=`` (``off`` for
    # ``jinja2.Environment``); ``env.get_template(name).render(...)`` is checked like a renderer
    template_environments: dict[str, str] = field(default_factory=dict)
    # of those, the classes that are a template made from their text (``jinja2.Template("…")``)
    inline_templates: frozenset[str] = frozenset()
    # calls choosing escaping by template name (``jinja2.select_autoescape``)
    autoescape_selectors: frozenset[str] = frozenset()
    # renderers of an environment set up once for the application: renderer → (setup call, its
    # mode without ``autoescape=``) (``aiohttp_jinja2.render_template`` ← ``aiohttp_jinja2.setup``)
    environment_setups: dict[str, tuple[str, str]] = field(default_factory=dict)
    # attribute stores that are sinks (``resp.text = ...`` in a Falcon responder)
    attribute_sinks: tuple[AttributeSink, ...] = ()
    # methods a framework calls and uses the return value of: (base class, method name, sink);
    # what the method of a subclass returns reaches the sink (``RedirectView.get_redirect_url``)
    method_return_sinks: tuple[tuple[str, str, SinkSpec], ...] = ()
    # template classes that escape every variable unless the template says otherwise
    # (``django.template.Template``): ``render`` of one built from a constant text escapes all
    # but the variables that text writes with ``|safe`` or inside an autoescape-off block
    autoescaped_templates: frozenset[str] = frozenset()
    # context classes a template is rendered with (``django.template.Context(dict)``): the dict
    template_contexts: frozenset[str] = frozenset()
    # classes for which the text of an exception caught in a request handler is untrusted
    exception_text_classes: frozenset[str] = frozenset()
    # call sources that are data for some classes only (a formatted traceback: what the program
    # sends back exposes it, but it is no input anyone chose) → those classes
    class_sources: dict[str, frozenset[str]] = field(default_factory=dict)
    # calls writing such a source's text into the file object given as ``file=``
    # (``traceback.print_exc(file=buffer)``): the buffer then holds it
    file_sources: frozenset[str] = frozenset()
    # what a view whose returned value is the response body returns into, whatever its content
    # type (a JSON dict too): Flask, Quart, Bottle and FastAPI views, WSGI applications
    view_body_sinks: tuple[SinkSpec, ...] = ()
    # one row per taint class
    classes: tuple[TaintClass, ...] = ()
    # Read from ``classes``: the classes local sources are reported for, and those whose sinks
    # return the data that went in.
    local_classes: frozenset[str] = field(init=False, repr=False)
    own_source_classes: frozenset[str] = field(init=False, repr=False)
    data_keeping_classes: frozenset[str] = field(init=False, repr=False)
    _cleaned_by: dict[str, frozenset[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        rows = self.classes
        object.__setattr__(self, "local_classes", frozenset(c.id for c in rows if c.reports_local_sources))
        object.__setattr__(self, "data_keeping_classes", frozenset(c.id for c in rows if c.result_keeps_data))
        object.__setattr__(self, "own_source_classes", frozenset(c.id for c in rows if c.own_sources_only))
        cleaned_by = {
            behaviour: frozenset(c.id for c in rows if behaviour in c.cleaned_by) for behaviour in CLEANING_BEHAVIOURS
        }
        object.__setattr__(self, "_cleaned_by", cleaned_by)

    @cached_property
    def class_ids(self) -> frozenset[str]:
        """Every class of the spec."""
        return frozenset(c.id for c in self.classes)

    def cleaned_by(self, behaviour: str) -> frozenset[str]:
        """The classes a cleaning behaviour makes a value harmless for."""
        return self._cleaned_by[behaviour]

    @cached_property
    def session_kinds(self) -> frozenset[str]:
        """Kinds and names of the sessions whose stores the ``FOUND_IN_SESSION`` classes watch
        (``django.request.session``, ``flask.session``): a value read from one is already there,
        and keeping it under another key moves nothing across."""
        classes = self.cleaned_by(FOUND_IN_SESSION)
        return frozenset(sink.base for sink in self.store_sinks if sink.kept and sink.cls in classes)

    @cached_property
    def modelled_apis(self) -> frozenset[str]:
        """APIs the catalogue models: sinks whose result it declares clean, and the calls that
        make escaping templates (their kind is what the model knows of them)."""
        return frozenset(s.name for s in self.sinks if s.clean_result and not s.name.startswith(".")) | {
            kind.split("()", 1)[0] for kind in self.escaping_templates
        }

    def sink_index(self) -> tuple[dict[str, list[SinkSpec]], dict[str, list[SinkSpec]]]:
        """Sinks keyed by qualified name and by method name."""
        by_name: dict[str, list[SinkSpec]] = {}
        by_method: dict[str, list[SinkSpec]] = {}
        for sink in self.sinks:
            if sink.name.startswith("."):
                by_method.setdefault(sink.name[1:], []).append(sink)
            else:
                by_name.setdefault(sink.name, []).append(sink)
        return by_name, by_method


_SINK_INDEX: dict[int, tuple[TaintSpec, tuple[dict[str, list[SinkSpec]], dict[str, list[SinkSpec]]]]] = {}


def sink_index(spec: TaintSpec) -> tuple[dict[str, list[SinkSpec]], dict[str, list[SinkSpec]]]:
    """``spec.sink_index()``, computed once per spec."""
    cached = _SINK_INDEX.get(id(spec))
    if cached is not None and cached[0] is spec:
        return cached[1]
    if len(_SINK_INDEX) > 64:
        _SINK_INDEX.clear()
    index = spec.sink_index()
    _SINK_INDEX[id(spec)] = (spec, index)
    return index
