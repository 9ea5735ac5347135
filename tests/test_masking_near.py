"""Credential masking of a big file reads only the lines the findings show, cut out of the file
with the long runs between them shortened, and keeps what it found there for the next analysis
showing the same lines: the masks are those of a redactor over the whole file with every other
line left blank."""

from __future__ import annotations

import copy
import random
import string

import pytest

from secreview_ls.engine.finding import Finding, FlowStep, Level, Span
from secreview_ls.engine.redaction import Redactor
from secreview_ls.pipeline import masking

_ALNUM = string.ascii_letters + string.digits


def _token(rng: random.Random, size: int, alphabet: str = _ALNUM) -> str:
    return "".join(rng.choice(alphabet) for _ in range(size))


def _secret_lines(rng: random.Random) -> list[str]:
    key_id = "AK" + "IA" + _token(rng, 16, string.ascii_uppercase + "234567")
    secret = _token(rng, 38, _ALNUM + "/+") + "a1"
    return rng.choice(
        [
            [f'KEY_ID = "{key_id}"', "", "", f'PLAIN = "{secret}"'],  # a secret key three lines below its id
            [f'KEY_ID = "{key_id}"', "", "", "", f'PLAIN = "{secret}"'],  # four: not recognised
            [f'db_password = "{_token(rng, 12)}"'],
            [f'url = "https://admin:{_token(rng, 10)}@db.example.org/x"'],
            [f'headers = {{"Authorization": "Bearer {_token(rng, 32)}"}}'],
            ["POSTGRES_USER = 'appuser'", "password = 'appuser'"],
        ]
    )


def _file(rng: random.Random, size: int) -> list[str]:
    lines: list[str] = []
    while len(lines) < size:
        if rng.random() < 0.04:
            lines.extend(_secret_lines(rng))
        else:
            lines.append(f"value_{len(lines)} = compute({rng.randint(0, 99)})")
    return lines


def _findings(rng: random.Random, lines: list[str], count: int) -> list[Finding]:
    found = []
    for _ in range(count):
        line = rng.randint(1, len(lines))
        text = lines[line - 1]
        steps = tuple(
            FlowStep(Span(other, 0, other, len(lines[other - 1])), f"reads `{lines[other - 1][:40]}`")
            for other in rng.sample(range(1, len(lines) + 1), rng.randint(0, 2))
        )
        found.append(
            Finding(
                "SR751" if "=" in text and rng.random() < 0.3 else "SR301",
                f"about `{text}`",
                Span(line, 0, line, len(text)),
                Level.HIGH,
                Level.HIGH,
                798 if rng.random() < 0.3 else 327,
                path="module.py",
                flow=steps,
                snippet=text,
            )
        )
    return found


def _sparse(findings: list[Finding], text: str, path: str, lines: list[str]) -> Redactor:
    """The redactor over the whole file with the lines the findings do not show left blank."""
    wanted = {
        number
        for found in findings
        for span in (found.span, *(step.span for step in found.flow))
        for number in range(span.start_line - 3, span.end_line + 4)
    }
    blank = [lines[n - 1] if n in wanted else "" for n in range(1, len(lines) + 1)]
    return Redactor("\n".join(blank), path, blank)


def _shown(findings: list[Finding]) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(f.snippet, f.message, tuple(step.note for step in f.flow)) for f in findings]


@pytest.mark.parametrize("seed", range(12))
def test_masks_equal_those_of_the_blanked_whole_file(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    lines = _file(rng, 2000)
    for version in range(3):
        if version == 2:  # lines inserted above everything: the same lines shown, moved
            lines = ["", "import os", *lines]
        text = "\n".join(lines)
        findings = _findings(random.Random(seed * 7 + min(version, 1)), lines, 15)
        if version == 2:
            for found in findings:  # (made for the lines before the insertion)
                found.span = Span(found.span.start_line, 0, found.span.start_line, 0)
        expected = copy.deepcopy(findings)
        with monkeypatch.context() as patched:
            patched.setattr(masking, "_redactor_near", _sparse)
            masking.mask_credentials(expected, text, "module.py", lines)
        masking.mask_credentials(findings, text, "module.py", lines)
        assert _shown(findings) == _shown(expected), f"version {version}"


def test_a_masked_range_added_for_one_analysis_stays_out_of_the_next() -> None:
    """The kept redactor is copied before a finding's range is added to it."""
    lines = [f"value_{n} = compute({n})" for n in range(300)]
    lines[150] = 'label = "plain words here"'
    text = "\n".join(lines)
    credential = Finding(
        "SR751", "a credential", Span(151, 8, 151, 26), Level.HIGH, Level.HIGH, 798, snippet=lines[150]
    )
    other = Finding("SR301", "weak hash", Span(151, 0, 151, 26), Level.HIGH, Level.HIGH, 327, snippet=lines[150])
    masking.mask_credentials([credential], text, "module.py", lines)
    assert "plain words" not in credential.snippet
    masking.mask_credentials([other], text, "module.py", lines)
    assert other.snippet == lines[150]


def test_lines_far_apart_in_the_file_stay_far_apart_for_the_redactor(monkeypatch: pytest.MonkeyPatch) -> None:
    """An AWS secret key counts within three lines of a key id: a key id and a 40-character
    value four lines below, around lines findings show with the lines between them not shown,
    stay apart as in the whole file (the value is no credential, and a message quoting it is
    left as it is)."""
    rng = random.Random(5)
    lines = [f"value_{n} = compute({n})" for n in range(400)]
    key_id = "AK" + "IA" + _token(rng, 16, string.ascii_uppercase + "234567")
    value = _token(rng, 38, _ALNUM + "/+") + "a1"
    lines[199] = f'KEY_ID = "{key_id}"'  # line 200
    lines[203] = f'PLAIN = "{value}"'  # line 204
    text = "\n".join(lines)

    def shown(line: int, message: str) -> Finding:
        return Finding("SR301", message, Span(line, 0, line, 5), Level.HIGH, Level.HIGH, 327, snippet=lines[line - 1])

    findings = [shown(197, "weak hash"), shown(207, f"weak hash of `{value}`")]  # lines 194-200 and 204-210
    expected = copy.deepcopy(findings)
    with monkeypatch.context() as patched:
        patched.setattr(masking, "_redactor_near", _sparse)
        masking.mask_credentials(expected, text, "module.py", lines)
    masking.mask_credentials(findings, text, "module.py", lines)
    assert _shown(findings) == _shown(expected)
    assert value in findings[1].message
