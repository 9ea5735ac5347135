"""Hover text for a finding: what, where the data came from, how to fix, how to suppress."""

from __future__ import annotations

from ..pipeline import Finding, registry


def finding_markdown(found: Finding, *, current_path: str = "") -> str:
    rule = registry.get(found.rule_id)
    title = f"**{found.rule_id}** `{rule.name}`" if rule is not None else f"**{found.rule_id}**"
    meta = [f"severity {found.severity}", f"confidence {found.confidence}"]
    if found.cwe is not None:
        meta.append(f"[CWE-{found.cwe}](https://cwe.mitre.org/data/definitions/{found.cwe}.html)")
    parts = [f"{title} · {' · '.join(meta)}", "", found.message]
    if found.flow:
        parts += ["", "**Data flow**", ""]
        for number, step in enumerate(found.flow, start=1):
            where = f"line {step.span.start_line}"
            if step.path and step.path != current_path:
                where = f"{step.path}:{step.span.start_line}"
            parts.append(f"{number}. {where}: {step.note}")
    if found.fix is not None:
        parts += ["", f"**Quick fix available:** {found.fix.title}"]
    if rule is not None:
        parts += ["", "---", "", rule.markdown()]
    else:
        parts += ["", f"Suppress with `# secreview: ignore[{found.rule_id}]` at the end of the line."]
    return "\n".join(parts)
