"""File discovery: suffixes, shebangs, excludes, .gitignore (nested, negated, ancestors)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from secreview_ls import cli
from secreview_ls.config import Config
from secreview_ls.pipeline.discovery import discover_files


def touch(root: Path, rel: str, content: str = "x = 1\n") -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return path


def found(root: Path, *paths: Path | str, config: Config | None = None, **options) -> list[str]:
    config = config or Config(root=root)
    result = discover_files(paths or (root,), config, **options)
    return [p.resolve().relative_to(root.resolve()).as_posix() for p in result.files]


def test_candidate_files(tmp_path: Path) -> None:
    for rel in (
        "a.py",
        "stubs/b.pyi",
        "gui.pyw",
        ".env",
        "prod.env",
        ".env.local",
        "conf/app.yaml",
        "conf/k8s.yml",
        "pyproject.toml",
        "setup.cfg",
        "tox.ini",
        "data.json",
        "app.properties",
        "nginx.conf",
    ):
        touch(tmp_path, rel)
    touch(tmp_path, "bin/tool", "#!/usr/bin/env python3\nprint(1)\n")
    touch(tmp_path, "bin/shell", "#!/bin/sh\necho 1\n")
    touch(tmp_path, "README.md")
    touch(tmp_path, "notes.txt")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n")
    assert found(tmp_path) == sorted(
        [
            ".env",
            ".env.local",
            "a.py",
            "app.properties",
            "bin/tool",
            "conf/app.yaml",
            "conf/k8s.yml",
            "data.json",
            "gui.pyw",
            "nginx.conf",
            "prod.env",
            "pyproject.toml",
            "setup.cfg",
            "stubs/b.pyi",
            "tox.ini",
        ]
    )


def test_default_and_configured_excludes(tmp_path: Path) -> None:
    touch(tmp_path, "src/app.py")
    touch(tmp_path, ".venv/lib/site.py")
    touch(tmp_path, "node_modules/pkg/x.py")
    touch(tmp_path, "src/__pycache__/x.py")
    touch(tmp_path, "legacy/old.py")
    touch(tmp_path, "src/gen_pb2.py")
    config = Config(root=tmp_path, extend_exclude=("legacy/**", "**/*_pb2.py"))
    assert found(tmp_path, config=config) == ["src/app.py"]
    assert found(tmp_path, config=config, exclude=["src/"]) == []
    # a file named explicitly is scanned anyway, unless force_exclude
    assert found(tmp_path, tmp_path / "legacy/old.py", config=config) == ["legacy/old.py"]
    assert found(tmp_path, tmp_path / "legacy/old.py", config=config, force_exclude=True) == []


def test_gitignore_nested_and_negated(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    touch(tmp_path, ".gitignore", "out/\n*.gen.py\n!keep.gen.py\n")
    touch(tmp_path, "app.py")
    touch(tmp_path, "out/build.py")
    touch(tmp_path, "x.gen.py")
    touch(tmp_path, "keep.gen.py")
    touch(tmp_path, "sub/.gitignore", "local.py\n!x.gen.py\n")
    touch(tmp_path, "sub/local.py")
    touch(tmp_path, "sub/x.gen.py")
    touch(tmp_path, "sub/deeper/local.py")
    touch(tmp_path, "other/local.py")
    assert found(tmp_path) == ["app.py", "keep.gen.py", "other/local.py", "sub/x.gen.py"]
    everything = found(tmp_path, gitignore=False)
    assert "out/build.py" in everything and "sub/deeper/local.py" in everything


def test_ancestor_gitignore_applies_to_subdirectory_scan(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    touch(tmp_path, ".gitignore", "generated_*.py\n")
    touch(tmp_path, ".git/info/exclude", "private.py\n")
    touch(tmp_path, "pkg/generated_a.py")
    touch(tmp_path, "pkg/private.py")
    touch(tmp_path, "pkg/real.py")
    assert found(tmp_path, tmp_path / "pkg") == ["pkg/real.py"]


def test_explicitly_named_ignored_directory_is_scanned(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    touch(tmp_path, ".gitignore", "/vendor\n")
    touch(tmp_path, "vendor/lib.py")
    touch(tmp_path, "main.py")
    assert found(tmp_path) == ["main.py"]
    assert found(tmp_path, tmp_path / "vendor") == ["vendor/lib.py"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_symlinked_directories_are_not_followed(tmp_path: Path) -> None:
    touch(tmp_path, "real/a.py")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    assert found(tmp_path) == ["real/a.py"]


def test_missing_and_special_paths(tmp_path: Path) -> None:
    result = discover_files([tmp_path / "nope.py"], Config(root=tmp_path))
    assert result.files == [] and result.notices[0].kind == "not-found"


def test_cli_exclude_and_no_gitignore(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    touch(tmp_path, "pyproject.toml", '[tool.secreview]\nextend-exclude = ["skipped/**"]\n')
    touch(tmp_path, ".gitignore", "ignored/\n")
    vulnerable = "import yaml\nyaml.load(x)\n"
    for rel in ("ignored/a.py", "skipped/b.py", "cli_excluded/c.py", "kept/d.py"):
        touch(tmp_path, rel, vulnerable)
    assert cli.main(["check", "-f", "json", "--exclude", "cli_excluded/", "."]) == 1
    out = capsys.readouterr().out
    assert "kept/d.py" in out and "ignored/a.py" not in out and "skipped/b.py" not in out
    assert "cli_excluded" not in out
    assert cli.main(["check", "-f", "json", "--no-gitignore", "--exclude", "cli_excluded/", "."]) == 1
    out = capsys.readouterr().out
    assert "ignored/a.py" in out and "skipped/b.py" not in out
    # pre-commit passes file names: --force-exclude keeps configured excludes effective
    assert cli.main(["check", "--force-exclude", "skipped/b.py"]) == 0
    assert cli.main(["check", "skipped/b.py"]) == 1


def test_shebang_script_gets_python_rules(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    touch(tmp_path, "pyproject.toml", "[tool.secreview]\n")
    touch(tmp_path, "bin/deploy", "#!/usr/bin/env python3\nimport yaml\nyaml.load(x)\n")
    assert cli.main(["check", "--color", "never", "."]) == 1
    assert "bin/deploy:3:1: SR401" in capsys.readouterr().out


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_a_folder_written_through_a_link_is_matched_by_its_resolved_path(tmp_path: Path, monkeypatch) -> None:
    """Scanning the root through a link (macOS's ``/tmp``): entries are matched by the path
    ``config.relative`` gives, made from the resolved folder for entries that are no links and
    resolved one by one for those that are."""
    real = tmp_path / "real"
    touch(real, "app/views.py")
    touch(real, "legacy/old.py")
    touch(real, "gen/model_pb2.py")
    (real / "app" / "shadow.py").symlink_to(real / "legacy" / "old.py")  # resolves into legacy/
    (real / "app" / "outside.py").symlink_to(touch(tmp_path, "elsewhere/legacy/x.py"))
    alias = tmp_path / "alias"
    alias.symlink_to(real, target_is_directory=True)
    config = Config(root=real, extend_exclude=("legacy/**", "**/*_pb2.py"))
    asked: list[str] = []
    relative = Config.relative

    def counted(self: Config, path: str | Path) -> str:
        asked.append(Path(path).name)
        return relative(self, path)

    monkeypatch.setattr(Config, "relative", counted)
    names = sorted(p.name for p in discover_files([alias], config).files)
    # ``shadow.py`` resolves to ``legacy/old.py``: excluded as ``config.relative`` reads it;
    # ``outside.py`` resolves out of the root and is matched as written.
    assert names == ["outside.py", "views.py"]
    assert sorted(asked) == ["outside.py", "shadow.py", "views.py"]  # only the folder with links
    asked.clear()
    assert sorted(p.name for p in discover_files([real], config).files) == ["outside.py", "shadow.py", "views.py"]
    assert asked == []  # written under the root: entries are taken as written


def test_per_file_ignores_make_no_relative_path_without_patterns(tmp_path: Path, monkeypatch) -> None:
    config = Config(root=tmp_path)
    monkeypatch.setattr(Config, "relative", lambda self, path: pytest.fail("made relative"))
    assert config.ignored_for(tmp_path / "a.py") == ()
    assert not Config(root=tmp_path, test_paths=()).is_test_path(tmp_path / "tests" / "a.py")
