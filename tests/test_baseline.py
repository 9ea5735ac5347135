"""Baselines: create, hide known findings across unrelated edits, report removable entries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from secreview_ls import cli
from secreview_ls.config import Config
from secreview_ls.pipeline.baseline import BaselineError, load_baseline
from secreview_ls.pipeline.scan import scan_paths

SOURCE = """import pickle
import yaml


def read_config(data):
    return yaml.load(data)


def read_cache(blob):
    return pickle.loads(blob)
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.secreview]\n", encoding="utf-8")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "io.py").write_text(SOURCE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def create(capsys: pytest.CaptureFixture[str]) -> dict:
    assert cli.main(["baseline", "create", ".", "-o", "baseline.json"]) == 0
    assert "wrote 2 baseline entries to baseline.json" in capsys.readouterr().err
    return json.loads(Path("baseline.json").read_text(encoding="utf-8"))


def test_create_is_stable_sorted_and_line_free(project: Path, capsys) -> None:
    document = create(capsys)
    text = (project / "baseline.json").read_text(encoding="utf-8")
    assert text == json.dumps(document, indent=2, sort_keys=True) + "\n"
    assert document["version"] == 1
    entries = document["findings"]
    assert [(e["path"], e["rule"]) for e in entries] == [("pkg/io.py", "SR401"), ("pkg/io.py", "SR402")]
    assert all(set(e) == {"fingerprint", "message", "path", "rule"} for e in entries)
    # unrelated edits (lines added above, a new clean function) leave the file byte-identical
    (project / "pkg" / "io.py").write_text('"""Docs."""\n\n' + SOURCE + "\n\ndef clean():\n    return 1\n")
    create(capsys)
    assert (project / "baseline.json").read_text(encoding="utf-8") == text


def test_check_hides_known_findings_after_unrelated_edits(project: Path, capsys) -> None:
    create(capsys)
    shifted = "# header\n# more header\n\n" + SOURCE.replace(
        "    return yaml.load(data)", "    # why\n    return yaml.load(data)"
    )
    (project / "pkg" / "io.py").write_text(shifted, encoding="utf-8")
    assert cli.main(["check", "--baseline", "baseline.json", "."]) == 0
    out = capsys.readouterr().out
    assert "No findings" in out and "2 findings hidden by the baseline" in out


def test_new_finding_is_reported_and_fixed_one_is_removable(project: Path, capsys) -> None:
    create(capsys)
    source = SOURCE.replace("    return pickle.loads(blob)", "    return blob")
    source += "\n\ndef also(data):\n    return yaml.load(data)\n"
    (project / "pkg" / "io.py").write_text(source, encoding="utf-8")
    assert cli.main(["check", "-f", "json", "--baseline", "baseline.json", "."]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [(f["rule_id"], f["span"]["start_line"]) for f in data["findings"]] == [("SR401", 14)]
    assert [(e["path"], e["rule"]) for e in data["baseline_fixed"]] == [("pkg/io.py", "SR402")]
    assert data["baseline_hidden"] == 1
    assert cli.main(["check", "--color", "never", "--baseline", "baseline.json", "."]) == 1
    out = capsys.readouterr().out
    assert "1 baseline entry can be removed (no longer found):" in out
    assert "pkg/io.py: SR402" in out


def test_repeated_identical_statements_count_by_occurrence(project: Path, capsys) -> None:
    twice = "import yaml\n\n\ndef f(d):\n    yaml.load(d)\n    yaml.load(d)\n"
    (project / "pkg" / "io.py").write_text(twice, encoding="utf-8")
    assert cli.main(["baseline", "create", "-o", "baseline.json"]) == 0
    capsys.readouterr()
    (project / "pkg" / "io.py").write_text(twice + "    yaml.load(d)\n", encoding="utf-8")
    assert cli.main(["check", "-f", "json", "--baseline", "baseline.json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert len(data["findings"]) == 1 and data["baseline_hidden"] == 2


def test_partial_scan_does_not_call_other_files_fixed(project: Path, capsys) -> None:
    (project / "other.py").write_text("import yaml\nyaml.load(x)\n", encoding="utf-8")
    assert cli.main(["baseline", "create", ".", "-o", "baseline.json"]) == 0
    capsys.readouterr()
    assert cli.main(["check", "-f", "json", "--baseline", "baseline.json", "pkg"]) == 0
    assert json.loads(capsys.readouterr().out)["baseline_fixed"] == []


def test_api_for_the_server(project: Path, capsys) -> None:
    create(capsys)
    baseline = load_baseline(project / "baseline.json")
    assert len(baseline) == 2
    scan = scan_paths([project / "pkg"], Config(root=project), jobs=1)
    known = [f for f in scan.findings() if baseline.is_known(f, scan.relpath(f.path))]
    assert len(known) == 2
    assert not any(baseline.is_known(f, "elsewhere.py") for f in scan.findings())


@pytest.mark.parametrize(
    "content, message",
    [
        ("not json", "not a valid JSON baseline"),
        ('{"version": 1}', "no `findings` list"),
        ('{"version": 9, "findings": []}', "unsupported baseline version"),
        ('{"version": 1, "findings": [{"path": 1}]}', "needs string `path` and `fingerprint`"),
    ],
)
def test_bad_baseline_files(project: Path, capsys, content: str, message: str) -> None:
    (project / "bad.json").write_text(content, encoding="utf-8")
    with pytest.raises(BaselineError, match=message):
        load_baseline(project / "bad.json")
    assert cli.main(["check", "--baseline", "bad.json", "."]) == 2
    assert message in capsys.readouterr().err
    assert cli.main(["check", "--baseline", "missing.json", "."]) == 2
    assert "cannot read baseline" in capsys.readouterr().err


def test_a_comment_added_to_a_baselined_line_keeps_it_baselined(tmp_path: Path) -> None:
    from secreview_ls.pipeline import Config, analyze_source

    before = "import yaml\n\n\ndef load(data):\n    return yaml.load(data)\n"
    after = before.replace("yaml.load(data)\n", "yaml.load(data)  # reviewed: input is ours\n")
    string_hash = before.replace("yaml.load(data)", "yaml.load(data + '#x')")
    fingerprint = {
        text: analyze_source(text, "m.py", Config()).findings[0].fingerprint for text in (before, after, string_hash)
    }
    assert fingerprint[before] == fingerprint[after]
    assert fingerprint[string_hash] != fingerprint[before]  # a '#' inside a string is code
