"""SARIF 2.1.0 output: schema validity, regions, rules metadata, code flows, fixes.

The schema in tests/data/sarif-schema-2.1.0.json is the one the official SARIF
Multitool (npm ``@microsoft/sarif-multitool`` 5.7.0) validates against. The
Multitool itself runs in ``test_official_validator`` when it is installed
(``SARIF_MULTITOOL`` or ``~/.cache/secreview-node``); in CI it must be.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest

from secreview_ls.cli.merge import merge_sarif
from secreview_ls.config import Config
from secreview_ls.engine.finding import Finding, Fix, FlowStep, Level, Notice, Span, TextEdit
from secreview_ls.pipeline import AnalysisResult, Shard
from secreview_ls.pipeline.scan import ScanResult, scan_paths
from secreview_ls.sarif import FINGERPRINT_KEY, sarif_document

SCHEMA_PATH = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def assert_valid(validator: jsonschema.protocols.Validator, document: dict) -> None:
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.secreview]\n", encoding="utf-8")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "loader.py").write_text('import yaml\n\ns = "😀é"; cfg = yaml.load(s)\n', encoding="utf-8")
    (tmp_path / "app" / "blob.py").write_bytes(b"\x00binary")
    (tmp_path / "app" / "my file.py").write_text("import pickle\npickle.loads(b'')\n", encoding="utf-8")
    return tmp_path


def scan_project(project: Path) -> ScanResult:
    return scan_paths([project], Config(root=project), jobs=1)


def test_real_scan_is_schema_valid(project: Path, validator) -> None:
    document = sarif_document(scan_project(project))
    assert_valid(validator, document)
    assert document["version"] == "2.1.0"


def test_regions_are_one_based_code_points(project: Path) -> None:
    run = sarif_document(scan_project(project))["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    result = next(r for r in run["results"] if r["ruleId"] == "SR401")
    region = result["locations"][0]["physicalLocation"]["region"]
    line = '\ns = "😀é"; cfg = yaml.load(s)'.splitlines()[1]
    start = line.index("yaml.load")
    assert region["startLine"] == 3
    assert region["startColumn"] == start + 1
    assert region["endColumn"] == len(line) + 1  # end column is exclusive
    assert region["snippet"]["text"] == line.strip()


def test_artifacts_relative_to_srcroot(project: Path) -> None:
    run = sarif_document(scan_project(project))["runs"][0]
    root_uri = run["originalUriBaseIds"]["SRCROOT"]["uri"]
    assert root_uri == project.resolve().as_uri() + "/"
    uris = {}
    for result in run["results"]:
        location = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert location["uriBaseId"] == "SRCROOT"
        assert run["artifacts"][location["index"]]["location"]["uri"] == location["uri"]
        uris[result["ruleId"]] = location["uri"]
    assert uris == {"SR401": "app/loader.py", "SR402": "app/my%20file.py"}


def test_rules_metadata(project: Path) -> None:
    run = sarif_document(scan_project(project))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    taxa = run["taxonomies"][0]["taxa"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["partialFingerprints"][FINGERPRINT_KEY]
    sr401 = next(r for r in rules if r["id"] == "SR401")
    assert sr401["shortDescription"]["text"] and sr401["fullDescription"]["text"]
    assert sr401["help"]["markdown"].startswith("## SR401")
    assert "yaml.safe_load" in sr401["help"]["text"]
    assert sr401["helpUri"].startswith("https://")
    assert "security" in sr401["properties"]["tags"]
    assert "external/cwe/cwe-502" in sr401["properties"]["tags"]
    assert sr401["properties"]["security-severity"] == "8.0"
    target = sr401["relationships"][0]["target"]
    assert taxa[target["index"]]["id"] == "502" == target["id"]
    assert run["taxonomies"][0]["name"] == target["toolComponent"]["name"] == "CWE"
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels == {"SR401": "error", "SR402": "warning"}


def test_notices_become_notifications(project: Path) -> None:
    run = sarif_document(scan_project(project))["runs"][0]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    binary = [n for n in notes if n["descriptor"]["id"] == "binary"]
    assert len(binary) == 1
    assert binary[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app/blob.py"
    assert run["invocations"][0]["executionSuccessful"] is True


def test_fingerprint_stable_across_unrelated_edit(project: Path) -> None:
    def fingerprint() -> str:
        run = sarif_document(scan_project(project))["runs"][0]
        return next(r for r in run["results"] if r["ruleId"] == "SR401")["partialFingerprints"][FINGERPRINT_KEY]

    before = fingerprint()
    loader = project / "app" / "loader.py"
    loader.write_text("# a new comment\n\n" + loader.read_text(encoding="utf-8"), encoding="utf-8")
    assert fingerprint() == before


def synthetic_scan(tmp_path: Path) -> ScanResult:
    """A scan with a data-flow finding (two files) and a fix, built by hand."""
    app = tmp_path / "app.py"
    app.write_text("q = request.args['q']\nsql = 'x' + q\ncur.execute(sql)\n", encoding="utf-8")
    helper = tmp_path / "helper.py"
    helper.write_text("def wrap(v):\n    return v\n", encoding="utf-8")
    finding = Finding(
        rule_id="SR401",
        message="`request.args['q']` (line 1) reaches `cur.execute` (line 3)",
        span=Span(3, 0, 3, 16),
        severity=Level.HIGH,
        confidence=Level.MEDIUM,
        cwe=89,
        path=str(app),
        fix=Fix("Use a parameter", (TextEdit(Span(3, 12, 3, 15), "'x ?', (q,)"),)),
        flow=(
            FlowStep(Span(1, 4, 1, 21), "source: `request.args['q']`"),
            FlowStep(Span(2, 4, 2, 5), "through `wrap`", path=str(helper)),
            FlowStep(Span(3, 0, 3, 16), "sink: `cur.execute`"),
        ),
        snippet="cur.execute(sql)",
        fingerprint="abc123",
    )
    result = AnalysisResult(path=str(app), findings=[finding])
    result.notices.append(Notice("syntax-error", "bad", Span(2, 0, 2, 1), str(app)))
    return ScanResult(
        root=tmp_path,
        config=Config(root=tmp_path),
        results=[result],
        files_scanned=1,
        notices=[Notice("unknown-rule", "`ignore` names unknown rule `X1`", None, "configuration")],
    )


def test_code_flows_and_fixes(tmp_path: Path, validator) -> None:
    document = sarif_document(synthetic_scan(tmp_path))
    assert_valid(validator, document)
    (result,) = document["runs"][0]["results"]
    (flow,) = result["codeFlows"]
    steps = flow["threadFlows"][0]["locations"]
    assert [s["location"]["message"]["text"] for s in steps] == [
        "source: `request.args['q']`",
        "through `wrap`",
        "sink: `cur.execute`",
    ]
    assert steps[1]["location"]["physicalLocation"]["artifactLocation"]["uri"] == "helper.py"
    assert steps[0]["location"]["physicalLocation"]["region"] == {
        "startLine": 1,
        "startColumn": 5,
        "endLine": 1,
        "endColumn": 22,
    }
    (fix,) = result["fixes"]
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "app.py"
    assert change["replacements"][0]["deletedRegion"]["startColumn"] == 13
    assert change["replacements"][0]["insertedContent"]["text"] == "'x ?', (q,)"
    assert result["partialFingerprints"] == {FINGERPRINT_KEY: "abc123"}
    notes = document["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert {n["descriptor"]["id"] for n in notes} == {"syntax-error", "unknown-rule"}


TEMPLATE_VIEW = """from flask import Flask, render_template, request

app = Flask(__name__)


@app.route("/bio")
def bio():
    text = request.args["bio"]
    return render_template("bio.html", title="About", bio=text)
"""
TEMPLATE_PAGE = "<h1>{{ title }}</h1>\n<section>\n  😀 {{ bio|safe }}\n</section>\n"


def template_project(root: Path) -> Path:
    """A view whose request value a template file writes with ``|safe``."""
    (root / "pyproject.toml").write_text('[tool.secreview]\nselect = ["SR806"]\n', encoding="utf-8")
    (root / "web").mkdir()
    (root / "web" / "views.py").write_text(TEMPLATE_VIEW, encoding="utf-8")
    (root / "web" / "templates").mkdir()
    (root / "web" / "templates" / "bio.html").write_text(TEMPLATE_PAGE, encoding="utf-8")
    return root


def test_view_to_template_flow_in_the_command_lines_sarif(
    tmp_path: Path, validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`secreview check --format sarif`: one result at the render call whose code flow ends in the
    template file, at the `{{ bio|safe }}` that writes the value, and the template is an artifact."""
    from secreview_ls import cli

    project = template_project(tmp_path)
    monkeypatch.chdir(project)
    out = tmp_path / "out.sarif"
    assert cli.main(["check", ".", "--no-progress", "--format", "sarif", "--output", str(out)]) == 1
    document = json.loads(out.read_text(encoding="utf-8"))
    assert_valid(validator, document)
    run = document["runs"][0]
    (result,) = run["results"]
    assert result["ruleId"] == "SR806"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "web/views.py"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 9
    steps = [s["location"] for s in result["codeFlows"][0]["threadFlows"][0]["locations"]]
    where = [
        (s["physicalLocation"]["artifactLocation"]["uri"], s["physicalLocation"]["region"]["startLine"]) for s in steps
    ]
    assert where == [("web/views.py", 8), ("web/views.py", 8), ("web/views.py", 9), ("web/templates/bio.html", 3)]
    last = steps[-1]["physicalLocation"]
    # 1-based code-point columns of `{{ bio|safe }}` after "  😀 " on line 3
    assert last["region"] == {"startLine": 3, "startColumn": 5, "endLine": 3, "endColumn": 19}
    assert "{{ bio|safe }}" in steps[-1]["message"]["text"]
    artifacts = [a["location"]["uri"] for a in run["artifacts"]]
    assert "web/templates/bio.html" in artifacts
    assert run["artifacts"][last["artifactLocation"]["index"]]["location"]["uri"] == "web/templates/bio.html"


def test_a_flow_through_an_include_lists_the_three_files_in_the_sarif(
    tmp_path: Path, validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The view renders a page that includes the part writing the value: the code flow goes
    through the `{% include %}` tag to the part, and both templates are artifacts."""
    from secreview_ls import cli

    project = template_project(tmp_path)
    (project / "web" / "views.py").write_text(TEMPLATE_VIEW.replace('"bio.html"', '"page.html"'), encoding="utf-8")
    (project / "web" / "templates" / "page.html").write_text(
        '<main>\n{% include "bio.html" %}\n</main>\n', encoding="utf-8"
    )
    monkeypatch.chdir(project)
    out = tmp_path / "out.sarif"
    assert cli.main(["check", ".", "--no-progress", "--format", "sarif", "--output", str(out)]) == 1
    document = json.loads(out.read_text(encoding="utf-8"))
    assert_valid(validator, document)
    run = document["runs"][0]
    (result,) = run["results"]
    steps = [s["location"]["physicalLocation"] for s in result["codeFlows"][0]["threadFlows"][0]["locations"]]
    where = [(s["artifactLocation"]["uri"], s["region"]["startLine"]) for s in steps]
    assert where[-2:] == [("web/templates/page.html", 2), ("web/templates/bio.html", 3)]
    artifacts = [a["location"]["uri"] for a in run["artifacts"]]
    assert "web/templates/page.html" in artifacts and "web/templates/bio.html" in artifacts


def _multitool() -> list[str] | None:
    """The Multitool executable: ``SARIF_MULTITOOL``, or an npm install in the repo or ~/.cache."""
    configured = os.environ.get("SARIF_MULTITOOL")
    if configured and Path(configured).exists():
        return [configured]
    for prefix in (Path(__file__).resolve().parents[1], Path.home() / ".cache" / "secreview-node"):
        modules = prefix / "node_modules" / "@microsoft"
        # Call the platform binary directly: the npm wrapper passes arguments through a shell.
        for platform_dir in ("sarif-multitool-linux", "sarif-multitool-darwin"):
            binary = modules / platform_dir / "Sarif.Multitool"
            if binary.exists() and os.access(binary, os.X_OK):
                return [str(binary)]
    return None


def test_official_validator(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    command = _multitool()
    if command is None:
        if os.environ.get("CI"):
            pytest.fail("the SARIF Multitool must be installed in CI (npm @microsoft/sarif-multitool)")
        pytest.skip("SARIF Multitool not installed (npm install @microsoft/sarif-multitool)")
    out_dir = tmp_path_factory.mktemp("sarif")
    # A few rules only: the validator tries to reach every helpUri, which costs seconds offline.
    few = Config(root=project, select=("SR401", "SR402"))
    synthetic = synthetic_scan(out_dir)
    synthetic.config = Config(root=out_dir, select=("SR401",))
    notebook = out_dir / "notebook"
    notebook.mkdir()
    shutil.copy(Path(__file__).parent / "data" / "notebooks" / "analysis.ipynb", notebook)
    logs = {
        "scan": sarif_document(scan_paths([project], few, jobs=1)),
        "synthetic": sarif_document(synthetic),
        # `secreview merge` of two shards, and a notebook's regions in its JSON text
        "merged": merge_sarif([sarif_document(scan_paths([project], few, jobs=1, shard=Shard(k, 2))) for k in (1, 2)]),
        "notebook": sarif_document(scan_paths([notebook], Config(root=notebook, select=("SR301",)), jobs=1)),
        "template": sarif_document(_template_scan(out_dir / "template")),
        "suppressed": sarif_document(scan_project(_suppressing_project(out_dir / "suppressed"))),
    }
    paths = []
    for name, document in logs.items():
        paths.append(out_dir / f"{name}.sarif")
        paths[-1].write_text(json.dumps(document), encoding="utf-8")
    report = out_dir / "validation.sarif"
    done = subprocess.run(
        [
            *command,
            "validate",
            *map(str, paths),
            "--output",
            str(report),
            "--rule-kind",
            "Sarif;Gh",
            "--log",
            "ForceOverwrite",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # The Multitool exits 0 whatever it finds: read its report.
    assert report.exists(), f"the validator wrote no report: {done.stdout}{done.stderr}"
    assert f"{len(paths)} files scanned" in done.stdout or "files scanned" not in done.stdout
    assert logs["notebook"]["runs"][0]["results"], "the notebook fixture has a finding to validate"
    assert logs["template"]["runs"][0]["results"][0]["codeFlows"], "the view-to-template flow is validated"
    results = json.loads(report.read_text(encoding="utf-8-sig"))["runs"][0].get("results", [])
    problems = [
        f"{r['ruleId']}: {r['message'].get('text') or r['message'].get('arguments')}"
        for r in results
        if r.get("level", "warning") in ("error", "warning")
    ]
    assert not problems, "\n".join(problems)


def _suppressing_project(root: Path) -> Path:
    """A file with a finding, one suppressed with a reason and one by a bare ``# nosec``."""
    root.mkdir()
    (root / "pyproject.toml").write_text("[tool.secreview]\n", encoding="utf-8")
    (root / "jobs.py").write_text(
        "import pickle\n\n"
        "def load(blob):\n"
        "    return pickle.loads(blob)\n\n"
        "def restore(blob):\n"
        "    return pickle.loads(blob)  # secreview: ignore[SR402] -- blobs come from our signed queue\n\n"
        "def legacy(blob):\n"
        "    return pickle.loads(blob)  # nosec\n",
        encoding="utf-8",
    )
    return root


def test_suppressed_findings_are_results_marked_suppressed_in_source(tmp_path: Path, validator) -> None:
    document = sarif_document(scan_project(_suppressing_project(tmp_path / "p")))
    assert_valid(validator, document)
    results = document["runs"][0]["results"]
    assert [(r["locations"][0]["physicalLocation"]["region"]["startLine"], r.get("suppressions")) for r in results] == [
        (4, None),
        (7, [{"kind": "inSource", "justification": "blobs come from our signed queue"}]),
        (10, [{"kind": "inSource"}]),
    ]


def test_the_json_report_lists_suppressed_findings_apart(tmp_path: Path) -> None:
    from secreview_ls.reports.json_report import report_document

    document = report_document(scan_project(_suppressing_project(tmp_path / "p")))
    assert [f["span"]["start_line"] for f in document["findings"]] == [4]
    assert document["summary"]["findings"] == 1 and document["summary"]["suppressed"] == 2
    assert [(f["span"]["start_line"], f["extra"]["suppression"]) for f in document["suppressed"]] == [
        (7, {"kind": "secreview", "reason": "blobs come from our signed queue"}),
        (10, {"kind": "nosec"}),
    ]


def _template_scan(root: Path) -> ScanResult:
    root.mkdir()
    project = template_project(root)
    return scan_paths([project], Config(root=project, select=("SR806",)), jobs=1)
