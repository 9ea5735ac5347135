"""Code-quality rules leave the default report; the `quality` profile turns them on."""

from __future__ import annotations

from secreview_ls.config import Config, discover
from secreview_ls.pipeline import analyze_source, selected_rules, unknown_rule_codes

QUALITY = {"SR103", "SR105", "SR106"}

TEXT = (
    "def view(request, items):\n"
    "    assert request.user.is_staff\n"
    "    assert items\n"
    "    for item in items:\n"
    "        try:\n"
    "            item.save()\n"
    "        except Exception:\n"
    "            continue\n"
    "    try:\n"
    "        items.close()\n"
    "    except Exception:\n"
    "        pass\n"
)


def _ids(config: Config) -> set[str]:
    return {f.rule_id for f in analyze_source(TEXT, "app/views.py", config).findings}


def test_default_report_has_no_quality_rules_but_keeps_access_asserts() -> None:
    assert not QUALITY & {r.id for r in selected_rules(Config())}
    assert _ids(Config()) == {"SR108"}


def test_quality_profile_adds_to_the_default_set() -> None:
    chosen = {r.id for r in selected_rules(Config(select=("QUALITY",)))}
    assert QUALITY <= chosen
    assert {"SR101", "SR108", "SR801"} <= chosen
    assert _ids(Config(select=("QUALITY",))) == {"SR108"} | QUALITY


def test_quality_profile_with_codes_adds_to_those_codes_only() -> None:
    chosen = {r.id for r in selected_rules(Config(select=("SR2", "QUALITY")))}
    assert QUALITY <= chosen
    assert "SR101" not in chosen and "SR201" in chosen


def test_ignore_wins_over_the_profile() -> None:
    chosen = {r.id for r in selected_rules(Config(select=("QUALITY",), ignore=("SR105",)))}
    assert "SR105" not in chosen and "SR103" in chosen


def test_quality_rule_by_exact_code_still_works() -> None:
    assert _ids(Config(select=("S101",))) == {"SR103"}


def test_profile_name_is_a_known_select_code(tmp_path) -> None:
    assert unknown_rule_codes(["quality", "QUALITY"]) == []
    assert unknown_rule_codes(["qualty"]) == ["qualty"]
    (tmp_path / "pyproject.toml").write_text('[tool.secreview]\nselect = ["quality"]\n', encoding="utf-8")
    config = discover(tmp_path)
    assert config.select == ("QUALITY",)
    assert QUALITY <= {r.id for r in selected_rules(config)}


def test_stdlib_xml_parsing_is_in_the_hardening_profile_only() -> None:
    text = "import xml.etree.ElementTree as ET\n\ndef load(path):\n    return ET.parse(path)\n"
    default = {f.rule_id for f in analyze_source(text, "app/load.py", Config()).findings}
    hardening = {f.rule_id for f in analyze_source(text, "app/load.py", Config(select=("HARDENING",))).findings}
    assert default == set()
    assert hardening == {"SR413"}
