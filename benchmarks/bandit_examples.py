"""Recall and extras of the catalogue against Bandit's own example files.

Bandit's source distribution ships ``examples/``: about ninety small files, each exercising
one Bandit check (vulnerable calls next to safe variants). This benchmark runs Bandit
(``bandit -f json``) and secreview over every example and compares them per Bandit check:

* a Bandit hit is *matched* when one of our rules declaring that Bandit code
  (``Rule.bandit``) reports on the same line, one line around it, or inside the
  statement's line range;
* a *miss* is an unmatched hit of a check we cover;
* an *extra* is one of our findings that no Bandit hit of its codes explains.

Checks listed as not reported (``secreview_ls.rules.parity.NOT_REPORTED``, presented in
``docs/bandit-parity.md``) are listed apart, not as misses. Import blacklists (B4xx) are
folded into the call rules (importing a module is not a defect), so their hits are listed
apart too, marked ``used`` when the mapped rule reports the module's use in the same file.

secreview runs twice: with the default selection (``Config()``) and with every rule
selected, opt-in rules included.

The examples are not part of this repository. Get them with::

    pip download bandit==1.9.4 --no-binary :all: --no-deps -d ~/.cache/secreview/benchmarks
    tar -xzf ~/.cache/secreview/benchmarks/bandit-1.9.4.tar.gz -C ~/.cache/secreview/benchmarks

Usage: ``python benchmarks/bandit_examples.py [--examples DIR] [--cache-dir DIR] [--json]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from secreview_ls.config import Config  # noqa: E402
from secreview_ls.pipeline import analyze_path  # noqa: E402
from secreview_ls.rules.base import Rule  # noqa: E402
from secreview_ls.rules.parity import NOT_REPORTED  # noqa: E402
from secreview_ls.rules.registry import all_rules  # noqa: E402

BANDIT_VERSION = "1.9.4"
CACHE_ENV = "SECREVIEW_BENCH_CACHE"
DEFAULT_CACHES = (Path.home() / ".cache" / "secreview" / "benchmarks", Path("/tmp/sdists"))
NEAR = 1  # lines of slack around a Bandit hit (multi-line statements)


# Why a Bandit hit on its examples is deliberately not reported here, by reason. Each reason is a
# documented judgement of the rule (docs/bandit-parity.md); the hits are named by check, file and
# line of the Bandit 1.9.4 examples. A miss not listed here is a defect to fix.
REASONS = {
    "fixed": "the code/command/SQL/URL/markup/XML is fixed in the source (a literal, a module constant, or a "
    "name whose every reaching assignment is one)",
    "context": "no security use of the value is visible (B311 is reported where the value becomes a secret)",
    "object": "creating the object opens or parses nothing; its use is judged",
    "vetted": "`members=` is a filtering function or an empty list",
    "empty": "an empty string is not a credential",
    "negotiates": "`SSLv23_METHOD` negotiates the best version, it does not select SSL 2/3",
    "unbound": "the example never imports the module it calls, so the name resolves to nothing",
    "comment": "the shell command is a comment and starts no program",
    "truthy": "the value comes from a function returning a non-empty string, so escaping is on",
    "own": "the module reads back what it pickled/marshalled itself (a round trip of its own data, "
    "no bytes from outside the process); such loads are judged by where the bytes come from",
    "sanitized": "the value was sanitized or escaped before, by a call bound to the name it is read from",
    "group": "only write access for every user is reported; group bits follow the user-private-group "
    "convention (umask 002)",
}
TRIAGE: dict[tuple[str, str, int], str] = {
    **{("B102", "exec.py", n): "fixed" for n in (1,)},
    **{("B307", "eval.py", n): "fixed" for n in (3, 4, 5)},
    **{("B105", "hardcoded-passwords.py", n): "empty" for n in (20,)},
    ("B202", "tarfile_extractall.py", 14): "vetted",
    ("B202", "tarfile_extractall.py", 32): "vetted",
    **{("B308", "mark_safe_secure.py", n): "fixed" for n in (4, 11, 14, 17, 33, 35, 36, 37, 41, 45, 47, 48, 54, 75)},
    ("B308", "mark_safe.py", 4): "fixed",
    ("B308", "mark_safe_insecure.py", 149): "fixed",
    ("B703", "mark_safe_insecure.py", 149): "fixed",
    **{("B310", "urlopen.py", n): "fixed" for n in (17, 18, 27, 28)},
    **{("B310", "urlopen.py", n): "object" for n in (19, 22, 29, 32)},
    **{("B311", "random_module.py", n): "context" for n in range(5, 17)},
    ("B313", "xml_etree_celementtree.py", 7): "fixed",
    ("B313", "xml_etree_celementtree.py", 11): "object",
    ("B314", "xml_etree_elementtree.py", 7): "fixed",
    ("B314", "xml_etree_elementtree.py", 11): "object",
    ("B315", "xml_expatreader.py", 4): "object",
    ("B316", "xml_expatbuilder.py", 9): "fixed",
    ("B317", "new_candidates-all.py", 22): "object",
    ("B317", "xml_sax.py", 21): "fixed",
    ("B317", "xml_sax.py", 23): "fixed",
    ("B317", "xml_sax.py", 30): "object",
    ("B317", "xml_sax.py", 31): "object",
    ("B318", "xml_minidom.py", 3): "fixed",
    ("B319", "xml_pulldom.py", 3): "fixed",
    ("B503", "ssl-insecure-version.py", 38): "negotiates",
    ("B502", "ssl-insecure-version.py", 6): "negotiates",
    ("B502", "ssl-insecure-version.py", 10): "negotiates",
    **{("B103", "os-chmod.py", n): "group" for n in (8, 10, 12)},
    ("B306", "mktemp.py", 8): "unbound",
    ("B601", "paramiko_injection.py", 7): "fixed",
    ("B602", "new_candidates-all.py", 7): "unbound",
    ("B602", "new_candidates-some.py", 7): "unbound",
    ("B604", "subprocess_shell.py", 12): "fixed",
    ("B607", "nosec.py", 9): "comment",
    ("B607", "nosec.py", 18): "comment",
    # Constants formatted into constants (`'%secure' % 'nos'`) and a name assigned two constants.
    **{("B610", "django_sql_injection_extra.py", n): "fixed" for n in (15, 16, 17, 20, 22, 23, 24, 27, 29)},
    **{("B611", "django_sql_injection_raw.py", n): "fixed" for n in (5, 6, 8, 11, 12, 13)},
    ("B701", "jinja2_templating.py", 29): "truthy",
    **{("B704", "markupsafe_markup_xss.py", n): "fixed" for n in (5, 6, 10, 11)},
    ("B704", "markupsafe_markup_xss_allowed_calls.py", 5): "fixed",
    ("B704", "markupsafe_markup_xss_allowed_calls.py", 9): "sanitized",
    **{("B301", "dill.py", n): "own" for n in (6, 11, 14)},
    **{("B301", "pickle_deserialize.py", n): "own" for n in (7, 12, 15)},
    ("B301", "pandas_read_pickle.py", 12): "own",
    **{("B302", "marshal_deserialize.py", n): "own" for n in (6, 11)},
    ("B704", "markupsafe_markup_xss_extend_markup_names.py", 5): "fixed",
}
# Hardening notes that list calls a Bandit check reports but the default report leaves out: a
# shell command nothing can be injected into (SR208), a URL a function's caller hands in (SR511), a
# `mark_safe` of a bare value whose origin the pattern rules cannot see (SR607).
# A Bandit code belongs to one rule (``Rule.bandit``); these answer its hits in the every-rule run.
HARDENING_NOTES: dict[str, tuple[str, ...]] = {
    "B602": ("SR208",), "B605": ("SR208",), "B310": ("SR511",), "B308": ("SR607",), "B703": ("SR607",),
}  # fmt: skip
# Our findings that no Bandit hit explains, judged as real (kept) or as a difference elsewhere.
EXTRA_NOTES: dict[tuple[str, str, int], str] = {
    **{
        ("SR208", "nosec.py", n): "suppression syntax: `# nosec B602` names the code of SR201; the hardening "
        "note SR208 (a fixed command) has no Bandit code of its own"
        for n in (13, 14)
    },
    ("SR204", "wildcard-injection.py", 16): "real: `tar` is started by name through an `os` alias "
    "(Bandit reports only B606 there)",
    ("SR301", "nosec.py", 3): "suppression syntax: Bandit reads `# nosec: <unknown word>` as a bare "
    "`# nosec`; here an unknown code suppresses nothing and is reported as an unknown suppression",
}


@dataclass(frozen=True)
class BanditHit:
    file: str
    line: int
    lines: tuple[int, ...]
    test_id: str
    test_name: str
    text: str


@dataclass(frozen=True)
class OurHit:
    file: str
    line: int
    rule_id: str
    message: str


@dataclass
class CheckRow:
    test_id: str
    test_name: str
    rules: tuple[str, ...]
    status: str  # covered | opt-in | import | not-reported | unmapped
    hits: int = 0
    matched_default: int = 0
    matched_all: int = 0
    misses: list[str] = field(default_factory=list)
    deliberate: list[str] = field(default_factory=list)


def find_examples(explicit: Path | None, cache_dirs: list[Path]) -> Path | None:
    """The examples directory: ``explicit`` or an unpacked ``bandit-*/examples`` in a cache."""
    if explicit is not None:
        return explicit if explicit.is_dir() else None
    for cache in cache_dirs:
        if not cache.is_dir():
            continue
        preferred = cache / f"bandit-{BANDIT_VERSION}" / "examples"
        if preferred.is_dir():
            return preferred
        found = sorted(p for p in cache.glob("bandit-*/examples") if p.is_dir())
        if found:
            return found[-1]
    return None


def how_to_get(cache: Path) -> str:
    return (
        "Bandit's examples were not found. Get them with:\n"
        f"  pip download bandit=={BANDIT_VERSION} --no-binary :all: --no-deps -d {cache}\n"
        f"  tar -xzf {cache}/bandit-{BANDIT_VERSION}.tar.gz -C {cache}\n"
        "then rerun (or pass --examples DIR)."
    )


def example_files(examples: Path) -> list[Path]:
    return sorted(examples.rglob("*.py"))


def bandit_command() -> list[str]:
    beside = Path(sys.executable).with_name("bandit")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("bandit")
    return [found] if found else [sys.executable, "-m", "bandit"]


def run_bandit(examples: Path, files: list[Path]) -> tuple[list[BanditHit], list[str]]:
    """Bandit's hits over ``files`` (every severity and confidence), and its per-file errors."""
    relative = [str(p.relative_to(examples)) for p in files]
    completed = subprocess.run(
        [*bandit_command(), "-f", "json", "-q", *relative],
        cwd=examples,
        capture_output=True,
        text=True,
        check=False,
    )
    if not completed.stdout.strip():
        raise SystemExit(f"bandit produced no output: {completed.stderr.strip()}")
    report = json.loads(completed.stdout)
    hits = [
        BanditHit(
            file=_norm(item["filename"]),
            line=int(item["line_number"]),
            lines=tuple(int(n) for n in item.get("line_range") or [item["line_number"]]),
            test_id=item["test_id"],
            test_name=item["test_name"],
            text=item["issue_text"],
        )
        for item in report.get("results", [])
    ]
    errors = [f"{_norm(e['filename'])}: {e['reason']}" for e in report.get("errors", [])]
    return hits, errors


def _norm(name: str) -> str:
    return name[2:] if name.startswith("./") else name


def run_ours(examples: Path, files: list[Path], config: Config) -> list[OurHit]:
    hits: list[OurHit] = []
    for path in files:
        result = analyze_path(path, config)
        name = str(path.relative_to(examples))
        hits.extend(OurHit(name, f.span.start_line, f.rule_id, f.message) for f in result.findings)
    return hits


def rules_by_bandit_code(rules: tuple[Rule, ...]) -> dict[str, list[Rule]]:
    table: dict[str, list[Rule]] = {}
    for current in rules:
        for code in current.bandit:
            table.setdefault(code, []).append(current)
    return table


def is_import_check(test_id: str) -> bool:
    """Bandit's import blacklists (B401 to B415)."""
    return test_id.startswith("B4")


def _extent(bandit: BanditHit) -> tuple[int, int]:
    lines = (*bandit.lines, bandit.line)
    return min(lines), max(lines)


def _near(bandit: BanditHit, ours: OurHit, claimed: set[tuple[str, int, str]]) -> bool:
    """``ours`` is on the hit's statement, or one line off and not on the statement of another
    hit it answers (``claimed``: file, line, rule of findings sitting on a hit's statement)."""
    if bandit.file != ours.file:
        return False
    low, high = _extent(bandit)
    if low <= ours.line <= high:
        return True
    if (ours.file, ours.line, ours.rule_id) in claimed:
        return False
    return low - NEAR <= ours.line <= high + NEAR


def _answers(ours: OurHit, bandit: BanditHit, mapping: dict[str, list[Rule]]) -> bool:
    if ours.rule_id in HARDENING_NOTES.get(bandit.test_id, ()):
        return True
    return any(r.id == ours.rule_id for r in mapping.get(bandit.test_id, ()))


def compare(
    examples: Path,
    bandit_hits: list[BanditHit],
    default_hits: list[OurHit],
    all_hits: list[OurHit],
) -> dict[str, object]:
    """Per-check rows, misses, extras (for both runs) and summary figures."""
    rules = all_rules()
    mapping = rules_by_bandit_code(rules)
    rows: dict[str, CheckRow] = {}
    used_import: dict[str, list[str]] = {}
    lines_cache: dict[str, list[str]] = {}

    def code_at(file: str, line: int) -> str:
        if file not in lines_cache:
            lines_cache[file] = (examples / file).read_text(encoding="utf-8", errors="replace").splitlines()
        text = lines_cache[file]
        return text[line - 1].strip() if 1 <= line <= len(text) else ""

    claimed = {
        (o.file, o.line, o.rule_id)
        for o in (*default_hits, *all_hits)
        for b in bandit_hits
        if o.file == b.file and _answers(o, b, mapping) and _extent(b)[0] <= o.line <= _extent(b)[1]
    }
    for hit in bandit_hits:
        mapped = mapping.get(hit.test_id, [])
        if hit.test_id not in rows:
            if hit.test_id in NOT_REPORTED:
                status = "not-reported"
            elif not mapped:
                status = "unmapped"
            elif is_import_check(hit.test_id):
                status = "import"
            elif not any(r.default_enabled for r in mapped):
                status = "opt-in"
            else:
                status = "covered"
            rows[hit.test_id] = CheckRow(hit.test_id, hit.test_name, tuple(r.id for r in mapped), status)
        row = rows[hit.test_id]
        row.hits += 1
        where = f"{hit.file}:{hit.line}  {code_at(hit.file, hit.line)}"
        if row.status == "import":
            ids = {r.id for r in mapped}
            tag = "used" if any(o.file == hit.file and o.rule_id in ids for o in all_hits) else "import only"
            used_import.setdefault(hit.test_id, []).append(f"{where}  [{tag}]")
            continue
        in_default = any(_answers(o, hit, mapping) and _near(hit, o, claimed) for o in default_hits)
        in_all = any(_answers(o, hit, mapping) and _near(hit, o, claimed) for o in all_hits)
        row.matched_default += in_default
        row.matched_all += in_all
        if not in_all and row.status != "not-reported":
            reason = TRIAGE.get((hit.test_id, hit.file, hit.line))
            if reason is None:
                row.misses.append(where)
            else:
                row.deliberate.append(f"{where}  [{reason}]")

    def extras(ours: list[OurHit]) -> list[str]:
        found: list[str] = []
        for o in ours:
            if any(_answers(o, b, mapping) and _near(b, o, claimed) for b in bandit_hits):
                continue
            if any(o.file == b.file and is_import_check(b.test_id) and _answers(o, b, mapping) for b in bandit_hits):
                continue  # the use of a module whose import Bandit blacklists
            note = EXTRA_NOTES.get((o.rule_id, o.file, o.line), "not triaged")
            found.append(f"{o.file}:{o.line}  {o.rule_id}  {o.message}  | {code_at(o.file, o.line)}  [{note}]")
        return found

    scored = [r for r in rows.values() if r.status in ("covered", "opt-in")]
    total = sum(r.hits for r in scored)
    default_scored = [r for r in scored if r.status == "covered"]
    default_total = sum(r.hits for r in default_scored)
    summary = {
        "examples": str(examples),
        "bandit_hits": len(bandit_hits),
        "scored_hits": total,
        "matched_all": sum(r.matched_all for r in scored),
        "recall_all": _ratio(sum(r.matched_all for r in scored), total),
        "default_scored_hits": default_total,
        "matched_default": sum(r.matched_default for r in default_scored),
        "recall_default": _ratio(sum(r.matched_default for r in default_scored), default_total),
        "deliberate": sum(len(r.deliberate) for r in scored),
        "unexplained_misses": sum(len(r.misses) for r in scored),
        "recall_intended": _ratio(sum(r.matched_all for r in scored), total - sum(len(r.deliberate) for r in scored)),
        "extras_default": 0,
        "extras_all": 0,
    }
    extra_default, extra_all = extras(default_hits), extras(all_hits)
    summary["extras_default"], summary["extras_all"] = len(extra_default), len(extra_all)
    return {
        "summary": summary,
        "checks": [asdict(r) for r in sorted(rows.values(), key=lambda r: r.test_id)],
        "imports": used_import,
        "extras_default": extra_default,
        "extras_all": extra_all,
    }


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def print_report(report: dict[str, object], errors: list[str]) -> None:
    summary = report["summary"]
    checks: list[dict[str, object]] = report["checks"]  # type: ignore[assignment]
    print(f"Bandit examples: {summary['examples']}")  # type: ignore[index]
    print(f"{'check':6} {'name':42} {'ours':14} {'status':12} {'hits':>5} {'dflt':>5} {'all':>5} {'recall':>7}")
    for row in checks:
        recall = _ratio(int(row["matched_all"]), int(row["hits"])) if row["status"] in ("covered", "opt-in") else None
        print(
            f"{row['test_id']:6} {str(row['test_name'])[:42]:42} {','.join(row['rules']) or '—':14} "
            f"{row['status']:12} {row['hits']:>5} {row['matched_default']:>5} {row['matched_all']:>5} "
            f"{_fmt(recall):>7}"
        )
    print("\nMisses (covered checks, every rule selected; each one is a defect):")
    any_miss = False
    for row in checks:
        for miss in row["misses"]:  # type: ignore[attr-defined]
            any_miss = True
            print(f"  {row['test_id']} {miss}")
    if not any_miss:
        print("  none")
    print("\nNot reported on purpose (Bandit hits the rules judge harmless):")
    for key, text in REASONS.items():
        print(f"  [{key}] {text}")
    for row in checks:
        for item in row["deliberate"]:  # type: ignore[attr-defined]
            print(f"  {row['test_id']} {item}")
    print("\nExtras with every rule selected (ours, unexplained by a Bandit hit):")
    default_set = set(report["extras_default"])  # type: ignore[arg-type]
    for extra in report["extras_all"]:  # type: ignore[attr-defined]
        marker = "" if extra in default_set else " [opt-in only]"
        print(f"  {extra}{marker}")
    if not report["extras_all"]:
        print("  none")
    print("\nImport blacklists (folded into the call rules; not scored):")
    for test_id, items in sorted(report["imports"].items()):  # type: ignore[attr-defined]
        for item in items:
            print(f"  {test_id} {item}")
    not_reported = [r for r in checks if r["status"] in ("not-reported", "unmapped")]
    print("\nChecks deliberately not reported (not scored):")
    for row in not_reported:
        reason = NOT_REPORTED.get(str(row["test_id"]), "no rule declares this code")
        print(f"  {row['test_id']} {row['test_name']}: {row['hits']} hits — {reason}")
    if errors:
        print("\nFiles Bandit could not parse: " + "; ".join(errors))
    print(
        f"\nRecall vs Bandit, every rule: {summary['matched_all']}/{summary['scored_hits']} "  # type: ignore[index]
        f"= {_fmt(summary['recall_all'])}"  # type: ignore[index]
    )
    print(
        f"Recall vs Bandit, default selection (default-enabled checks): "
        f"{summary['matched_default']}/{summary['default_scored_hits']} = {_fmt(summary['recall_default'])}"  # type: ignore[index]
    )
    print(
        f"Of the misses: {summary['deliberate']} not reported on purpose, "  # type: ignore[index]
        f"{summary['unexplained_misses']} unexplained; recall on the hits meant to be reported: "  # type: ignore[index]
        f"{_fmt(summary['recall_intended'])}"  # type: ignore[index]
    )
    print(f"Extras: default {summary['extras_default']}, every rule {summary['extras_all']}")  # type: ignore[index]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=Path, help="a Bandit examples/ directory")
    parser.add_argument("--cache-dir", type=Path, help=f"where to look for bandit-*/examples (env {CACHE_ENV})")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    args = parser.parse_args(argv)

    caches = [args.cache_dir] if args.cache_dir else []
    if os.environ.get(CACHE_ENV):
        caches.append(Path(os.environ[CACHE_ENV]))
    caches.extend(DEFAULT_CACHES)
    examples = find_examples(args.examples, caches)
    if examples is None:
        if args.examples is not None:
            print(f"{args.examples} is not a directory.", file=sys.stderr)
        print(how_to_get(caches[0]), file=sys.stderr)
        return 2
    examples = examples.resolve()
    files = example_files(examples)
    bandit_hits, errors = run_bandit(examples, files)
    default_hits = run_ours(examples, files, Config(root=examples))
    everything = Config(root=examples).with_overrides(select=tuple(r.id for r in all_rules()))
    all_hits = run_ours(examples, files, everything)
    report = compare(examples, bandit_hits, default_hits, all_hits)
    if args.json:
        report["bandit_errors"] = errors
        print(json.dumps(report, indent=2))
    else:
        print_report(report, errors)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
