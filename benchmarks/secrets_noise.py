"""False-alarm check for the secret rules: run them over large trees nobody would
expect to hold live credentials (the installed site-packages and the standard
library) and print every hit, masked, with a per-rule count and timings.

    python benchmarks/secrets_noise.py                 # the default trees
    python benchmarks/secrets_noise.py PATH... [--include-tests] [--timing FILE]

Each hit is printed as ``path:line  RULE  confidence  message``; the message
already holds the masked value (public prefix + last two characters), never the
secret. Test code is analyzed like ``secreview`` does it (``test-code =
"relaxed"``): the generic rules are not reported there and provider formats come
with LOW confidence. ``--include-tests`` switches to ``strict``.

``--timing FILE`` times the secret rules alone on the first 2,000 lines of FILE
(what one keystroke costs in the editor); ``--detect-secrets N`` runs Yelp's
detect-secrets (when installed) on the first N files of the tree for comparison.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

from secreview_ls.config import Config
from secreview_ls.engine.source import split_lines
from secreview_ls.pipeline import analyze_text_file, read_source
from secreview_ls.rules.base import TextContext
from secreview_ls.rules.registry import all_rules

DEFAULT_TREES = (
    Path(sys.prefix) / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages",
    Path(os.__file__).parent,
)
SKIP_DIRS = frozenset({"__pycache__", ".git"})
SKIP_SUFFIXES = frozenset({".pyc", ".so", ".png", ".jpg", ".gif", ".ico", ".whl", ".gz", ".zip", ".exe", ".dll"})


def secret_rules() -> list[str]:
    return [r.id for r in all_rules() if r.family == "provider_secrets"]


def iter_files(root: Path) -> list[Path]:
    found: list[Path] = []
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(files):
            path = Path(directory) / name
            if path.suffix.lower() not in SKIP_SUFFIXES and not path.is_symlink():
                found.append(path)
    return found


def scan_tree(root: Path, strict: bool) -> tuple[list[str], Counter[str], int, int, float]:
    config = Config(root=root, select=tuple(secret_rules()), test_code="strict" if strict else "relaxed")
    lines: list[str] = []
    counts: Counter[str] = Counter()
    files = 0
    size = 0
    started = time.perf_counter()
    for path in iter_files(root):
        read = read_source(path, config)
        if read.text is None:
            continue
        files += 1
        size += len(read.text)
        result = analyze_text_file(read.text, str(path), config)
        for finding in result.findings:
            counts[finding.rule_id] += 1
            rel = path.relative_to(root).as_posix()
            lines.append(
                f"{rel}:{finding.span.start_line}  {finding.rule_id}  {finding.confidence}  {finding.message}"
                f"\n      {finding.snippet[:160]}"
            )
    return lines, counts, files, size, time.perf_counter() - started


def time_keystroke(path: Path, repeat: int = 30) -> float:
    """Best time (ms) for the secret rules on the first 2,000 lines of ``path``."""
    text = "\n".join(path.read_text(encoding="utf-8").splitlines()[:2000]) + "\n"
    rules = [r for r in all_rules() if r.family == "provider_secrets"]
    lines = split_lines(text)
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        ctx = TextContext(str(path), text, lines)
        for current in rules:
            list(current.check(ctx))  # type: ignore[arg-type]
        best = min(best, time.perf_counter() - started)
    return best * 1000


def time_detect_secrets(path: Path, repeat: int = 3) -> float | None:
    """Best time (ms) for detect-secrets' default plugins and filters on the same 2,000 lines."""
    try:
        from detect_secrets.core import scan as ds_scan
        from detect_secrets.settings import default_settings
    except ImportError:
        return None
    import tempfile

    text = "\n".join(path.read_text(encoding="utf-8").splitlines()[:2000]) + "\n"
    with tempfile.NamedTemporaryFile("w", suffix=path.suffix, delete=False, encoding="utf-8") as handle:
        handle.write(text)
    best = float("inf")
    try:
        with default_settings():
            for _ in range(repeat):
                started = time.perf_counter()
                list(ds_scan.scan_file(handle.name))
                best = min(best, time.perf_counter() - started)
    finally:
        os.unlink(handle.name)
    return best * 1000


def detect_secrets_count(root: Path, limit: int) -> None:
    try:
        from detect_secrets.core import scan as ds_scan
        from detect_secrets.settings import default_settings
    except ImportError:
        print("detect-secrets is not installed")
        return
    files = [p for p in iter_files(root) if p.stat().st_size < 3_000_000][:limit]
    started = time.perf_counter()
    hits: Counter[str] = Counter()
    with default_settings():
        for path in files:
            for secret in ds_scan.scan_file(str(path)):
                hits[secret.type] += 1
    elapsed = time.perf_counter() - started
    print(f"detect-secrets on {len(files)} files of {root}: {sum(hits.values())} hits in {elapsed:.1f} s")
    for kind, count in hits.most_common():
        print(f"  {count:6d}  {kind}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--include-tests", action="store_true", help="analyze test code strictly")
    parser.add_argument("--timing", type=Path, help="time one keystroke on the first 2,000 lines of this file")
    parser.add_argument("--detect-secrets", type=int, metavar="N", help="compare with detect-secrets on N files")
    args = parser.parse_args(argv)
    trees = args.paths or [p for p in DEFAULT_TREES if p.is_dir()]
    total: Counter[str] = Counter()
    for root in trees:
        lines, counts, files, size, elapsed = scan_tree(root.resolve(), args.include_tests)
        print(f"== {root}: {files:,} text files, {size / 1e6:.1f} MB, {elapsed:.1f} s, {sum(counts.values())} hits")
        for line in lines:
            print(line)
        total.update(counts)
        if args.detect_secrets:
            detect_secrets_count(root, args.detect_secrets)
    print("== hits per rule")
    for rule_id in secret_rules():
        print(f"  {rule_id}  {total[rule_id]}")
    print(f"  total  {sum(total.values())}")
    if args.timing:
        print(f"== one keystroke, secret rules on 2,000 lines of {args.timing}: {time_keystroke(args.timing):.2f} ms")
        other = time_detect_secrets(args.timing)
        if other is not None:
            print(f"   detect-secrets (default plugins and filters) on the same lines: {other:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
