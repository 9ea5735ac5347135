"""Edits after which the incremental analyzer once disagreed with a whole-file analysis.

Each was found by ``benchmarks/fuzz_engine.py --kinds edit`` and is kept here reduced to a
few lines: open the first version, apply the edit, compare every field of the result with
``analyze_source`` on the edited text.
"""

from __future__ import annotations

from pathlib import Path

from secreview_ls.config import Config
from secreview_ls.engine.taint.summaries import Summaries
from secreview_ls.pipeline import AnalysisResult, analyze_source
from secreview_ls.pipeline.incremental import IncrementalAnalyzer

from .test_incremental import summary


def replay(tmp_path: Path, *versions: str) -> IncrementalAnalyzer:
    """Analyze each version in turn (caches built after the first, as the server does) and
    check every result against a whole-file analysis of the same text."""
    path = str(tmp_path / "module.py")
    config = Config(root=tmp_path)
    analyzer = IncrementalAnalyzer(path, config)
    for step, text in enumerate(versions):
        got = analyzer.analyze(text)
        assert summary(got) == summary(analyze_source(text, path, config)), f"version {step} ({analyzer.stats})"
        if step == 0:
            analyzer.prepare()
    return analyzer


def test_a_credential_removed_elsewhere_is_no_longer_masked_in_cached_messages(tmp_path: Path) -> None:
    """The last steps mask credential values in messages; they once did so in the cached
    findings themselves, so the word "secret" stayed masked in a message after the line that
    made "secret" a credential was deleted."""
    before = (
        'MAIL_PASSWORD = "secret"\n\n\ndef settings():\n    API_KEY = "4eC39HqLyjWDarjtT1zdp7dc"\n    return API_KEY\n'
    )
    after = before.replace('MAIL_PASSWORD = "secret"\n', "")
    analyzer = replay(tmp_path, before, after)
    assert analyzer.stats.mode == "incremental"
    assert [f.rule_id for f in analyzer.analyze(after).findings] == ["SR751"]


XXE_FIXED = (
    "from lxml import etree\n\n"
    "PARSER = etree.XMLParser(resolve_entities=True)\n\n\n"
    "def load():\n"
    "    return etree.fromstring('<a/>', parser=PARSER)\n"
)


def test_a_parser_judged_by_documents_given_to_it_in_another_function(tmp_path: Path) -> None:
    """SR411 leaves out a parser whose every document in the module is fixed. The documents
    may be in other functions: a chunk's cached result went stale when they changed."""
    variable = XXE_FIXED.replace("'<a/>'", "request.data")
    analyzer = replay(tmp_path, XXE_FIXED, variable, XXE_FIXED)
    assert analyzer.stats.mode == "incremental"
    assert "SR411" in {f.rule_id for f in analyzer.analyze(variable).findings}


def test_a_function_split_by_a_pasted_header_loses_the_documents_of_its_parser(tmp_path: Path) -> None:
    """A ``def`` line pasted into a function moves the parser's uses into a new function: the
    whole-file judgement still sees them (the rule matches the name module-wide)."""
    before = (
        "from lxml import etree\n\n\n"
        "def fixed(upload):\n"
        "    builtin = etree.XMLParser(resolve_entities=True)\n"
        "    return etree.fromstring('<a/>', parser=builtin)\n"
    )
    after = before.replace("    return etree", "def other():\n    return etree")
    replay(tmp_path, before, after, before)


def test_a_constant_bound_again_by_the_same_statement_is_no_longer_fixed(tmp_path: Path) -> None:
    """A pasted copy of ``LISTING = "..."`` makes the name bound twice, so SR201 no longer
    calls the command fixed. The cache key of a chunk's context held a set of the binding
    statements, in which the copy was the same element as the original."""
    before = (
        "import subprocess\n\n"
        'LISTING = "/bin/ls -l /var/log"\n\n\n'
        "def handler():\n"
        "    subprocess.run(LISTING, shell=True)\n\n\n"
        "def other():\n"
        "    pass\n"
    )
    after = before.replace("def other():", 'LISTING = "/bin/ls -l /var/log"\n\n\ndef other():')
    analyzer = replay(tmp_path, before, after, before)
    assert analyzer.stats.mode == "incremental"
    messages = {f.message for f in analyzer.analyze(after).findings if f.rule_id == "SR201"}
    assert messages and not any("fixed command" in m for m in messages), messages


def test_a_digest_helper_judged_by_callers_in_other_functions(tmp_path: Path) -> None:
    """SR301 judges a helper returning a digest by what its callers do with it; the callers
    are other functions, so a chunk's cached result went stale when a caller changed."""
    before = (
        "import hashlib\n\n\n"
        "def md5_hex(data):\n"
        "    return hashlib.md5(data).hexdigest()\n\n\n"
        "def entry(blob):\n"
        "    cache_key = md5_hex(blob)\n"
        "    return cache_key\n"
    )
    after = before.replace("cache_key", "session_token")
    analyzer = replay(tmp_path, before, after, before)
    assert analyzer.stats.mode == "incremental"
    assert {f.rule_id for f in analyzer.analyze(after).findings} != {
        f.rule_id for f in analyzer.analyze(before).findings
    }


def test_hostname_checking_off_next_to_a_verifier_defined_in_another_function(tmp_path: Path) -> None:
    """SR309 leaves out ``check_hostname = False`` in a module with its own hostname verifier;
    a broken call to it (mid-edit) hid the verifier from the chunk's view, not from the module."""
    before = (
        "import ssl\n\n\n"
        "def match_hostname(cert, hostname):\n"
        "    if hostname not in cert:\n"
        "        raise ssl.SSLCertVerificationError(hostname)\n\n\n"
        "def wrap(sock, hostname):\n"
        "    context = ssl.create_default_context()\n"
        "    context.check_hostname = False\n"
        "    wrapped = context.wrap_socket(sock, server_hostname=hostname)\n"
        "    match_hostname(wrapped.getpeercert(), hostname)\n"
        "    return wrapped\n"
    )
    replay(tmp_path, before, before.replace("getpeercert(), hostname)", "getpeercert(), hos!dy[tname)"), before)


def test_a_helper_that_stops_returning_constants_makes_its_callers_findings(tmp_path: Path) -> None:
    """A call of a module function whose every return is fixed is a fixed value; editing the
    function so that it returns input must re-judge the callers in other chunks."""
    before = "def mode():\n    return 'sys.maxsize'\n\n\ndef caller():\n    return eval(mode())\n"
    after = before.replace("return 'sys.maxsize'", "return input()")
    analyzer = replay(tmp_path, before, after, before)
    assert analyzer.stats.mode == "incremental"
    assert "SR102" in {f.rule_id for f in analyzer.analyze(after).findings}


def test_an_any_address_judged_by_the_functions_using_it(tmp_path: Path) -> None:
    """SR104 judges a module constant by where the module uses it (a multicast receiver binds
    the any-address by design); a function broken mid-edit changed that for the whole module
    but not for the constant's chunk."""
    before = (
        "import socket\n"
        'HOST = "0.0.0.0"\n\n\n'
        "def receiver(port):\n"
        "    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        "    sock.bind((HOST, port))\n"
        '    membership = socket.inet_aton("228.0.0.5")\n'
        "    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)\n"
    )
    replay(tmp_path, before, before.replace("def receiver(port):", "def receiv-er(port):"), before)


def test_a_list_grown_in_another_function_is_no_longer_a_constant(tmp_path: Path) -> None:
    """A module-level list literal is a constant only while no code grows it with unknown items:
    the ``append`` that fills it sits in another function (another chunk) than the ``eval`` of
    its items, and adding or removing it must re-judge that ``eval``."""
    before = (
        "_commands = []\n\n\n"
        "def register(cmd):\n"
        "    print(cmd)\n\n\n"
        "def run_all():\n"
        "    for c in _commands:\n"
        "        eval(c)\n"
    )
    after = before.replace("    print(cmd)\n", "    _commands.append(cmd)\n")
    constant = before.replace("    print(cmd)\n", "    _commands.append('1 + 1')\n")
    analyzer = replay(tmp_path, before, after, before, after, constant, after)
    assert analyzer.stats.mode == "incremental"
    assert "SR102" in {f.rule_id for f in analyzer.analyze(after).findings}
    assert "SR102" not in {f.rule_id for f in analyzer.analyze(constant).findings}


def test_a_function_filling_its_own_list_of_the_same_name_does_not_touch_the_module_list(tmp_path: Path) -> None:
    """A function that binds ``_commands`` itself (assignment, parameter, or an enclosing
    function's) and grows it leaves the module's ``_commands`` a constant; editing it does not
    re-run the chunk that reads the module's list. A growth under ``global`` still counts."""
    before = (
        "_commands = ['true']\n\n\n"
        "def collect(cmd):\n"
        "    _commands = []\n"
        "    _commands.append(cmd)\n"
        "    return _commands\n\n\n"
        "def wrap(_commands, cmd):\n"
        "    _commands.append(cmd)\n\n\n"
        "def outer(cmd):\n"
        "    _commands = {}\n\n"
        "    def inner():\n"
        "        _commands[cmd] = cmd\n\n"
        "    return inner\n\n\n"
        "def run_all():\n"
        "    for c in _commands:\n"
        "        eval(c)\n"
    )
    edited = before.replace("    _commands.append(cmd)\n    return", "    _commands.append(cmd.strip())\n    return")
    shared = before.replace("    _commands = []\n", "    global _commands\n")
    analyzer = replay(tmp_path, before, edited)
    assert analyzer.stats.mode == "incremental"
    assert analyzer.stats.rerun == 1  # the edited function only
    assert "SR102" not in {f.rule_id for f in analyzer.analyze(edited).findings}
    analyzer = replay(tmp_path, before, shared, before)
    assert analyzer.stats.mode == "incremental"
    assert "SR102" in {f.rule_id for f in analyzer.analyze(shared).findings}


_FILLER = "".join(f"\n\ndef f{i}(x):\n    return x + {i}\n" for i in range(8))


def test_a_constant_built_from_a_constant_bound_elsewhere_is_judged_as_the_whole_file_judges_it(
    tmp_path: Path,
) -> None:
    """``CMD = BASE + ...`` and ``BASE`` in chunks of their own: a chunk evaluating ``CMD`` needs
    ``BASE`` too, though it never names it (its view once held the chunks binding the names
    it uses, not those their statements use), so an edit elsewhere reported a constant."""
    before = (
        f"import os\n{_FILLER}\n\nBASE = '1'\n\n\ndef h(x):\n    return x\n\n\n"
        "CMD = BASE + ' + 2'\n\n\ndef g(x):\n    return x\n\n\ndef run():\n    eval(CMD)\n"
    )
    analyzer = replay(tmp_path, before, before.replace("return x + 3", "return x + 33"))
    assert analyzer.stats.mode == "incremental"
    variable = before.replace("BASE = '1'", "BASE = input()")
    replay(tmp_path, before, variable, before)
    assert "SR102" in {f.rule_id for f in analyzer.analyze(variable).findings}


def test_a_function_returning_another_functions_result_is_judged_through_both(tmp_path: Path) -> None:
    """``eval(build())`` where ``build`` returns ``inner()`` and ``inner`` a constant: the view of
    the chunk calling ``build`` holds ``inner`` too."""
    before = (
        "import os\n\n\ndef inner():\n    return '1'\n\n\ndef build():\n    return inner()\n"
        f"{_FILLER}\n\ndef run():\n    eval(build())\n"
    )
    variable = before.replace("return '1'", "return input()")
    analyzer = replay(tmp_path, before, before.replace("return x + 3", "return x + 33"), variable, before)
    assert analyzer.stats.mode == "incremental"
    assert "SR102" in {f.rule_id for f in analyzer.analyze(variable).findings}


def test_a_dict_filled_by_item_stores_in_a_method_is_no_longer_a_constant(tmp_path: Path) -> None:
    """``_hooks[name] = code`` in a method of a class cut into segments fills the module's dict."""
    methods = "".join(f"    def m{i}(self):\n        return {i}\n\n" for i in range(12))
    before = (
        "import os\n\n"
        "_hooks = {'start': 'true'}\n\n\n"
        "class Registry:\n"
        f"{methods}"
        "    def add(self, name, code):\n"
        "        self.last = name\n\n\n"
        "def start():\n"
        "    os.system(_hooks['start'])\n"
    )
    after = before.replace("        self.last = name\n", "        _hooks[name] = code\n")
    analyzer = replay(tmp_path, before, after, before)
    assert analyzer.stats.mode == "incremental"
    assert "SR203" in {f.rule_id for f in analyzer.analyze(after).findings}


def test_a_marker_inside_a_string_is_read_as_the_whole_file_reads_it_when_another_chunk_breaks(
    tmp_path: Path,
) -> None:
    """A file that does not tokenize has its suppression comments found by a line scan, which
    also takes a marker inside a docstring. The incremental analyzer once skipped tokenizing
    chunks without markers, so a break in such a chunk left the docstring's marker unread."""
    before = (
        '"""Views.\n'
        "    # secreview: ignore[SR401]\n"
        '"""\n\n\n'
        "def first(request):\n    return 1\n\n\n"
        "def second(request):\n    return 2\n"
    )
    after = before.replace("def second(request):", "def )second(request):")
    analyzer = replay(tmp_path, before, after)
    assert analyzer.stats.mode == "incremental"


def test_a_method_named_like_a_sink_alias_leaves_the_alias_in_place(tmp_path: Path) -> None:
    """``run = os.system`` at module level; a class later gains a method ``run``. The method binds
    an attribute of its class: ``run(...)`` in a view still runs a shell, in the editor and in a
    whole-file analysis alike."""
    before = (
        "import os\nfrom flask import Flask, request\n\napp = Flask(__name__)\nrun = os.system\n\n\n"
        '@app.route("/p")\ndef ping():\n    return run("ping " + request.args["host"])\n\n\n'
        "class Job:\n    def other(self, command):\n        return command\n"
    )
    after = before.replace("def other(", "def run(")
    analyzer = replay(tmp_path, before, after)
    result = analyzer.analyze(after)
    assert [f.rule_id for f in result.findings if f.rule_id == "SR802"] == ["SR802"]


ALIAS_MODULE = (
    "import os\nfrom flask import Flask, request\n\napp = Flask(__name__)\nrun = os.system\n\n\n"
    '@app.route("/p")\ndef ping():\n    return run("ping " + request.args["host"])\n\n\n'
    "def other(command):\n    return command\n\n\n"
    "class Job:\n    def start(self, command):\n        return command\n"
)


def test_a_sink_alias_is_judged_on_the_whole_module_in_the_editor(tmp_path: Path) -> None:
    """Whether ``run = os.system`` stays an alias depends on every binding of ``run`` in the
    module: a parameter in another function undoes it, a class's method does not, and a broken
    ``class`` line (repaired as an always-true block, so its method binds the module's name)
    undoes it again; moving the alias away from the imports keeps it. The editor merges each
    part's view exactly as a whole-file analysis reads the module."""
    parameter = ALIAS_MODULE.replace("def other(command):\n    return command", "def other(run):\n    return run")
    method = ALIAS_MODULE.replace("def start(", "def run(")
    broken = method.replace("class Job:", "cla ss Job:")
    moved = method.replace("run = os.system\n", "") + "\n\nrun = os.system\n"
    analyzer = replay(tmp_path, ALIAS_MODULE, parameter, ALIAS_MODULE, method, broken, method, moved)
    assert analyzer.stats.mode == "incremental"
    assert [f.rule_id for f in analyzer.analyze(moved).findings if f.rule_id == "SR802"] == ["SR802"]


SHELL_MODULE = (
    "import os\nfrom flask import Flask, request\n\napp = Flask(__name__)\nrun = os.system\n\n\n"
    '@app.route("/p")\ndef ping():\n    return run("ping " + request.args["host"])\n\n\n'
    '@app.route("/q")\ndef query():\n    return shell("dig " + request.args["host"])\n\n\n'
    "class Job:\n    def start(self, command):\n        return command\n\n"
    "    def stop(self, command):\n        return command\n"
)


def test_bindings_of_a_new_alias_name_are_counted_in_parts_analyzed_before(tmp_path: Path) -> None:
    """A method binds ``shell`` locally before the module makes ``shell`` an alias: once the
    alias comes, that earlier binding still counts (the alias is undone), and it stops counting
    when the method changes; a method binding the name in a pasted part undoes it again."""
    local = SHELL_MODULE.replace(
        "        return command\n\n    def stop", "        shell = command\n        return shell\n\n    def stop"
    )
    aliased = local.replace("run = os.system\n", "run = os.system\nshell = os.popen\n")
    unbound = aliased.replace("        shell = command\n        return shell\n", "        return command\n")
    pasted = unbound.replace(
        "    def stop(self, command):",
        "    def pasted(self, shell):\n        return shell\n\n    def stop(self, command):",
    )
    analyzer = replay(tmp_path, SHELL_MODULE, local, aliased, unbound, pasted, unbound)
    assert analyzer.stats.mode == "incremental"
    assert sum(f.rule_id == "SR802" for f in analyzer.analyze(unbound).findings) == 2
    assert sum(f.rule_id == "SR802" for f in analyzer.analyze(pasted).findings) == 1


def test_a_template_kept_in_a_class_attribute_is_read_again_when_the_attribute_changes(tmp_path: Path) -> None:
    """A view rendering ``Widgets.BADGE`` or ``self.TEMPLATE`` reads the class attribute's text,
    which lies outside the view's function: when only the attribute changes, the view's recorded
    analysis must not be replayed with the old text."""
    before = (
        "from flask import Flask, render_template_string, request\n\napp = Flask(__name__)\n\n\n"
        'class Widgets:\n    BADGE = "<span>{{ label|safe }}</span>"\n\n\n'
        "class Page:\n"
        '    TEMPLATE = "<p>{{ body|safe }}</p>"\n\n'
        "    def show(self):\n"
        '        return render_template_string(self.TEMPLATE, body=request.args["body"])\n\n\n'
        '@app.route("/badge")\n'
        "def badge():\n"
        '    return render_template_string(Widgets.BADGE, label=request.args["label"])\n'
    )
    escaped = before.replace("{{ label|safe }}", "{{ label }}").replace("{{ body|safe }}", "{{ body }}")
    renamed = before.replace("    BADGE =", "    BADGE_OLD =").replace("    TEMPLATE =", "    TEMPLATE_OLD =")
    replay(tmp_path, before, escaped, before, renamed, before)


def test_a_url_in_a_docstring_stays_documentation_while_another_line_is_broken(tmp_path: Path) -> None:
    """Whether a URL sits in a docstring was read from a parse of the whole file, which fails
    while any line is broken: the whole-file analysis then reported the docstring's example URL
    and the parts of the incremental analyzer, each parsing alone, did not. The broken file is
    now read with its broken lines blanked, as the analysis reads it."""
    before = (
        "import sqlalchemy\n\n\n"
        "def otp_link(secret):\n"
        '    """Build the enrolment link, in the format\n\n'
        "    motp://SecureSite:alice@wonder.land?secret=Kq7Pn2Lr9Xs4\n"
        '    """\n'
        '    return "motp://{}?secret={}".format("SecureSite", secret)\n\n\n'
        "def engine():\n"
        '    return sqlalchemy.create_engine("postgresql://app:Xk2-pr0d-pw@db.internal:5432/app")\n'
    )
    broken = before.replace("import sqlalchemy\n", "import sqlalchemy\n    oops = (\n")
    analyzer = replay(tmp_path, before, broken, broken.replace("Xk2-pr0d-pw", "Xk2-pr0d-pw2"), before)
    assert analyzer.stats.mode == "incremental"
    found = analyze_source(broken, str(tmp_path / "module.py"), Config(root=tmp_path))
    assert [(f.rule_id, f.span.start_line) for f in found.findings if f.rule_id == "SR782"] == [("SR782", 14)]


def test_an_open_bracket_typed_in_a_function_then_closed_below_is_read_as_the_whole_file_reads_it(
    tmp_path: Path,
) -> None:
    """A region the parser says leaves a bracket open is repaired from a parse of the rest of the
    file: typed on its own, closed by a line several functions below, with arguments typed into
    it, then closed on its own line."""
    functions = [
        f"def handler_{n}(request):\n"
        f"    value = request.args.get('q{n}')\n"
        f"    subprocess.call(value, shell=True)\n"
        f"    return value\n"
        for n in range(8)
    ]
    before = "import subprocess\n\n\n" + "\n\n".join(functions)
    lines = before.splitlines(True)
    row = lines.index("    value = request.args.get('q2')\n")
    below = lines.index("    return value\n", lines.index("def handler_6(request):\n"))

    def version(inserted: str, closing: str | None = None) -> str:
        edited = [*lines]
        if closing is not None:
            edited.insert(below, closing)
        edited.insert(row, inserted)
        return "".join(edited)

    analyzer = replay(
        tmp_path,
        before,
        version("    log.debug(\n"),
        version("    log.debug('x', value\n"),
        version("    log.debug(\n", "    )\n"),
        version("    log.debug([\n"),
        version("    log.debug('done')\n"),
    )
    assert analyzer.stats.mode == "incremental"


def test_nodes_made_for_the_analysis_are_placed_where_their_call_now_is(tmp_path: Path) -> None:
    """``getattr(request, "args")`` is read as ``request.args``, ``map(helper, items)`` as
    ``helper(item)``, ``pool.submit(job, v)`` as ``job(v)`` and a call of a ``functools.partial``
    of a sink as the sink's own call: nodes made for the analysis,
    outside the tree, so they do not move with their function when a line is inserted or
    deleted above it. A replay of the functions using them moves them (the evidence of a
    replay once named the old lines of the sources read through them)."""
    header = (
        "import functools\nimport os\nimport sqlite3\nimport subprocess\n"
        "from concurrent.futures import ThreadPoolExecutor\n\n"
        "from flask import Flask, request\n\napp = Flask(__name__)\npool = ThreadPoolExecutor(2)\n"
    )
    body = (
        '\n\ndef job(name):\n    os.system("ls " + name)\n\n\ndef clean(v):\n    return v.strip()\n\n\n'
        '@app.route("/a")\ndef a():\n    args = getattr(request, "args")\n    pool.submit(job, args["n"])\n'
        '    return list(map(clean, [args["m"]]))\n\n\n'
        '@app.route("/c")\ndef c():\n    run = functools.partial(subprocess.run, shell=True)\n'
        '    return run(request.args["c"])\n\n\n'
        '@app.route("/b")\ndef b():\n    who = getattr(request, "form").get("who", "")\n'
        "    return sqlite3.connect(':memory:').execute(\"SELECT '%s'\" % who).fetchall()\n"
    )
    above = "\n\ndef helper():\n    return 1\n"
    first = header + above + body
    inserted = header + above.replace("return 1", "x = 1\n    return x") + body
    analyzer = replay(tmp_path, first, inserted, first, inserted)
    assert analyzer.stats.mode == "incremental", analyzer.stats


MADE_NODES = (
    "import functools\nimport os\nimport sqlite3\nimport subprocess\n"
    "from concurrent.futures import ThreadPoolExecutor\n\n"
    "from flask import Flask, request\n\napp = Flask(__name__)\npool = ThreadPoolExecutor(2)\n"
    "\n\ndef first():\n    return 0\n"
    '\n\ndef job(name):\n    os.system("ls " + name)\n\n\ndef clean(v):\n    return v.strip()\n\n\n'
    '@app.route("/a")\ndef a():\n    args = getattr(request, "args")\n    pool.submit(job, args["n"])\n'
    '    return list(map(clean, [args["m"]]))\n\n\n'
    "def second():\n    return 2\n\n\n"
    '@app.route("/c")\ndef c():\n    run = functools.partial(subprocess.run, shell=True)\n'
    '    return run(request.args["c"])\n\n\n'
    '@app.route("/b")\ndef b():\n    who = getattr(request, "form").get("who", "")\n'
    "    return sqlite3.connect(':memory:').execute(\"SELECT '%s'\" % who).fetchall()\n"
    "\n\ndef helper():\n    return 1\n"
)


def _interpreted(analyzer: IncrementalAnalyzer, text: str) -> tuple[AnalysisResult, set[str]]:
    """The result of analyzing ``text``, and the functions interpreted (not replayed) for it."""
    analyzed: set[str] = set()
    original = Summaries._interpret

    def interpreting(self, fn, *rest):  # type: ignore[no-untyped-def]
        analyzed.add(fn.name)
        return original(self, fn, *rest)

    Summaries._interpret = interpreting  # type: ignore[method-assign]
    try:
        return analyzer.analyze(text), analyzed
    finally:
        Summaries._interpret = original  # type: ignore[method-assign]


def test_functions_using_made_nodes_are_replayed_with_the_nodes_moved(tmp_path: Path) -> None:
    """A function that used nodes made for the analysis is replayed when it is unchanged, the
    nodes put where the function now is: a keystroke or a line below it, a line inserted or
    deleted above it (its findings and evidence on its new lines)."""
    typed = MADE_NODES.replace("    return 1\n", "    return 1  # one\n")
    below = MADE_NODES.replace("    return 1\n", "    x = 1\n    return x\n")
    above = MADE_NODES.replace("    return 0\n", "    y = 0\n    return y\n")  # a, b and c move
    further = above.replace("    return 2\n", "    z = 2\n    return z\n")  # b and c move again
    analyzer = replay(tmp_path, MADE_NODES)
    path, config = str(tmp_path / "module.py"), Config(root=tmp_path)
    for text in (typed, MADE_NODES, below, above, further, typed, MADE_NODES):
        got, analyzed = _interpreted(analyzer, text)
        assert summary(got) == summary(analyze_source(text, path, config))
        assert [f.rule_id for f in got.findings if f.rule_id.startswith("SR8")], "the module reports nothing"
        assert analyzer.stats.mode == "incremental", analyzer.stats
        assert not {"a", "b", "c"} & analyzed, (text.count("\n"), analyzed)


def test_a_made_node_recorded_outside_its_function_is_not_moved_with_it(tmp_path: Path) -> None:
    """A made node whose recorded lines are outside the function's (made from code elsewhere,
    which moves on its own) is not moved with the function: the function is analyzed again."""
    analyzer = replay(tmp_path, MADE_NODES)
    analyzer.analyze(MADE_NODES)  # records made in the current lines
    memo = analyzer.taint_memo
    assert memo is not None
    record = next(record for fn, record in memo.records.items() if getattr(fn, "name", "") == "a")
    index, event = next((i, event) for i, event in enumerate(record.events) if event[0] == "new")
    (made, _line, end), *rest = event[1]
    record.events[index] = ("new", ((made, record.line - 3, end), *rest))  # as if made above it
    record.plan = None  # made from the events at the first replay (a record's events never change)
    above = MADE_NODES.replace("    return 0\n", "    y = 0\n    return y\n")
    got, analyzed = _interpreted(analyzer, above)
    assert "a" in analyzed and not {"b", "c"} & analyzed, analyzed
    assert summary(got) == summary(analyze_source(above, str(tmp_path / "module.py"), Config(root=tmp_path)))


def test_an_unterminated_docstring_is_reported_at_the_files_new_end(tmp_path: Path) -> None:
    """An unterminated triple-quoted string is detected at the end of the file, and the notice
    of the chunk holding it names that line: deleting a line below it moves the line named."""
    valid = (
        '"""Orders listed by table,\nrun as a service."""\n\nimport sqlite3\n\n\ndef rows(conn, table):\n'
        '    sql = "SELECT * FROM " + table\n    return conn.execute(sql).fetchall()\n\n\n'
        "def count(conn):\n    return conn.execute('SELECT 1').fetchone()\n"
    )
    open_string = valid.replace('as a service."""', "as a service.")
    shorter = open_string.replace("\n\n\ndef count", "\n\ndef count")
    replay(tmp_path, valid, open_string, shorter)  # the last may be analyzed whole: its region does not parse


NOTED = (
    "import subprocess\n"
    "from flask import request\n\n\n"
    "def first():\n"
    "    return 0\n\n\n"
    "def run():\n"
    "    name = request.args['name']\n"
    "    subprocess.run(['ls', name])\n"
    "    subprocess.run('ls ' + name, shell=True)\n"
    "    return name\n"
)


def test_replayed_notes_follow_their_function_to_its_new_lines(tmp_path: Path) -> None:
    """A replay notes the sources and sinks its function's analysis noted, each run of them at
    once, with the lines they had when last placed: lines inserted or deleted above the function
    move them (the evidence on the new lines), and a keystroke elsewhere keeps them."""
    above = NOTED.replace("    return 0\n", "    y = 0\n    return y\n")
    further = above.replace("    return y\n", "    z = y\n    return z\n")
    typed = NOTED.replace("    return 0\n", "    return 10\n")
    analyzer = replay(tmp_path, NOTED)
    path, config = str(tmp_path / "module.py"), Config(root=tmp_path)
    for text in (typed, above, further, above, NOTED, typed):
        got, analyzed = _interpreted(analyzer, text)
        assert summary(got) == summary(analyze_source(text, path, config))
        assert analyzer.stats.mode == "incremental", analyzer.stats
        assert "run" not in analyzed, analyzed
        line = text.splitlines().index("    subprocess.run(['ls', name])") + 1
        assert any(getattr(r, "api", "").startswith("subprocess.run") and r.line == line for r in got.evidence)
