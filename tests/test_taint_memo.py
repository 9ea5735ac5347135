"""The taint analysis of an edited document reuses the last version's work, and only that work
which would come out the same: every result here is compared with a fresh analysis."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from lsp.realistic import generate

from secreview_ls.config import Config
from secreview_ls.engine.taint import TaintMemo
from secreview_ls.pipeline import analyze_source
from secreview_ls.pipeline.incremental import IncrementalAnalyzer

HEADER = """import sqlite3

from flask import Flask, request

app = Flask(__name__)


def run(sql):
    return sqlite3.connect("shop.db").execute(sql).fetchall()


def clean(value):
    return value


def product_filter(value):
    return "SELECT * FROM products WHERE category = '" + clean(value) + "'"


@app.route("/products")
def products():
    category = request.args["category"]
    return {"rows": run(product_filter(category))}
"""


def taint_findings(result) -> list[tuple[str, str, int, list[tuple[int, str]]]]:  # type: ignore[no-untyped-def]
    return [
        (f.rule_id, f.message, f.span.start_line, [(step.span.start_line, step.note) for step in f.flow])
        for f in result.findings
        if f.rule_id.startswith("SR8")
    ]


def analyzer_for(tmp_path: Path) -> tuple[IncrementalAnalyzer, TaintMemo, str, Config]:
    config = Config(root=tmp_path)
    path = str(tmp_path / "shop" / "views.py")
    analyzer = IncrementalAnalyzer(path, config)
    memo = analyzer.taint_memo
    assert isinstance(memo, TaintMemo)
    return analyzer, memo, path, config


def test_an_edit_in_one_function_replays_the_others(tmp_path: Path) -> None:
    analyzer, memo, path, config = analyzer_for(tmp_path)
    text = generate(1500, seed=5)
    analyzer.analyze(text)
    # The first version is analyzed whole, without the memo (its nodes would never be seen
    # again); the memo is filled when the caches of the next edits are built.
    assert analyzer.unprepared and memo.analyzed == 0 and not memo.records
    analyzer.prepare()
    first = memo.analyzed
    assert first > 10
    lines = text.splitlines(True)
    index = next(i for i, line in enumerate(lines) if "payload = request.get_json" in line)
    lines[index] = lines[index].replace("payload", "payloads", 1)
    edited = "".join(lines)
    result = analyzer.analyze(edited)
    assert memo.analyzed <= 3, (memo.analyzed, memo.replayed)
    assert memo.replayed >= first - 3
    assert taint_findings(result) == taint_findings(analyze_source(edited, path, config))


def test_lines_inserted_above_move_the_recorded_paths(tmp_path: Path) -> None:
    analyzer, memo, path, config = analyzer_for(tmp_path)
    before = analyzer.analyze(HEADER)
    assert [f[0] for f in taint_findings(before)] == ["SR801"]
    edited = HEADER.replace("app = Flask(__name__)\n", "app = Flask(__name__)\n\n\n# routes\n")
    after = analyzer.analyze(edited)
    assert memo.replayed >= 1
    assert taint_findings(after) == taint_findings(analyze_source(edited, path, config))
    assert taint_findings(after)[0][2] == taint_findings(before)[0][2] + 3


def test_a_changed_callee_is_seen_by_its_unchanged_callers(tmp_path: Path) -> None:
    # ``products`` calls ``product_filter``, which calls ``clean``: only ``clean`` is edited, so
    # the other two are the same nodes and only the summaries they ask for tell them apart.
    analyzer, memo, path, config = analyzer_for(tmp_path)
    analyzer.analyze(HEADER)
    sanitized = HEADER.replace("    return value\n", "    return str(int(value))\n")
    assert taint_findings(analyzer.analyze(sanitized)) == []
    assert memo.replayed >= 1  # ``run`` is asked again and has not changed
    assert taint_findings(analyze_source(sanitized, path, config)) == []
    restored = analyzer.analyze(HEADER)
    assert taint_findings(restored) == taint_findings(analyze_source(HEADER, path, config))
    assert [f[0] for f in taint_findings(restored)] == ["SR801"]
    longer = HEADER.replace("    return value\n", "    picked = value.strip()\n    return picked\n")
    result = analyzer.analyze(longer)
    assert taint_findings(result) == taint_findings(analyze_source(longer, path, config))
    assert any("picked" in note for _, note in taint_findings(result)[0][3])


def test_a_module_level_change_starts_over(tmp_path: Path) -> None:
    analyzer, memo, path, config = analyzer_for(tmp_path)
    analyzer.analyze(HEADER)
    edited = HEADER.replace("app = Flask(__name__)\n", "app = Flask(__name__)\nLIMIT = 10\n")
    result = analyzer.analyze(edited)
    assert memo.replayed == 0 and memo.analyzed >= 1
    assert taint_findings(result) == taint_findings(analyze_source(edited, path, config))


@pytest.mark.slow
def test_the_reported_source_does_not_depend_on_hash_order(tmp_path: Path) -> None:
    fixture = Path(__file__).parent / "fixtures" / "taint" / "command" / "media_blind.py"
    script = (
        "import sys\n"
        "from secreview_ls.pipeline import analyze_source\n"
        "from secreview_ls.config import Config\n"
        "path = sys.argv[1]\n"
        "result = analyze_source(open(path, encoding='utf-8').read(), path, Config())\n"
        "print('\\n'.join(f.message for f in result.findings if f.rule_id.startswith('SR8')))\n"
    )
    outputs = set()
    for seed in ("1", "2", "3", "4"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", script, str(fixture)], capture_output=True, text=True, env=env, check=True
        )
        assert "reaches `subprocess.run()`" in done.stdout
        outputs.add(done.stdout)
    assert len(outputs) == 1, outputs


def test_a_class_attribute_edit_keeps_the_records(tmp_path: Path) -> None:
    analyzer, memo, path, config = analyzer_for(tmp_path)
    text = (
        HEADER
        + """

class Settings:
    limit = 10

    def rows(self):
        return run("SELECT 1")
"""
    )
    analyzer.analyze(text)
    edited = text.replace("    limit = 10\n", "    limit = 100\n")
    result = analyzer.analyze(edited)
    assert memo.replayed >= 1 and memo.analyzed == 0, (memo.replayed, memo.analyzed)
    assert taint_findings(result) == taint_findings(analyze_source(edited, path, config))


def test_lines_inserted_and_deleted_in_turn_replay_every_function_below(tmp_path: Path) -> None:
    # Each edit moves the functions below it by its own count of lines, and the next edit lands
    # above or below the spans the last one moved: a record whose last line is misjudged keeps
    # stale lines (or is analyzed again). Only the definition the lines go into is analyzed
    # again; the paths are the whole analysis's at every version.
    analyzer, memo, path, config = analyzer_for(tmp_path)
    text = generate(1500, seed=7) + "\n\n" + HEADER  # a path through three functions at the end
    analyzer.analyze(text)
    analyzer.prepare()
    recorded = memo.analyzed
    assert recorded > 10
    lines = text.splitlines(True)
    tops = [i for i, line in enumerate(lines) if line.startswith(("def ", "class ", "@"))]
    places = [tops[2], tops[len(tops) // 2], tops[len(tops) // 3], tops[-3], tops[3]]
    versions = []
    for count, place in zip((1, 50, 3, 12, 2), places, strict=True):
        pasted = [f"# note {n}\n" for n in range(count)]
        versions.append("".join([*lines[:place], *pasted, *lines[place:]]))
        versions.append(text)
    for version in versions:
        found = taint_findings(analyzer.analyze(version))
        assert analyzer.stats.mode == "incremental", analyzer.stats
        assert memo.analyzed <= 3 and memo.replayed >= recorded - 3, (memo.analyzed, memo.replayed, recorded)
        assert found and found == taint_findings(analyze_source(version, path, config))


def test_moved_copies_equal_and_hash_as_built() -> None:
    """The memo's quick copies of moved origins and labels are what their constructors build
    with the moved span: equal, the same hash (line numbers stay out of it), the same sort key."""
    from secreview_ls.engine.finding import FlowStep, Span
    from secreview_ls.engine.taint import memo
    from secreview_ls.engine.taint.values import Label, Origin, in_order

    span, moved = Span(10, 4, 12, 9), Span(13, 4, 15, 9)
    step = FlowStep(span, "passed to `run()`", None, None, "run", "")
    origin = Origin("param", "sql", span, None, False, 2, (".name",))
    label = Label(origin, frozenset({"sql", "html"}), (step,))
    in_order(frozenset({label, Label(Origin("source", "x", Span(11, 0, 11, 3)))}))  # sort keys made
    built = Origin("param", "sql", moved, None, False, 2, (".name",))
    copied = memo._origin_at(origin, moved)
    assert copied == built and hash(copied) == hash(built) and copied.span is moved
    assert copied.order() == built.order()
    built_label = Label(built, label.cleaned, (step,))
    copied_label = memo._label_with(label, copied, (step,))
    assert copied_label == built_label and hash(copied_label) == hash(built_label)
    assert copied_label.steps == (step,)
    other = Label(Origin("source", "y", Span(14, 0, 14, 3)))
    assert in_order(frozenset({copied_label, other})) == in_order(frozenset({built_label, other}))
    assert in_order(frozenset({copied_label, other}))[0] == built_label
    same_origin = memo._label_with(label, origin, ())
    assert same_origin == label and same_origin.steps == ()


MARKING = (
    HEADER
    + """

def query_text():
    return request.args["q"]


def audit():
    return len(query_text())


def report():
    text = "SELECT 1"
    return sqlite3.connect("shop.db").execute(text)
"""
)


def test_marking_is_reused_only_while_the_edited_function_reads_the_same(tmp_path: Path) -> None:
    # ``report`` names no source; it is marked (and its query reported) only once it calls
    # ``query_text``, which hands a source back (and which ``audit`` calls already: the names the
    # module calls stay the same). Each version is compared with a fresh analysis.
    analyzer, memo, path, config = analyzer_for(tmp_path)
    analyzer.analyze(MARKING)
    analyzer.prepare()
    calling = MARKING.replace('    text = "SELECT 1"\n', "    text = query_text()\n")
    commented = calling.replace("(text)\n", "(text)  # the report\n")
    giving = MARKING.replace('    return request.args["q"]\n', '    return "q"\n')
    versions = [
        MARKING.replace('"SELECT 1"', '"SELECT 2"'),  # the same calls: reused
        calling,  # calls another function of the module: marked anew
        commented,  # the same calls again: reused, ``report`` still marked
        commented.replace("  # the report", ""),
        giving,  # a source gone from ``query_text``: marked anew
        MARKING,
    ]
    for text in versions:
        result = analyzer.analyze(text)
        assert taint_findings(result) == taint_findings(analyze_source(text, path, config)), text
    assert [f[0] for f in taint_findings(analyzer.analyze(commented))] == ["SR801", "SR801"]
    assert memo.marks is not None and memo.marks.reused >= 2


SEARCH = HEADER.replace(
    "\n\ndef run(sql):",
    """

@app.route("/search")
def search():
    term = request.args["term"]
    return {"rows": run(product_filter(term))}


def run(sql):""",
)


def test_records_stay_in_their_lines_and_what_leaves_a_replay_is_moved(tmp_path: Path) -> None:
    # ``search`` is edited above the functions it calls: each edit moves them, and its new
    # analysis takes their summaries (and the paths through them) in the current lines, while
    # their records stay as they were made. Edits land in turn in several functions and at the
    # top, so records are made in the lines of many versions; each version is compared with a
    # fresh analysis.
    analyzer, memo, path, config = analyzer_for(tmp_path)
    analyzer.analyze(SEARCH)
    analyzer.prepare()
    run_record = next(record for fn, record in memo.records.items() if getattr(fn, "name", "") == "run")
    moved_down = "# shop views\n\n" + SEARCH
    assert taint_findings(analyzer.analyze(moved_down)) == taint_findings(analyze_source(moved_down, path, config))
    kept = next(record for fn, record in memo.records.items() if getattr(fn, "name", "") == "run")
    assert kept is run_record and kept.frame is not memo.frame  # replayed, not moved
    in_search = '    term = request.args["term"]\n'
    in_products = '    category = request.args["category"]\n'
    in_filter = '    return "SELECT * FROM products WHERE category = \'" + clean(value) + "\'"\n'
    versions = []
    for count in (1, 3, 1, 2, 5, 1):
        pasted = "".join(f"    part_{n} = len(str({n}))\n" for n in range(count))
        versions.append(SEARCH.replace(in_search, in_search + pasted))
        versions.append("# top\n" * count + SEARCH.replace(in_filter, pasted + in_filter))
        versions.append(SEARCH.replace("def clean(value):\n", "def clean(value):\n" + pasted))
        versions.append(SEARCH.replace("def run(sql):\n", "def run(sql):\n" + pasted))
        versions.append(SEARCH.replace(in_products, in_products + pasted))
        versions.append(SEARCH)
    for version in versions:
        found = taint_findings(analyzer.analyze(version))
        assert found and found == taint_findings(analyze_source(version, path, config)), version


def test_records_of_many_versions_lines_are_moved_together(tmp_path: Path) -> None:
    # A line goes into one function after another (the earlier ones stay): each edit makes a
    # record in its version's lines and moves the functions below. Past a few versions' lines
    # the records are all moved to the current ones; the paths are a fresh analysis's throughout.
    from secreview_ls.engine.taint import memo as memo_module

    analyzer, memo, path, config = analyzer_for(tmp_path)
    text = generate(1500, seed=11) + "\n\n" + HEADER
    analyzer.analyze(text)
    analyzer.prepare()
    lines = text.splitlines(True)
    bodies = [i + 1 for i, line in enumerate(lines) if line.startswith("def ") and lines[i + 1].startswith("    ")]
    step = max(1, len(bodies) // 10)
    frames = []
    for count, at in enumerate(reversed(bodies[::step]), start=1):
        lines.insert(at, f"    part_{count} = len(str({count}))\n")
        version = "".join(lines)
        found = taint_findings(analyzer.analyze(version))
        assert found and found == taint_findings(analyze_source(version, path, config)), count
        frames.append(len({id(record.frame) for record in memo.records.values()}))
    assert max(frames) <= memo_module._MAX_FRAMES + 1 and len(frames) > memo_module._MAX_FRAMES + 1, frames


VIEWS = """import sqlite3

from django.http import HttpResponse


def lookup(request, name):
    rows = sqlite3.connect("shop.db").execute("SELECT * FROM t WHERE n = '" + name + "'")
    return HttpResponse(str(rows.fetchall()))


def index(request):
    label = "index"
    return HttpResponse(label)


def about(request):
    title = "about"
    return HttpResponse(title)
"""


def test_marking_is_reused_for_edits_in_any_function(tmp_path: Path) -> None:
    # Edits in one function, then in another, then in the first again: each reuses the marks
    # (every function's signature is kept, not only the last edited one's).
    analyzer, memo, path, config = analyzer_for(tmp_path)
    analyzer.analyze(VIEWS)
    analyzer.prepare()
    versions = [
        VIEWS.replace('label = "index"', 'label = "home"'),
        VIEWS.replace('label = "index"', 'label = "home"').replace('title = "about"', 'title = "us"'),
        VIEWS.replace('title = "about"', 'title = "us"'),
        VIEWS.replace('title = "about"', 'title = "us"').replace("str(rows", "repr(rows"),
    ]
    for text in versions:
        result = analyzer.analyze(text)
        assert analyzer.stats.mode == "incremental", analyzer.stats
        assert taint_findings(result) == taint_findings(analyze_source(text, path, config)), text
        assert [f[0] for f in taint_findings(result)] == ["SR801"]
    assert memo.marks is not None and memo.marks.reused == len(versions)


def test_marking_follows_a_call_of_a_view_from_another_function(tmp_path: Path) -> None:
    # A Django view the module calls itself is a helper given the module's own values: a call
    # spelled ``helpers.lookup(...)`` in another function changes the view's entry and the
    # findings, but none of that function's calls of this module's functions.
    analyzer, _memo, path, config = analyzer_for(tmp_path)
    analyzer.analyze(VIEWS)
    analyzer.prepare()
    calling = VIEWS.replace('    label = "index"\n', '    label = helpers.lookup(request, "index")\n')
    renamed = calling.replace("helpers.lookup(", "helpers.lookup_all(")
    versions = [calling, VIEWS, calling, renamed]
    for text in versions:
        result = analyzer.analyze(text)
        assert analyzer.stats.mode == "incremental", analyzer.stats
        assert taint_findings(result) == taint_findings(analyze_source(text, path, config)), text
    assert taint_findings(analyze_source(calling, path, config)) != taint_findings(analyze_source(VIEWS, path, config))


def test_statements_moved_whole_keep_their_anchors_and_sink_notes_moved(tmp_path: Path) -> None:
    # Lines inserted above move every statement below whole: their anchors and the records of
    # the sinks in them are the last version's moved by the same count, equal to those made anew.
    from secreview_ls.engine.evidence import ClearedSink, SinkExamined
    from secreview_ls.engine.taint.memo import statement_anchors

    def sink_notes(result) -> set[object]:  # type: ignore[no-untyped-def]
        return {r for r in result.evidence if type(r) in (SinkExamined, ClearedSink)}

    analyzer, memo, path, config = analyzer_for(tmp_path)
    text = generate(1500, seed=7) + "\n\n" + HEADER
    analyzer.analyze(text)
    analyzer.prepare()
    lines = text.splitlines(True)
    tops = [i for i, line in enumerate(lines) if line.startswith(("def ", "class ", "@"))]
    for count, place in ((1, tops[3]), (4, tops[len(tops) // 2]), (2, tops[1])):
        lines[place:place] = [f"# note {n}\n" for n in range(count)]
        version = "".join(lines)
        result = analyzer.analyze(version)
        assert analyzer.stats.mode == "incremental" and analyzer.stats.moved, analyzer.stats
        assert result.facts is not None
        assert memo.current().anchors() == statement_anchors(result.facts.tree)
        notes = sink_notes(result)
        assert notes and notes == sink_notes(analyze_source(version, path, config))


def test_a_dataclass_field_edit_is_seen_by_the_code_building_it(tmp_path: Path) -> None:
    # A dataclass's generated ``__init__`` stores each argument as the field at its position:
    # its fields are read by every call building one, which records no summary for it, so the
    # functions making one are analyzed again when they change (the others are replayed).
    analyzer, memo, path, config = analyzer_for(tmp_path)
    text = HEADER.replace("import sqlite3\n", "import sqlite3\nfrom dataclasses import dataclass\n") + (
        """

@dataclass
class Listing:
    order: str
    direction: str = "ASC"


@app.route("/direction")
def by_direction():
    listing = Listing("name", request.args["dir"])
    query = "SELECT * FROM products ORDER BY name " + listing.direction
    return {"rows": sqlite3.connect("shop.db").execute(query).fetchall()}
"""
    )
    first = analyzer.analyze(text)
    analyzer.prepare()
    assert len(taint_findings(first)) == 2
    swapped = text.replace('    order: str\n    direction: str = "ASC"\n', '    direction: str\n    order: str = "x"\n')
    for version in (swapped, text):
        result = analyzer.analyze(version)
        assert analyzer.stats.mode == "incremental", analyzer.stats
        assert memo.replayed >= 1, memo.replayed  # only the function building one runs again
        assert taint_findings(result) == taint_findings(analyze_source(version, path, config))
    assert len(taint_findings(analyze_source(swapped, path, config))) == 1


def test_a_validator_added_to_a_base_model_is_seen_by_the_code_building_its_subclass(tmp_path: Path) -> None:
    # A pydantic model stores each keyword at its field unless it (or a base) validates or is
    # configured: a validator added to the base alone leaves the subclass's node as it was, and
    # the function building the subclass must still be analyzed again.
    analyzer, _memo, path, config = analyzer_for(tmp_path)
    text = HEADER.replace("import sqlite3\n", "import sqlite3\nfrom pydantic import BaseModel, model_validator\n") + (
        """

class Ordering(BaseModel):
    direction: str


class Listing(Ordering):
    order: str


@app.route("/listing")
def listing_rows():
    listing = Listing(direction="ASC", order=request.args["order"])
    query = "SELECT * FROM products ORDER BY name " + listing.direction
    return {"rows": sqlite3.connect("shop.db").execute(query).fetchall()}
"""
    )
    first = analyzer.analyze(text)
    analyzer.prepare()
    before = len(taint_findings(first))  # the header's own flow
    assert before == len(taint_findings(analyze_source(text, path, config)))
    validated = text.replace(
        "    direction: str\n",
        '    direction: str\n\n    @model_validator(mode="before")\n    def named(cls, data):\n        return data\n',
    )
    for version, count in ((validated, before + 1), (text, before)):
        result = analyzer.analyze(version)
        assert analyzer.stats.mode == "incremental", analyzer.stats
        assert taint_findings(result) == taint_findings(analyze_source(version, path, config))
        assert len(taint_findings(result)) == count


HOOKED = """import os
from flask import Flask, g, request

app = Flask(__name__)


@app.before_request
def load():
    g.report = request.args["report"]


@app.route("/report")
def report():
    os.system("make-report " + g.report)
    return "ok"
"""


def test_an_edited_before_request_hook_is_seen_by_the_unchanged_views(tmp_path: Path) -> None:
    analyzer, _memo, path, config = analyzer_for(tmp_path)
    assert [f[0] for f in taint_findings(analyzer.analyze(HOOKED))] == ["SR802"]
    fixed = HOOKED.replace('g.report = request.args["report"]', 'g.report = "daily"')
    assert taint_findings(analyzer.analyze(fixed)) == taint_findings(analyze_source(fixed, path, config)) == []
    restored = analyzer.analyze(HOOKED)
    assert taint_findings(restored) == taint_findings(analyze_source(HOOKED, path, config))
    assert [f[0] for f in taint_findings(restored)] == ["SR802"]
