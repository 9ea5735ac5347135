"""The steps after the rules ran, shared by every analysis: taint preference, test-code
context, thresholds, suppressions, dedupe, credential masking, fingerprints."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from ..config import Config
from ..engine.evidence import ClearedSink, Evidence, UnreachedCode
from ..engine.facts import ModuleFacts
from ..engine.finding import Finding, Span
from ..engine.suppressions import Suppression
from ..rules.base import Rule
from .fingerprints import assign_fingerprints
from .masking import mask_credentials
from .result import AnalysisResult
from .suppressing import apply_suppressions


def finish_findings(
    result: AnalysisResult,
    raw: list[tuple[Rule, Finding]],
    config: Config,
    text: str,
    lines: list[str],
    suppressions: list[Suppression],
    facts_for: Callable[[list[Finding]], ModuleFacts | None],
) -> None:
    """Turn the rules' raw findings into ``result``'s findings, suppressed findings and notices.

    ``facts_for(findings)`` gives the module facts covering those findings (statement
    extents and enclosing definitions), or None for files that are not Python."""
    raw = _drop_unreached(_drop_cleared(_prefer_taint(raw), result.evidence), result.evidence)
    kept = _apply_context(raw, config, result.is_test)
    if config.rule_severity:
        kept = [_with_rule_severity(f, config) for f in kept]
    kept = [f for f in kept if f.severity >= config.severity and f.confidence >= config.confidence]
    facts = facts_for(kept) if suppressions else None
    kept, suppressed, notices = apply_suppressions(kept, suppressions, facts, config, result.path)
    result.notices.extend(notices)
    result.findings = _dedupe(kept)
    result.suppressed = sorted(suppressed, key=Finding.sort_key)
    everything = [*result.findings, *result.suppressed]
    mask_credentials(everything, text, result.path, lines)
    assign_fingerprints(everything, facts_for(everything))


def _with_rule_severity(finding: Finding, config: Config) -> Finding:
    """The finding at the severity ``[tool.secreview.rule-severity]`` sets for its rule."""
    level = config.rule_severity.get(finding.rule_id)
    return finding if level is None or level == finding.severity else dataclasses.replace(finding, severity=level)


def _prefer_taint(raw: list[tuple[Rule, Finding]]) -> list[tuple[Rule, Finding]]:
    """Where a taint rule reports a sink, drop pattern findings of the same CWE on it, or on
    a line its path goes through (the query built on one line and run on the next): the
    taint finding says the same thing and names the source."""
    tainted = [f for r, f in raw if r.taint]
    if not tainted:
        return raw
    kept: list[tuple[Rule, Finding]] = []
    for current, found in raw:
        if not current.taint:
            same = [t for t in tainted if t.cwe == found.cwe]
            covering = [t for t in same if _overlaps(t.span, found.span)]
            if covering:
                # The pattern rule's safe rewrite still applies to the tainted sink.
                for taint_finding in covering:
                    if taint_finding.fix is None and found.fix is not None:
                        taint_finding.fix = found.fix
                continue
            if any(_on_path(t, found) for t in same):
                continue
        kept.append((current, found))
    return kept


def _on_path(tainted: Finding, found: Finding) -> bool:
    """Whether ``found`` starts on a line of ``tainted``'s path, in the same file."""
    line = found.span.start_line
    return any(
        step.path in (None, found.path) and step.span.start_line <= line <= step.span.end_line for step in tainted.flow
    )


def _drop_cleared(raw: list[tuple[Rule, Finding]], evidence: Evidence) -> list[tuple[Rule, Finding]]:
    """Drop pattern findings on a sink the taint analysis cleared: every value its argument is
    built from is a constant or was cleaned for that class (an allowlist check, say). A pattern
    rule may place its finding on the call or on the argument it judges: both start on the call."""
    cleared: dict[int, list[ClearedSink]] = {}
    for sink in evidence.of(ClearedSink):
        cleared.setdefault(sink.cwe, []).append(sink)
    if not cleared:
        return raw
    return _without_pattern_findings(
        raw,
        lambda found: any(
            sink.covers(found.span.start_line, found.span.start_col) for sink in cleared.get(found.cwe, ())
        ),
    )


def _drop_unreached(raw: list[tuple[Rule, Finding]], evidence: Evidence) -> list[tuple[Rule, Finding]]:
    """Drop pattern findings of injection weaknesses in code that never runs (a branch a constant
    test skips, ``if False:``): no input reaches it. Other findings there (a credential written in
    the source) stay: the text is in the file whether it runs or not."""
    unreached = evidence.of(UnreachedCode)
    if not unreached:
        return raw
    return _without_pattern_findings(
        raw,
        lambda found: any(
            dead.line <= found.span.start_line <= dead.end_line and found.cwe in dead.cwes for dead in unreached
        ),
    )


def _without_pattern_findings(
    raw: list[tuple[Rule, Finding]], dropped: Callable[[Finding], bool]
) -> list[tuple[Rule, Finding]]:
    """``raw`` without the pattern rules' findings ``dropped`` answers true for (taint findings stay)."""
    return [(current, found) for current, found in raw if current.taint or not dropped(found)]


def _overlaps(a: Span, b: Span) -> bool:
    return (a.start_line, a.start_col) < (b.end_line, b.end_col) and (b.start_line, b.start_col) < (
        a.end_line,
        a.end_col,
    )


def _apply_context(raw: list[tuple[Rule, Finding]], config: Config, is_test: bool) -> list[Finding]:
    if not is_test or config.test_code == "strict":
        return [f for _, f in raw]
    # A data flow from a local source (argv, environment, stdin) in test code starts at the
    # arguments the operator of the test or developer script gave it: nobody else's input.
    return [f for r, f in raw if r.relevant_in_tests and not (r.taint and (f.extra or {}).get("local_source"))]


def reported_rules(rules: Sequence[Rule], config: Config, is_test: bool) -> list[Rule]:
    """``rules`` without those ``_apply_context`` drops every finding of in this file that can
    change no finding kept: for an analysis whose evidence nobody reads (a check, not a review),
    which need not run them. A rule whose fix a taint finding of its weakness class takes over
    (``_prefer_taint``) still runs; so do the taint rules (one shared analysis)."""
    if not is_test or config.test_code == "strict":
        return list(rules)
    fixed_classes = {r.cwe for r in rules if r.taint and r.relevant_in_tests}
    return [r for r in rules if r.relevant_in_tests or r.taint or (r.fix_safety is not None and r.cwe in fixed_classes)]


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, Span]] = set()
    unique: list[Finding] = []
    for found in sorted(findings, key=Finding.sort_key):
        key = (found.rule_id, found.span)
        if key in seen:
            continue
        seen.add(key)
        unique.append(found)
    return unique
