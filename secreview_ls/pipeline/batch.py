"""Whole-file analysis: one file's text (or a file on disk) → findings and notices.

The faces (CLI, language server, reports) call ``analyze_source``, ``analyze_path``,
``analyze_text_file`` or ``analyze_file``; none of them runs rules directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..config import Config
from ..engine.evidence import Evidence
from ..engine.facts import ModuleFacts
from ..engine.finding import Finding
from ..engine.source import SourceFile, split_lines
from ..engine.suppressions import parse_suppressions
from ..engine.taint import ProjectIndex, TaintMemo
from ..rules.base import FileCache, Rule, RuleContext, TextContext
from ..rules.taint_tables import spec_for
from .finishing import finish_findings, reported_rules
from .reading import is_python_path, module_name_for, read_source, refusal, without_surrogates
from .result import AnalysisResult
from .running import Deadline, RuleRun, budget_seconds, dispatch, run_rules
from .selection import selected_rules


@dataclass
class Handover:
    """What a whole-file analysis found before its last steps, for an incremental analyzer to
    start from: each rule's findings (copies: finishing sets their messages and snippets) and
    the evidence each rule wrote, and whether every rule ran to its end."""

    findings: dict[str, list[Finding]] = field(default_factory=dict)
    evidence: dict[str, Evidence] = field(default_factory=dict)
    completed: bool = False


def analyze_source(
    text: str,
    path: str = "<unknown>",
    config: Config | None = None,
    *,
    rules: Sequence[Rule] | None = None,
    project: ProjectIndex | None = None,
    taint_memo: TaintMemo | None = None,
    evidence: bool = True,
    handover: Handover | None = None,
) -> AnalysisResult:
    """Analyze one file's text. Pure: reads nothing, writes nothing, never raises for bad code.

    ``rules``: the rules to run (default: those ``config`` selects for ``path``);
    ``project``: a cross-file index, so that taint flows through the functions this file imports;
    ``taint_memo``: the taint analysis of an earlier version of the same document, to reuse;
    ``evidence``: keep what the rules examined (a review reads it); without it, the rules whose
    findings the test-code context would drop all of are not run (``reported_rules``);
    ``handover``: filled with each rule's raw findings and evidence (see ``Handover``).
    """
    config = config or Config()
    result = AnalysisResult(path=path)
    refused = refusal(text, path, config)
    if refused is not None:
        result.notices.append(refused)
        return result
    text, replaced = without_surrogates(text, path)
    if replaced is not None:
        result.notices.append(replaced)

    module_name = module_name_for(path, config.root) if path != "<unknown>" else ""
    # A file the cross-module index parsed for another one's imports is not parsed again.
    facts = project.facts_of(path, text, module_name) if project is not None else None
    if facts is None:
        facts = ModuleFacts(SourceFile(text, path), module_name)
    source = facts.source
    result.notices.extend(source.notices)
    result.facts = facts
    is_test = config.is_test_path(path) if path not in ("", "<unknown>") else False
    result.is_test = is_test
    selected = list(rules) if rules is not None else selected_rules(config, path)
    result.rules_run = tuple(r.id for r in selected)
    running = selected if evidence else reported_rules(selected, config, is_test)
    cache = FileCache()
    ctx = RuleContext(
        source, facts, is_test, project=project, taint_spec=spec_for(config), taint_memo=taint_memo, cache=cache
    )
    text_ctx = TextContext(path, text, source.lines, is_test, cache, ctx.evidence)

    written: list[tuple[str, Evidence]] = []  # with a handover: each rule's evidence, in order
    if handover is None:
        produce = lambda current: dispatch(current, ctx, text_ctx)  # noqa: E731
    else:
        produce = _handing_over(handover, written, ctx, text_ctx)
    run = run_rules(running, produce, path=path, deadline=Deadline(budget_seconds(config.timeout, len(text))))
    result.notices.extend(run.notices)
    if handover is not None:
        _hand_over(handover, run, written)
        merged = Evidence()
        for _, records in written:
            merged.extend(records)
        ctx.evidence = text_ctx.evidence = merged  # the records one Evidence would hold, in its order
    result.evidence = ctx.evidence
    finish_findings(result, run.raw, config, text, source.lines, parse_suppressions(text), lambda _: facts)
    if not evidence:
        result.evidence = Evidence()
    return result


def _handing_over(
    handover: Handover, written: list[tuple[str, Evidence]], ctx: RuleContext, text_ctx: TextContext
) -> Any:
    """``dispatch`` with an evidence of its own for each rule, as the incremental analyzer's
    runs on a chunk have it (a record two rules write is each one's); what a rule wrote by the
    time the next one starts is its evidence in ``handover`` (as a chunk's run keeps it)."""

    def produce(current: Rule) -> Iterable[Finding]:
        if written:
            rule_id, records = written[-1]
            handover.evidence[rule_id] = Evidence(records)
        records = Evidence()
        written.append((current.id, records))
        ctx.evidence = text_ctx.evidence = records
        return dispatch(current, ctx, text_ctx)

    return produce


def _hand_over(handover: Handover, run: RuleRun, written: list[tuple[str, Evidence]]) -> None:
    handover.completed = run.completed and not run.notices  # no rule stopped by the budget, failed or recursed
    if written:
        rule_id, records = written[-1]
        handover.evidence[rule_id] = Evidence(records)
    for current, found in run.raw:
        handover.findings.setdefault(current.id, []).append(replace(found, extra=dict(found.extra)))


def analyze_text_file(
    text: str,
    path: str,
    config: Config | None = None,
    *,
    more: Sequence[tuple[Rule, Finding]] = (),
    evidence: bool = True,
) -> AnalysisResult:
    """Run the text rules (key formats, credentials in config files, ...) on a non-Python file;
    ``more``: findings of this file found otherwise (a template's, by its views), finished with
    the rules' (suppressions, thresholds, fingerprints); ``evidence`` as for ``analyze_source``."""
    config = config or Config()
    result = AnalysisResult(path=path)
    refused = refusal(text, path, config)
    if refused is not None:
        result.notices.append(refused)
        return result
    is_test = config.is_test_path(path)
    result.is_test = is_test
    selected = [r for r in selected_rules(config, path) if r.kind == "text"]
    result.rules_run = tuple(r.id for r in selected)
    ctx = TextContext(path, text, split_lines(text), is_test)
    running = selected if evidence else reported_rules(selected, config, is_test)
    run = run_rules(
        running,
        lambda current: dispatch(current, None, ctx),
        path=path,
        deadline=Deadline(budget_seconds(config.timeout, len(text))),
    )
    result.notices.extend(run.notices)
    result.evidence = ctx.evidence
    suppressions = [s for s in parse_suppressions(text) if s.kind != "noqa"]
    finish_findings(result, [*run.raw, *more], config, text, ctx.lines, suppressions, lambda _: None)
    if not evidence:
        result.evidence = Evidence()
    return result


def read_or_refuse(path: Path, config: Config) -> tuple[str | None, AnalysisResult | None]:
    """The file's text, or the result that says why it was not read."""
    read = read_source(path, config)
    if read.text is not None:
        return read.text, None
    result = AnalysisResult(path=str(path))
    if read.notice is not None:
        result.notices.append(read.notice)
    return None, result


def analyze_path(
    path: Path, config: Config, *, project: ProjectIndex | None = None, evidence: bool = True
) -> AnalysisResult:
    """Read and analyze one Python file from disk (``evidence``: see ``analyze_source``)."""
    text, unread = read_or_refuse(path, config)
    if text is None:
        return unread  # type: ignore[return-value]
    return analyze_source(text, str(path), config, project=project, evidence=evidence)


def analyze_file(
    path: Path, config: Config, *, project: ProjectIndex | None = None, evidence: bool = True
) -> AnalysisResult:
    """Read and analyze any file: Python gets every rule, other text files the text rules
    (``evidence``: see ``analyze_source``)."""
    if is_python_path(path):
        return analyze_path(path, config, project=project, evidence=evidence)
    text, unread = read_or_refuse(path, config)
    if text is None:
        return unread  # type: ignore[return-value]
    return analyze_text_file(text, str(path), config, evidence=evidence)
