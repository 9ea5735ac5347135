"""``--diff REV``: findings only on lines changed since merge-base(REV, HEAD), in real git repositories."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from secreview_ls import cli
from secreview_ls.pipeline.gitdiff import GitError, changed_lines_for_text, changes_since, parse_unified_diff

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

OLD = "import yaml\n\n\ndef old(data):\n    return yaml.load(data)\n"


@pytest.fixture(autouse=True)
def git_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key, value in {
        "GIT_AUTHOR_NAME": "T",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "T",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CEILING_DIRECTORIES": str(tmp_path),
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("GIT_DIR", raising=False)
    monkeypatch.delenv("GIT_WORK_TREE", raising=False)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "pyproject.toml").write_text("[tool.secreview]\n", encoding="utf-8")
    (root / "a.py").write_text(OLD, encoding="utf-8")
    (root / "b.py").write_text("import yaml\n", encoding="utf-8")
    (root / ".gitignore").write_text("ignored.py\n", encoding="utf-8")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "initial")
    return root


def test_working_tree_staged_and_untracked_changes(repo: Path) -> None:
    (repo / "a.py").write_text(OLD + "\n\ndef new(data):\n    return yaml.load(data)\n", encoding="utf-8")
    (repo / "b.py").write_text("import yaml\nyaml.load(x)\n", encoding="utf-8")
    git(repo, "add", "b.py")  # staged
    (repo / "c.py").write_text("import yaml\nyaml.load(y)\n", encoding="utf-8")  # untracked
    (repo / "ignored.py").write_text("import yaml\nyaml.load(z)\n", encoding="utf-8")
    changes = changes_since("HEAD", repo)
    assert changes.note is None and not changes.everything_new
    assert changes.lines_for(repo / "a.py") == frozenset({6, 7, 8, 9})
    assert changes.lines_for(repo / "b.py") == frozenset({2})
    assert changes.lines_for(repo / "c.py") is None  # whole file new
    assert changes.lines_for(repo / "ignored.py") == frozenset()
    assert changes.is_changed(repo / "a.py", 9) and not changes.is_changed(repo / "a.py", 5)
    assert not changes.touches(repo / "pyproject.toml")


def test_check_diff_reports_only_new_findings(repo: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(repo)
    (repo / "a.py").write_text(OLD + "\n\ndef new(data):\n    return yaml.load(data)\n", encoding="utf-8")
    (repo / "c.py").write_text("import yaml\nyaml.load(y)\n", encoding="utf-8")
    assert cli.main(["check", "-f", "json", "."]) == 1
    everything = json.loads(capsys.readouterr().out)
    assert {(f["path"], f["span"]["start_line"]) for f in everything["findings"]} == {
        ("a.py", 5),
        ("a.py", 9),
        ("c.py", 2),
    }
    assert cli.main(["check", "-f", "json", "--diff", "HEAD", "."]) == 1
    narrowed = json.loads(capsys.readouterr().out)
    assert {(f["path"], f["span"]["start_line"]) for f in narrowed["findings"]} == {("a.py", 9), ("c.py", 2)}
    assert narrowed["diff_hidden"] == 1
    assert narrowed["diff_note"] is None


def test_check_diff_keeps_only_suppressed_findings_on_changed_lines(repo: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(repo)
    old = OLD.replace("yaml.load(data)", "yaml.load(data)  # nosec")
    (repo / "a.py").write_text(old, encoding="utf-8")
    git(repo, "commit", "-q", "-am", "an old suppression")
    added = "\n\ndef new(data):\n    return yaml.load(data)  # secreview: ignore[SR401] -- trusted\n"
    (repo / "a.py").write_text(old + added, encoding="utf-8")
    assert cli.main(["check", "-f", "json", "--diff", "HEAD", "."]) == 0
    narrowed = json.loads(capsys.readouterr().out)
    assert [(f["path"], f["span"]["start_line"]) for f in narrowed["suppressed"]] == [("a.py", 9)]


def test_diff_against_branch_uses_merge_base(repo: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(repo)
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "d.py").write_text("import pickle\n\npickle.loads(b)\n", encoding="utf-8")
    git(repo, "add", "d.py")
    git(repo, "commit", "-q", "-m", "feature work")
    git(repo, "checkout", "-q", "main")
    (repo / "b.py").write_text("import yaml\nyaml.load(main_only)\n", encoding="utf-8")
    git(repo, "commit", "-q", "-am", "work on main")
    git(repo, "checkout", "-q", "feature")
    # merge-base(main, HEAD) is the initial commit: main's later change is not part of this branch
    assert cli.main(["check", "-f", "json", "--diff", "main", "."]) == 1
    found = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["path"], f["rule_id"]) for f in found] == [("d.py", "SR402")]
    # nothing changed relative to the branch itself
    assert cli.main(["check", "--diff", "feature", "."]) == 0


def test_no_findings_on_unchanged_tree(repo: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(repo)
    assert cli.main(["check", "."]) == 1
    capsys.readouterr()
    assert cli.main(["check", "--diff", "HEAD", "."]) == 0
    out = capsys.readouterr().out
    assert "No findings; 0 files scanned" in out
    assert "3 unchanged files not analyzed (--diff)" in out  # a.py, b.py, pyproject.toml


def test_repository_without_commits(tmp_path: Path, monkeypatch, capsys) -> None:
    root = tmp_path / "fresh"
    root.mkdir()
    git(root, "init", "-q")
    (root / "a.py").write_text(OLD, encoding="utf-8")
    changes = changes_since("HEAD", root)
    assert changes.everything_new and "no commits" in (changes.note or "")
    monkeypatch.chdir(root)
    assert cli.main(["check", "--diff", "main", "."]) == 1
    captured = capsys.readouterr()
    assert "no commits yet" in captured.err
    assert "a.py:5:12: SR401" in captured.out


def test_outside_git(tmp_path: Path, monkeypatch, capsys) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "a.py").write_text(OLD, encoding="utf-8")
    changes = changes_since("HEAD", plain)
    assert changes.everything_new and "not inside a git repository" in (changes.note or "")
    monkeypatch.chdir(plain)
    assert cli.main(["check", "-f", "json", "--diff", "HEAD", "."]) == 1
    captured = capsys.readouterr()
    assert "not inside a git repository" in captured.err
    assert json.loads(captured.out)["diff_note"].startswith("not inside a git repository")


def test_unknown_revision_is_usage_error(repo: Path, monkeypatch, capsys) -> None:
    with pytest.raises(GitError):
        changes_since("no-such-branch", repo)
    monkeypatch.chdir(repo)
    assert cli.main(["check", "--diff", "no-such-branch", "."]) == 2
    assert "unknown git revision" in capsys.readouterr().err


def test_changed_lines_for_unsaved_buffer(repo: Path) -> None:
    committed = (repo / "a.py").read_text(encoding="utf-8")
    assert changed_lines_for_text(repo, repo / "a.py", committed) == set()
    edited = committed.replace("def old(data):", "def old(data, extra):") + "x = 1\n"
    assert changed_lines_for_text(repo, repo / "a.py", edited) == {4, 6}
    assert changed_lines_for_text(repo, repo / "new.py", "x = 1\n") is None  # not in HEAD
    assert changed_lines_for_text(repo, repo / "a.py", committed, rev="no-such-rev") is None
    assert changed_lines_for_text(repo.parent, repo.parent / "elsewhere.py", "x\n") is None


def test_parse_unified_diff_hunks_and_quoted_names(tmp_path: Path) -> None:
    patch = (
        b"diff --git a/x.py b/x.py\n"
        b"--- a/x.py\n+++ b/x.py\n"
        b"@@ -3 +3 @@\n-a\n+b\n"
        b"@@ -10,0 +11,2 @@\n+c\n+d\n"
        b"@@ -20,3 +22,0 @@\n-e\n-f\n-g\n"
        b'diff --git "a/sp ace \\303\\251.py" "b/sp ace \\303\\251.py"\n'
        b'--- "a/sp ace \\303\\251.py"\n+++ "b/sp ace \\303\\251.py"\n'
        b"@@ -1 +1 @@\n-x\n+y\n"
        b"diff --git a/gone.py b/gone.py\n--- a/gone.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n"
    )
    files = parse_unified_diff(patch, tmp_path)
    assert files == {
        (tmp_path / "x.py").resolve(): frozenset({3, 11, 12}),
        (tmp_path / "sp ace é.py").resolve(): frozenset({1}),
    }


def test_real_diff_with_unusual_file_name(repo: Path) -> None:
    name = 'we"ird é.py'
    (repo / name).write_text("x = 1\n", encoding="utf-8")
    git(repo, "add", name)
    git(repo, "commit", "-q", "-m", "odd name")
    (repo / name).write_text("x = 1\ny = 2\n", encoding="utf-8")
    assert changes_since("HEAD", repo).lines_for(repo / name) == frozenset({2})


def test_buffer_diff_against_branch_uses_merge_base(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "a.py").write_text(OLD + "x = 1\n", encoding="utf-8")
    git(repo, "commit", "-q", "-am", "feature line")
    git(repo, "checkout", "-q", "main")
    (repo / "a.py").write_text("# main moved on\n" + OLD, encoding="utf-8")
    git(repo, "commit", "-q", "-am", "main line")
    git(repo, "checkout", "-q", "feature")
    text = (repo / "a.py").read_text(encoding="utf-8") + "y = 2\n"
    # relative to where feature left main: the feature's own line and the unsaved one
    assert changed_lines_for_text(repo, repo / "a.py", text, rev="main") == {6, 7}
    assert changed_lines_for_text(repo, repo / "a.py", text) == {7}


def test_repository_chosen_programs_never_run(repo: Path) -> None:
    """A scanned repository's own configuration names programs (fsmonitor hook, clean filter,
    textconv and external diff drivers, pager): reviewing a change must run none of them, and a
    textconv driver must not be able to rewrite the diff that decides what is reported."""
    marker = repo.parent / "ran"
    marker.mkdir()
    hostile = {
        "core.fsmonitor": f"sh -c 'touch {marker}/fsmonitor; echo'",
        "filter.evil.clean": f"sh -c 'touch {marker}/clean; cat'",
        "filter.evil.required": "true",
        "filter.dotted.name.process": f"sh -c 'touch {marker}/process'",
        "diff.evil.textconv": f"sh -c 'touch {marker}/textconv; true'",
        "diff.evil.command": f"sh -c 'touch {marker}/diffcommand'",
        "diff.external": f"sh -c 'touch {marker}/external'",
        "core.pager": f"sh -c 'touch {marker}/pager; cat'",
    }
    for key, value in hostile.items():
        git(repo, "config", key, value)
    (repo / ".gitattributes").write_text("*.py filter=evil diff=evil\n", encoding="utf-8")
    hooks = repo / ".git" / "hooks"
    for name in ("post-checkout", "pre-commit", "post-index-change"):
        (hooks / name).write_text(f"#!/bin/sh\ntouch {marker}/hook-{name}\n", encoding="utf-8")
        (hooks / name).chmod(0o755)
    (repo / "a.py").write_text(OLD + "\n\ndef new(data):\n    return yaml.load(data)\n", encoding="utf-8")

    completed = subprocess.run(
        [sys.executable, "-m", "secreview_ls.cli", "check", "--diff", "HEAD", "--format", "json", "--no-progress", "."],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 1, completed.stderr
    findings = json.loads(completed.stdout)["findings"]
    assert [(Path(f["path"]).name, f["span"]["start_line"]) for f in findings] == [("a.py", 9)]
    assert changed_lines_for_text(repo, repo / "a.py", (repo / "a.py").read_text(encoding="utf-8")) == {6, 7, 8, 9}
    assert sorted(p.name for p in marker.iterdir()) == []
