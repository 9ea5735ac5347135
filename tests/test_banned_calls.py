"""Banned-call rules: one table, one check, the same findings as one function per rule."""

from __future__ import annotations

import pytest

from secreview_ls.engine.finding import Finding
from secreview_ls.pipeline import analyze_source
from secreview_ls.rules import registry
from secreview_ls.rules.banned_calls import BANNED_CALLS, BannedCall

ROWS = {row.id: row for row in BANNED_CALLS}


def _example_name(api: str) -> str:
    """A qualified name the API entry matches (a pattern's ``*`` filled in)."""
    return api.replace("*", "ipmi.command")


def _call_source(qualified: str) -> str:
    module, _, attr = qualified.rpartition(".")
    return f"import {module}\n\nresult = {module}.{attr}(value)\n"


def _findings(text: str, rule_id: str) -> list[Finding]:
    return [f for f in analyze_source(text, "app.py").findings if f.rule_id == rule_id]


CASES = [(row, api) for row in BANNED_CALLS for api in row.apis]


@pytest.mark.parametrize(("row", "api"), CASES, ids=[f"{row.id}-{api}" for row, api in CASES])
def test_every_listed_api_is_reported_with_the_rows_message(row: BannedCall, api: str) -> None:
    qualified = _example_name(api)
    found = _findings(_call_source(qualified), row.id)
    assert len(found) == 1
    assert found[0].message == row.message.format(call=qualified, detail=row.details.get(api, ""))
    assert (found[0].span.start_line, found[0].span.start_col) == (3, 9)
    assert found[0].cwe == row.cwe


@pytest.mark.parametrize("row", BANNED_CALLS, ids=lambda row: row.id)
def test_each_row_is_registered_under_its_family(row: BannedCall) -> None:
    registered = registry.get(row.id)
    assert registered is not None
    assert (registered.name, registered.family, registered.cwe) == (row.name, row.family, row.cwe)
    assert (registered.bandit, registered.ruff) == (row.bandit, row.ruff)
    assert registered.fixable == (row.fix is not None)
    assert registered.summary == row.summary and registered.why == row.why


def test_resolved_names_are_matched_not_spellings() -> None:
    text = "from ftplib import FTP as Plain\nimport ftplib\n\nPlain(host)\nftplib.FTP_TLS(host)\n"
    found = _findings(text, "SR504")
    assert [(f.span.start_line, f.message.split("`")[1]) for f in found] == [(4, "Plain")]


def test_a_pattern_matches_only_names_with_both_ends() -> None:
    text = (
        "import pyghmi.ipmi.command\nimport pyghmi.ipmi.console\nimport other.ipmi\n\n"
        "pyghmi.ipmi.command.Command(bmc=host)\n"
        "pyghmi.ipmi.console.Console(bmc=host)\n"
        "pyghmi.ipmi.command.CommandLine(bmc=host)\n"
        "other.ipmi.Command(bmc=host)\n"
    )
    assert [f.span.start_line for f in _findings(text, "SR509")] == [5, 6]


def test_the_detail_column_names_the_cipher() -> None:
    text = "from Crypto.Cipher import DES3, ARC4\n\nDES3.new(key, DES3.MODE_CBC, iv)\nARC4.new(key)\n"
    messages = [f.message for f in _findings(text, "SR302")]
    assert messages[0].startswith("`DES3.new` uses Triple DES, which is broken or obsolete")
    assert messages[1].startswith("`ARC4.new` uses RC4, which is broken or obsolete")


def test_the_fix_column_rewrites_mktemp_and_only_mktemp() -> None:
    text = "import os\nimport tempfile\n\npath = tempfile.mktemp(suffix='.txt')\nname = os.tempnam()\n"
    found = _findings(text, "SR703")
    assert [f.span.start_line for f in found] == [4, 5]
    fix = found[0].fix
    assert fix is not None
    assert [edit.new_text for edit in fix.edits] == ["fd, path", "tempfile.mkstemp", "\nos.close(fd)"]
    assert found[1].fix is None
