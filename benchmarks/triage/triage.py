"""Precision of the default report on real projects nobody here wrote.

The corpus is pinned source distributions from PyPI (``PROJECTS``: libraries, frameworks and
production applications; a wheel where the source cannot be prepared offline) plus the running
interpreter's standard library. ``fetch`` downloads and unpacks them, ``scan`` runs
``secreview check`` with the default configuration on each, ``report`` joins the findings
with the hand-made verdicts in ``verdicts.json`` (keyed by ``PROJECT/PATH#FINGERPRINT``: the
fingerprint survives line moves, the path tells apart identical lines in two files) and prints precision per rule, per project and overall, findings per
10k lines of production and test code, and the findings nobody has judged yet.

A verdict is ``real`` (a weakness worth fixing), ``debatable`` (a reviewer could reasonably
ask for a change) or ``fp`` (nothing to fix), with a one-line reason written after reading
the code, never after what the tool says. Precision counts real and debatable as hits.

Usage::

    python benchmarks/triage/triage.py fetch  [--cache DIR]
    python benchmarks/triage/triage.py scan   [--cache DIR]
    python benchmarks/triage/triage.py report [--cache DIR] [--untriaged N] [--json]
    python benchmarks/triage/triage.py all    [--cache DIR]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_CACHE = Path.home() / ".cache" / "secreview" / "triage"
PROJECTS = (
    ("Django", "5.1.4"),
    ("ansible-core", "2.18.1"),
    ("pip", "24.3.1"),
    ("Twisted", "24.11.0"),
    ("paramiko", "3.5.0"),
    ("SQLAlchemy", "2.0.36"),
    ("Flask", "3.1.0"),
    ("mailman", "3.3.10"),
    ("wagtail", "8.0.1"),
    ("matrix-synapse", "1.163.2"),
    ("privacyidea", "3.14"),
    ("buildbot", "4.3.0"),
    ("ckan", "2.11.1"),
    ("Flask-AppBuilder", "4.5.2"),
    ("pretalx", "2024.3.1"),
    ("Radicale", "3.3.1"),
    ("borgmatic", "1.9.4"),
    ("calibreweb", "0.6.27"),
    ("changedetection.io", "0.60.10"),
    ("octoprint", "1.11.8"),
    ("open-webui", "0.6.5"),
    ("lnbits", "1.6.2"),
    ("pretix", "2026.8.0"),
    ("weblate", "5.14.3"),
    ("jupyter-server", "2.21.1"),
    ("label-studio", "1.23.2"),
)
STDLIB = "cpython-stdlib"
HITS = ("real", "debatable")


@dataclass(frozen=True)
class Project:
    name: str
    root: Path


def _normalized(name: str) -> str:
    """A distribution's name as its archive spells it (``changedetection.io`` → ``changedetection_io``)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def _unpacked(cache: Path, name: str, version: str) -> Path | None:
    wanted = {f"{name}-{version}".lower(), f"{_normalized(name)}-{version}"}
    for child in sorted(cache.iterdir()) if cache.is_dir() else ():
        if child.is_dir() and child.name.lower() in wanted:
            return child
    return None


def fetch(cache: Path) -> None:
    """Download each pinned source distribution (no dependencies; only the project itself is
    forced to source, its build tools may be wheels) and unpack it; a project whose source
    distribution cannot be prepared here (a native build step that needs the network) falls back
    to its wheel, unpacked into ``NAME-VERSION/`` (production code only: wheels ship no tests).
    A wheel already in the cache is unpacked without asking the index: the services whose source
    distributions build a JavaScript front end (open-webui) are pinned that way."""
    cache.mkdir(parents=True, exist_ok=True)
    for name, version in PROJECTS:
        if _unpacked(cache, name, version) is not None:
            continue
        prefixes = (name.lower(), _normalized(name))
        if _unpack_wheel(cache, name, version):
            continue
        download = [sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(cache), f"{name}=={version}"]
        if subprocess.run([*download, "--no-binary", name]).returncode == 0:
            for archive in cache.glob("*.tar.gz"):
                if archive.name.lower().startswith(prefixes):
                    with tarfile.open(archive) as tar:
                        tar.extractall(cache, filter="data")
            continue
        subprocess.run([*download, "--only-binary", ":all:"], check=True)
        _unpack_wheel(cache, name, version)


def _unpack_wheel(cache: Path, name: str, version: str) -> bool:
    """Unpack a wheel of the pinned version found in ``cache`` into ``NAME-VERSION/``; a wheel
    placed there by hand (a project published only as a wheel, or fetched elsewhere) is used
    without downloading anything. False when there is none."""
    for wheel in sorted(cache.glob("*.whl")):
        if wheel.name.lower().startswith(f"{_normalized(name)}-{version}-"):
            with zipfile.ZipFile(wheel) as archive:
                archive.extractall(cache / f"{name}-{version}")
            return True
    return False


def projects(cache: Path) -> list[Project]:
    found = []
    for name, version in PROJECTS:
        root = _unpacked(cache, name, version)
        if root is None:
            raise SystemExit(f"{name}=={version} is not in {cache}: run `fetch` first")
        found.append(Project(f"{name}-{version}", root))
    found.append(Project(STDLIB, Path(sysconfig.get_paths()["stdlib"])))
    return found


def scan(cache: Path) -> None:
    """Scan every project with the default configuration into ``CACHE/results/NAME.json``."""
    results = cache / "results"
    results.mkdir(parents=True, exist_ok=True)
    for project in projects(cache):
        out = results / f"{project.name}.json"
        command = [
            sys.executable,
            "-m",
            "secreview_ls.cli",
            "check",
            "--format",
            "json",
            "--exit-zero",
            "--no-progress",
            "-q",
            "-o",
            str(out),
            str(project.root),
        ]
        subprocess.run(command, check=True, cwd=project.root)


def _line_counts(root: Path) -> tuple[int, int]:
    """Lines of Python in production and in test code, as the default configuration sees them."""
    from secreview_ls.config import Config

    config = Config(root=root)
    prod = test = 0
    for path in root.rglob("*.py"):
        if config.is_excluded(path):
            continue
        try:
            lines = path.read_bytes().count(b"\n")
        except OSError:
            continue
        if config.is_test_path(path):
            test += lines
        else:
            prod += lines
    return prod, test


def _precision(verdicts: Counter[str]) -> str:
    judged = sum(verdicts[v] for v in (*HITS, "fp"))
    if not judged:
        return "   -  "
    return f"{100 * sum(verdicts[v] for v in HITS) / judged:5.1f}%"


def load_verdicts() -> dict[str, dict[str, str]]:
    """``verdicts.json``, then every ``verdicts-*.json`` beside it (one file per area of rules) in
    name order: a key judged in several files takes the verdict of the last, so an area's file
    can correct an earlier verdict (``verdicts-exec2.json`` after ``verdicts-exec.json``)."""
    verdicts: dict[str, dict[str, str]] = {}
    base = HERE / "verdicts.json"
    for path in [base, *sorted(p for p in HERE.glob("verdicts-*.json"))]:
        if path.exists():
            verdicts.update(json.loads(path.read_text(encoding="utf-8")))
    return verdicts


def report(cache: Path, untriaged_limit: int, as_json: bool) -> None:
    from secreview_ls.config import Config

    verdicts = load_verdicts()
    by_rule: dict[str, Counter[str]] = defaultdict(Counter)
    by_project: dict[str, Counter[str]] = defaultdict(Counter)
    overall: Counter[str] = Counter()
    untriaged: list[str] = []
    density: dict[str, dict[str, float]] = {}
    for project in projects(cache):
        result = cache / "results" / f"{project.name}.json"
        if not result.exists():
            print(f"{project.name}: not scanned (run `scan`)", file=sys.stderr)
            continue
        data = json.loads(result.read_text(encoding="utf-8"))
        config = Config(root=project.root)
        prod_lines, test_lines = _line_counts(project.root)
        prod_findings = test_findings = 0
        for finding in data["findings"]:
            in_tests = config.is_test_path(project.root / finding["path"])
            test_findings += in_tests
            prod_findings += not in_tests
            key = f"{project.name}/{finding['path']}#{finding['fingerprint']}"
            verdict = verdicts.get(key, {}).get("verdict", "untriaged")
            by_rule[finding["rule_id"]][verdict] += 1
            by_project[project.name][verdict] += 1
            overall[verdict] += 1
            if verdict == "untriaged":
                untriaged.append(
                    f"{finding['fingerprint']}  {project.name}/{finding['path']}:"
                    f"{finding['span']['start_line']}  {finding['rule_id']}  {finding['snippet'][:70]}"
                )
        density[project.name] = {
            "prod_per_10k": 1e4 * prod_findings / max(prod_lines, 1),
            "test_per_10k": 1e4 * test_findings / max(test_lines, 1),
            "prod_lines": prod_lines,
            "test_lines": test_lines,
        }
    if as_json:
        print(
            json.dumps(
                {
                    "rules": by_rule,
                    "projects": by_project,
                    "overall": overall,
                    "density": density,
                    "untriaged": len(untriaged),
                },
                indent=2,
            )
        )
        return
    header = f"{'':28} {'total':>6} {'real':>5} {'deb':>5} {'fp':>5} {'open':>5} {'precision':>9}"
    for title, table in (("per rule", by_rule), ("per project", by_project), ("overall", {"all": overall})):
        print(f"\n{title}\n{header}")
        for key in sorted(table):
            c = table[key]
            print(
                f"{key:28} {sum(c.values()):6} {c['real']:5} {c['debatable']:5} {c['fp']:5} "
                f"{c['untriaged']:5} {_precision(c):>9}"
            )
    print("\nfindings per 10k lines")
    for name, d in density.items():
        print(
            f"{name:28} prod {d['prod_per_10k']:6.2f} ({d['prod_lines']} lines)   "
            f"tests {d['test_per_10k']:6.2f} ({d['test_lines']} lines)"
        )
    print(f"\nuntriaged: {len(untriaged)} of {sum(overall.values())}")
    for line in untriaged[:untriaged_limit]:
        print("  " + line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=("fetch", "scan", "report", "all"))
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="where the corpus is unpacked")
    parser.add_argument("--untriaged", type=int, default=50, help="how many untriaged findings to list")
    parser.add_argument("--json", action="store_true", help="machine-readable summary")
    args = parser.parse_args()
    if args.step in ("fetch", "all"):
        fetch(args.cache)
    if args.step in ("scan", "all"):
        scan(args.cache)
    if args.step in ("report", "all"):
        report(args.cache, args.untriaged, args.json)


if __name__ == "__main__":
    main()
