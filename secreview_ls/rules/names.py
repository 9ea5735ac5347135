"""Each rule's name, CWE and fix safety by its id: what a report prints for a finding, known
without loading the rule catalogue (every rule module) when no file was analyzed.

``tests/test_registry.py`` checks the table against the catalogue (``python -m
secreview_ls.rules.names --write`` writes it afresh); an id missing here is looked up in the
catalogue.
"""

from __future__ import annotations

from typing import NamedTuple

CWE_URL = "https://cwe.mitre.org/data/definitions/{}.html"
NO_CWE = 710  # the weakness of a rule without a CWE of its own (``Rule.docs_url``)

TABLE: dict[str, tuple[str, int | None, str | None]] = {
    "SR101": ("exec-used", 94, None),
    "SR102": ("eval-used", 94, None),
    "SR103": ("assert-used", 703, None),
    "SR104": ("bind-all-interfaces", 605, None),
    "SR105": ("try-except-pass", 703, None),
    "SR106": ("try-except-continue", 703, None),
    "SR107": ("logging-config-listen", 94, None),
    "SR108": ("assert-guards-access", 617, None),
    "SR109": ("code-from-caller", 94, None),
    "SR110": ("regex-exponential-backtracking", 1333, None),
    "SR201": ("subprocess-shell-true", 78, None),
    "SR202": ("shell-true-other-call", 78, None),
    "SR203": ("shell-command", 78, None),
    "SR204": ("partial-executable-path", 426, None),
    "SR205": ("wildcard-injection", 155, None),
    "SR206": ("paramiko-exec-command", 78, None),
    "SR207": ("shell-command-from-caller", 78, None),
    "SR208": ("shell-without-injection", 78, "unsafe"),
    "SR210": ("sql-string-building", 89, None),
    "SR211": ("django-extra", 89, None),
    "SR212": ("django-raw-sql", 89, None),
    "SR213": ("sql-names-from-caller", 89, None),
    "SR301": ("weak-hash", 328, "unsafe"),
    "SR302": ("weak-cipher", 327, None),
    "SR303": ("ecb-mode", 327, None),
    "SR304": ("insecure-random", 330, None),
    "SR305": ("weak-key-size", 326, None),
    "SR306": ("tls-insecure-protocol", 327, None),
    "SR307": ("tls-insecure-default", 327, None),
    "SR308": ("ssl-wrap-socket-no-version", 327, None),
    "SR309": ("tls-unverified-context", 295, None),
    "SR310": ("jwt-signature-not-verified", 347, None),
    "SR311": ("static-iv", 329, None),
    "SR312": ("static-salt", 760, None),
    "SR313": ("fast-password-hash", 916, None),
    "SR314": ("mac-compared-with-equals", 208, "unsafe"),
    "SR401": ("yaml-unsafe-load", 502, "unsafe"),
    "SR402": ("pickle-load", 502, None),
    "SR403": ("marshal-load", 502, None),
    "SR410": ("xml-unsafe-parse", 611, None),
    "SR411": ("xml-external-entities-enabled", 611, None),
    "SR412": ("xmlrpc-dotted-names", 749, None),
    "SR413": ("xml-stdlib-parse", 776, None),
    "SR501": ("tls-verify-disabled", 295, "unsafe"),
    "SR502": ("request-without-timeout", 400, None),
    "SR503": ("telnet-used", 319, None),
    "SR504": ("ftp-used", 319, None),
    "SR505": ("urlopen-any-scheme", 918, None),
    "SR506": ("ssh-no-host-key-verification", 295, None),
    "SR507": ("snmp-insecure-version", 319, None),
    "SR508": ("snmp-no-encryption", 319, None),
    "SR509": ("ipmi-used", 319, None),
    "SR510": ("huggingface-unpinned-download", 494, None),
    "SR511": ("url-from-caller", 918, None),
    "SR601": ("flask-debug", 489, "safe"),
    "SR602": ("jinja2-autoescape-off", 79, "unsafe"),
    "SR603": ("mako-templates", 79, None),
    "SR604": ("django-mark-safe", 79, None),
    "SR605": ("markup-unescaped", 79, None),
    "SR606": ("cookie-insecure-flags", 614, "unsafe"),
    "SR607": ("django-mark-safe-unknown-value", 79, None),
    "SR608": ("cors-any-origin-with-credentials", 942, None),
    "SR701": ("world-writable-permissions", 732, None),
    "SR702": ("hardcoded-temp-path", 377, None),
    "SR703": ("mktemp-used", 377, "unsafe"),
    "SR704": ("tarfile-unsafe-extract", 22, None),
    "SR751": ("hardcoded-password-string", 798, None),
    "SR752": ("hardcoded-password-argument", 798, None),
    "SR753": ("hardcoded-password-default", 798, None),
    "SR754": ("credential-logged", 532, None),
    "SR760": ("aws-access-key-id", 798, None),
    "SR761": ("aws-secret-access-key", 798, None),
    "SR762": ("github-token", 798, None),
    "SR763": ("gitlab-token", 798, None),
    "SR764": ("slack-token", 798, None),
    "SR765": ("slack-webhook", 798, None),
    "SR766": ("stripe-live-key", 798, None),
    "SR767": ("google-api-key", 798, None),
    "SR768": ("private-key", 798, None),
    "SR769": ("jwt", 798, None),
    "SR770": ("pypi-token", 798, None),
    "SR771": ("npm-token", 798, None),
    "SR772": ("openai-key", 798, None),
    "SR773": ("anthropic-key", 798, None),
    "SR774": ("sendgrid-key", 798, None),
    "SR780": ("password-in-config", 798, None),
    "SR781": ("token-in-config", 798, None),
    "SR782": ("credentials-in-url", 798, None),
    "SR801": ("sql-injection", 89, None),
    "SR802": ("command-injection", 78, None),
    "SR803": ("code-injection", 94, None),
    "SR804": ("path-traversal", 22, None),
    "SR805": ("server-side-request-forgery", 918, None),
    "SR806": ("cross-site-scripting", 79, None),
    "SR807": ("open-redirect", 601, None),
    "SR808": ("ldap-injection", 90, None),
    "SR809": ("xpath-injection", 643, None),
    "SR810": ("untrusted-deserialization", 502, None),
    "SR811": ("xml-external-entities", 611, None),
    "SR812": ("http-header-injection", 113, None),
    "SR813": ("log-injection", 117, None),
    "SR814": ("trust-boundary-violation", 501, None),
    "SR815": ("regex-injection", 1333, None),
    "SR816": ("file-existence-probe", 22, None),
    "SR817": ("nosql-injection", 943, None),
    "SR818": ("template-injection", 1336, None),
    "SR819": ("argument-injection", 88, None),
    "SR820": ("import-from-input", 470, None),
    "SR821": ("format-string-injection", 134, None),
    "SR822": ("stack-trace-exposure", 209, None),
    "SR901": ("bidi-control-character", 838, None),
    "SR902": ("suppression-without-reason", 710, None),
}


class Label(NamedTuple):
    """What a report prints of a rule beside its findings."""

    name: str
    docs_url: str
    fix_safety: str | None


def rule_label(rule_id: str) -> Label | None:
    """The label of a rule by its id (the catalogue's ``registry.get`` for an id not in the
    table, such as a Bandit or Ruff code); None for no rule."""
    row = TABLE.get(rule_id.upper())
    if row is not None:
        return Label(row[0], docs_url(row[1]), row[2])
    from . import registry

    rule = registry.get(rule_id)
    return None if rule is None else Label(rule.name, rule.docs_url, rule.fix_safety)


def docs_url(cwe: int | None) -> str:
    """``Rule.docs_url`` of a rule with this CWE."""
    return CWE_URL.format(cwe if cwe is not None else NO_CWE)


def table_text() -> str:
    """The table's rows as this module writes them, from the catalogue."""
    from . import registry

    def text(value: object) -> str:
        return f'"{value}"' if isinstance(value, str) else repr(value)  # as the formatter quotes them

    rows = (f"    {text(r.id)}: ({text(r.name)}, {r.cwe!r}, {text(r.fix_safety)})," for r in registry.all_rules())
    return "\n".join(rows)


def write_table() -> None:
    """Rewrite this module's table from the catalogue (after a rule is added or renamed)."""
    from pathlib import Path

    module = Path(__file__)
    text = module.read_text(encoding="utf-8")
    head, _, rest = text.partition(_TABLE_OPENING)
    _, _, tail = rest.partition("\n}\n")
    module.write_text(f"{head}{_TABLE_OPENING}{table_text()}\n}}\n{tail}", encoding="utf-8")


_TABLE_OPENING = "TABLE: dict[str, tuple[str, int | None, str | None]] = {\n"

if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["--write"]:
        write_table()
    else:
        print(table_text())
