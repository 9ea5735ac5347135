"""Secrets in any text file: provider formats, generic assignments, placeholders, masking.

Every credential here is generated at run time from a seeded generator, so the
repository itself holds no string that looks like a live key.
"""

from __future__ import annotations

import base64
import json
import random
import re
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secreview_ls.config import Config
from secreview_ls.engine import redaction
from secreview_ls.engine import secret_formats as sf
from secreview_ls.engine import secret_values as sv
from secreview_ls.engine import secrets_detect as sd
from secreview_ls.engine.source import split_lines
from secreview_ls.pipeline import analyze_source, analyze_text_file

ALNUM = string.ascii_letters + string.digits
RNG = random.Random(20240611)


def rnd(length: int, alphabet: str = ALNUM) -> str:
    return "".join(RNG.choice(alphabet) for _ in range(length))


def b64json(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def make_jwt(exp: int | None = 4102444800, alg: str = "HS256") -> str:
    claims: dict[str, object] = {"sub": "42"}
    if exp is not None:
        claims["exp"] = exp
    return f"{b64json({'alg': alg, 'typ': 'JWT'})}.{b64json(claims)}.{rnd(43, ALNUM + '-_')}"


AWS_ID = "AK" + "IA" + rnd(16, string.ascii_uppercase + "234567")
AWS_SECRET = rnd(38, ALNUM + "/+") + "a1"
TOKENS = {
    "SR762": "gh" + "p_" + rnd(36),
    "SR763": "glp" + "at-" + rnd(20),
    "SR764": "xo" + "xb-" + rnd(11, string.digits) + "-" + rnd(12, string.digits) + "-" + rnd(24),
    "SR765": "https://hooks.slack.com/services/T"
    + rnd(8, string.ascii_uppercase + string.digits)
    + "/B"
    + rnd(8, string.ascii_uppercase + string.digits)
    + "/"
    + rnd(24),
    "SR766": "sk" + "_live_" + rnd(24),
    "SR767": "AI" + "za" + rnd(35, ALNUM + "-_"),
    "SR769": make_jwt(),
    "SR770": "py" + "pi-AgEIcHlwaS5vcmc" + rnd(60, ALNUM + "-_"),
    "SR771": "np" + "m_" + rnd(36),
    "SR772": "sk" + "-proj-" + rnd(20) + "T3Blbk" + "FJ" + rnd(20),
    "SR773": "sk" + "-ant-api03-" + rnd(93, ALNUM + "-_"),
    "SR774": "S" + "G." + rnd(22) + "." + rnd(43),
}
# The public part of each format (its fixed prefix), which messages may show.
PUBLIC_PREFIX = {"SR765": "https://hooks.slack.com/", "SR770": "pypi-AgEIcHlwaS5vcmc", "SR773": "sk-ant-api03-"}

PRIVATE_KEY = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    + "\n".join(rnd(64, ALNUM + "+/") for _ in range(6))
    + "\n-----END RSA PRIVATE KEY-----\n"
)

SECRET_RULES = tuple(f"SR{n}" for n in [*range(760, 775), 780, 781, 782])


def text_findings(text: str, path: str = "deploy/settings.env", **config: object) -> list:
    return analyze_text_file(text, path, Config(**config)).findings  # type: ignore[arg-type]


def ids(findings: list) -> list[str]:
    return [f.rule_id for f in findings]


def assert_never_leaks(findings: list, *secrets: str) -> None:
    """No finding carries a secret in full, nor any 12-character piece of it."""
    dumped = json.dumps([f.to_dict() for f in findings], ensure_ascii=False)
    for secret in secrets:
        assert secret not in dumped
        for start in range(0, max(1, len(secret) - 12)):
            piece = secret[start : start + 12]
            if len(piece) == 12:
                assert piece not in dumped, f"a piece of the secret leaked: {piece!r}"


# -- provider formats ------------------------------------------------------------------


@pytest.mark.parametrize("rule_id", sorted(TOKENS))
@pytest.mark.parametrize(
    "template, path",
    [
        ("SERVICE_CREDENTIAL={value}\n", ".env"),
        ("service:\n  credential: '{value}'\n", "config/app.yaml"),
        ('{{"credential": "{value}"}}\n', "config/app.json"),
        ('import client\nclient.connect(key="{value}")\n', "app/client.py"),
        ("const credential = `{value}`;\n", "web/app.js"),
    ],
)
def test_provider_formats_in_every_kind_of_file(rule_id: str, template: str, path: str) -> None:
    value = TOKENS[rule_id]
    text = template.format(value=value)
    if path.endswith(".py"):
        findings = analyze_source(text, path, Config()).findings
    else:
        findings = text_findings(text, path)
    secret_findings = [f for f in findings if f.rule_id in SECRET_RULES]
    assert ids(secret_findings) == [rule_id]
    found = secret_findings[0]
    line_no = 2 if text.startswith(("service:", "import")) else 1
    line = text.splitlines()[line_no - 1]
    assert found.span.start_line == line_no
    assert line[found.span.start_col : found.span.end_col] == value
    assert found.cwe == 798
    assert_never_leaks(findings, value.removeprefix(PUBLIC_PREFIX.get(rule_id, "")))


def test_aws_key_pair_in_ini_is_high_with_partner_line() -> None:
    text = f"[default]\naws_access_key_id = {AWS_ID}\naws_secret_access_key = {AWS_SECRET}\n"
    findings = text_findings(text, "deploy/credentials")
    assert ids(findings) == ["SR760", "SR761"]
    key_id, secret = findings
    assert str(key_id.severity) == "high" and "secret access key is on line 3" in key_id.message
    assert f"`AKIA{sv.ELLIPSIS}{AWS_ID[-2:]}`" in key_id.message
    assert secret.span.start_line == 3 and str(secret.severity) == "high"
    assert_never_leaks(findings, AWS_ID, AWS_SECRET)
    assert AWS_ID[4:] not in key_id.snippet


def test_aws_key_id_alone_is_medium() -> None:
    findings = text_findings(f"AWS_ACCESS_KEY_ID={AWS_ID}\n", ".env")
    assert ids(findings) == ["SR760"]
    assert str(findings[0].severity) == "medium"
    assert "no secret access key" in findings[0].message


def test_aws_key_id_in_a_presigned_url_is_low() -> None:
    url = f"https://bucket.s3.amazonaws.com/k?AWSAccessKeyId={AWS_ID}&Expires=1565820377&Signature=abc"
    (found,) = text_findings(f"url: {url}\n", "ci.yml")
    assert found.rule_id == "SR760" and str(found.severity) == "low"
    assert "pre-signed URL" in found.message


def test_shortened_key_in_documentation_is_not_a_key() -> None:
    text = '"PrivateKey": "-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEAqKpRgnn6yq26U3yt5YFZquyukfRjbMXDcNO...fvY4+te\\n"\n'
    assert text_findings(text, "deploy/core.json") == []


def test_aws_secret_key_needs_a_name_or_a_key_id_nearby() -> None:
    assert text_findings(f"checksum = {AWS_SECRET}\n", "data.cfg") == []
    assert ids(text_findings(f"aws_secret_access_key: {AWS_SECRET}\n", "ci.yml")) == ["SR761"]


def test_private_key_block_is_found_and_header_alone_is_not() -> None:
    findings = text_findings(PRIVATE_KEY, "deploy/id_rsa")
    assert ids(findings) == ["SR768"]
    assert "RSA PRIVATE KEY" in findings[0].message
    body_line = PRIVATE_KEY.splitlines()[1]
    assert_never_leaks(findings, body_line)
    parser = 'if line.startswith("-----BEGIN RSA PRIVATE KEY-----"):\n    kind = "rsa"\n'
    assert [f for f in analyze_source(parser, "pem.py", Config()).findings if f.rule_id == "SR768"] == []


def test_private_key_body_on_the_same_line_is_masked() -> None:
    body = rnd(64, ALNUM + "+/")
    text = json.dumps({"PrivateKey": f"-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\n"}) + "\n"
    findings = text_findings(text, "deploy/key.json")
    assert ids(findings) == ["SR768"]
    assert_never_leaks(findings, body)


def test_encrypted_private_key_is_less_severe() -> None:
    text = PRIVATE_KEY.replace("RSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY")
    (found,) = text_findings(text, "deploy/key.pem")
    assert found.rule_id == "SR768" and str(found.severity) == "medium"
    assert "encrypted" in found.message


def test_jwt_expiry_is_reported_and_expired_tokens_are_low() -> None:
    (live,) = text_findings(f"TOKEN={make_jwt()}\n", ".env")
    assert "valid until 2100-01-01" in live.message and str(live.severity) == "medium"
    (old,) = text_findings(f"TOKEN={make_jwt(exp=1500000000)}\n", ".env")
    assert "expired 2017-07-14" in old.message and str(old.severity) == "low"
    assert text_findings(f"TOKEN={make_jwt(alg='none')}\n", ".env") == []


def test_mask_keeps_public_prefix_and_two_characters() -> None:
    assert sv.mask("AKIAIOSFODNN7EXAMPLE", 4) == "AKIA…LE"
    assert sv.mask("hunter2", 0) == "…"
    assert sv.mask("correct-horse-battery", 0) == "…ry"
    hit = sf.find_provider_secrets(f"x = '{TOKENS['SR762']}'")[0]
    assert TOKENS["SR762"] not in repr(hit)
    assert hit.masked == "ghp_…" + TOKENS["SR762"][-2:]


def test_every_secret_on_a_line_is_masked_in_each_snippet() -> None:
    text = f"creds: {AWS_ID} {TOKENS['SR762']}\n"
    findings = text_findings(text, "ci.yml")
    assert sorted(ids(findings)) == ["SR760", "SR762"]
    for found in findings:
        assert AWS_ID not in found.snippet and TOKENS["SR762"] not in found.snippet
    assert_never_leaks(findings, AWS_ID, TOKENS["SR762"])


# -- placeholders and look-alikes ------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "GITHUB_TOKEN=ghp_" + "x" * 36,
        "GITHUB_TOKEN=ghp_" + "0123456789" * 3 + "abcdef",
        "STRIPE=sk_test_" + rnd(24),
        "SLACK=xoxb-000000000000-000000000000-" + "x" * 24,
        "password=changeme",
        "password=xxxxxxxx",
        "password: <password>",
        "password: ${DB_PASSWORD}",
        "password: '{{ vault_db_password }}'",
        "password = %(db_password)s",
        "password = your-password-here",
        "password: example-password",
        "password: dummy",
        "password: '********'",
        "password: null",
        "password: true",
        "password: ENC[AES256_GCM,data:abc,iv:def]",
        "password_file: /run/secrets/db",
        "password_reset_timeout: 3600",
        "existingSecret: postgres-credentials",
        "secretName: tls-cert",
        "api_key: your-api-key-here",
        "api_key: 'my_service_api_key_value'",
        "token: abc",
        "max_tokens: 4096",
        "try_except_pass = bandit.plugins.try_except_pass:try_except_pass",
        "bypass = something-long-enough",
        "DATABASE_URL=postgres://user:password@localhost/app",
        "DATABASE_URL=postgres://app:${DB_PASSWORD}@db/app",
        "url = https://user:secret@example.com/path",
        "DATABASE_URL=postgresql://scott:tiger@db.internal/test",
        "mssql = mssql+pyodbc://scott:tiger^5HHH@mssql2017:1433/test",
        "url: mysql://username:password@db/app",
        "url: mysql://user:pass@db/app",
        "DATABASE_URL=postgres://app:Xk2pr0dpw7@127.0.0.1:5432/app",
        r'"PASSWORD=\nDB_PASSWORD\n"',
        r"password:\nDB_PASSWORD",
        "Authorization: Bearer <token>",
        "Authorization: Bearer ${TOKEN}",
        "key = 'value'",
    ],
)
def test_placeholders_and_look_alikes_are_quiet(line: str) -> None:
    assert text_findings(line + "\n", "deploy/settings.yaml") == []


@pytest.mark.parametrize(
    "line, rule_id",
    [
        ("DB_PASSWORD=Pr0d-s3cret!", "SR780"),
        ("password: 'hunter2-prod'", "SR780"),
        ('"dbPassword": "Xk2-pr0d-pw"', "SR780"),
        ("spring.datasource.password=S3cure#Pass", "SR780"),
        ("<password>Tr0ub4dor&3</password>", "SR780"),
        ("smtp_pass = letmein-now", "SR780"),
        ("client_secret: 8fJ2kLq9", "SR780"),
        ("api_key = '9f3b7c1e5a2d48f0b6e1c7a9d3f5e2b4'", "SR781"),
        ("X_API_KEY=Zq7Rm2Xv9Lp4Tn8Ks3Wd6Yb1", "SR781"),
        ("Authorization: Bearer Zq7Rm2Xv9Lp4Tn8Ks3Wd6Yb1Hc5Fj0", "SR781"),
        ("DATABASE_URL=postgresql://app:Xk2pr0dpw7@db.internal:5432/app", "SR782"),
        ("DATABASE_URL=postgresql://scott:Xk2pr0dpw7@db.internal:5432/app", "SR782"),
        ("BROKER=amqp://admin:Rb7-mq-Pw@mq.prod.internal//", "SR782"),
        (r'  "HOME=/srv\nDB_PASSWORD=Pr0d-s3cret!\nDEBUG=0",', "SR780"),
    ],
)
def test_generic_credentials_in_config_files(line: str, rule_id: str) -> None:
    findings = text_findings(line + "\n", "deploy/settings.conf")
    assert ids(findings) == [rule_id]
    found = findings[0]
    value = line[found.span.start_col : found.span.end_col]
    assert len(value) >= 4
    assert_never_leaks(findings, value) if len(value) > 12 else None
    assert value not in found.message and value not in found.snippet


def test_generic_password_rule_skips_python_but_url_and_provider_rules_do_not() -> None:
    source = (
        "import requests\n"
        'password = "hunter2-prod"\n'
        'DB = "postgresql://app:Xk2pr0dpw7@db.internal/app"\n'
        f'TOKEN = "{TOKENS["SR762"]}"\n'
    )
    findings = [f for f in analyze_source(source, "app/settings.py", Config()).findings if f.rule_id in SECRET_RULES]
    assert ids(findings) == ["SR782", "SR762"]


def test_python_assignments_are_left_to_the_python_rules_but_authorization_values_are_not() -> None:
    source = (
        'auth_token = "Zq7Rm2Xv9Lp4Tn8Ks3Wd6Yb1"\n'
        'SERVICE_API_KEY = "Zq7Rm2Xv9Lp4Tn8Ks3Wd6Yb1"\n'
        'headers = {"Authorization": "Bearer Zq7Rm2Xv9Lp4Tn8Ks3Wd6Yb1Hc5Fj0"}\n'
    )
    findings = [f for f in analyze_source(source, "app/client.py", Config()).findings if f.rule_id in SECRET_RULES]
    assert ids(findings) == ["SR781"]
    assert findings[0].span.start_line == 3
    assert "Bearer" in findings[0].message and "Zq7Rm2" not in findings[0].snippet


def test_a_python_header_finding_masks_an_assigned_secret_on_its_line() -> None:
    # A Python file's text rules read only the URL and header hits; the assignment scan is made
    # when a snippet is masked, and hides the assigned value on the same line.
    token, key = rnd(30), rnd(32, "0123456789abcdef")
    source = f'h = {{"Authorization": "Bearer {token}"}}; api_key = "{key}"\n'
    findings = [f for f in analyze_source(source, "app/client.py", Config()).findings if f.rule_id in SECRET_RULES]
    assert "SR781" in ids(findings)
    for found in findings:
        assert token not in found.snippet and key not in found.snippet
    assert_never_leaks(findings, token, key)


# -- context: tests, docs, allowlists, suppressions --------------------------------------


def test_test_code_drops_generic_rules_and_lowers_provider_confidence() -> None:
    text = f"DB_PASSWORD=Pr0d-s3cret!\nGITHUB_TOKEN={TOKENS['SR762']}\n"
    findings = text_findings(text, "tests/fixtures/app.env")
    assert ids(findings) == ["SR762"]
    assert str(findings[0].confidence) == "low"
    strict = text_findings(text, "tests/fixtures/app.env", test_code="strict")
    assert ids(strict) == ["SR780", "SR762"]


def test_private_keys_in_test_code_are_fixtures_but_service_credentials_are_not() -> None:
    token = TOKENS["SR762"]
    key_module = f'KEY = """{PRIVATE_KEY}"""\nGITHUB_TOKEN = "{token}"\n'
    assert ids(text_findings(key_module, "app/keys.py")) == ["SR768", "SR762"]
    for test_path in ("tests/keydata.py", "src/pkg/test/test_keys.py", "test/integration/vars/main.yml"):
        assert ids(text_findings(key_module, test_path)) == ["SR762"]
    strict = text_findings(key_module, "tests/keydata.py", test_code="strict")
    assert ids(strict) == ["SR768", "SR762"]
    assert str(strict[0].severity) == "medium" and str(strict[0].confidence) == "low"


@pytest.mark.parametrize("path", ["README.md", "docs/setup.rst", "pkg-1.0.dist-info/METADATA", ".env.example"])
def test_documentation_gets_low_confidence_and_no_generic_findings(path: str) -> None:
    text = f"DB_PASSWORD=Pr0d-s3cret!\nexport GITHUB_TOKEN={TOKENS['SR762']}\n"
    findings = text_findings(text, path)
    assert ids(findings) == ["SR762"]
    assert str(findings[0].confidence) == "low"


def test_allowlist_comments_of_other_scanners_are_honoured() -> None:
    text = (
        f"GITHUB_TOKEN={TOKENS['SR762']}  # pragma: allowlist secret\n"
        "DB_PASSWORD=Pr0d-s3cret!  # gitleaks:allow\n"
        f"OTHER={TOKENS['SR763']}\n"
    )
    assert ids(text_findings(text, ".env")) == ["SR763"]


def test_own_suppression_comment_works_in_config_files() -> None:
    text = f"token: {TOKENS['SR762']}  # secreview: ignore[SR762]\n"
    result = analyze_text_file(text, "ci.yml", Config())
    assert result.findings == []
    assert ids(result.suppressed) == ["SR762"]


def test_ignoring_the_family_by_prefix() -> None:
    text = f"DB_PASSWORD=Pr0d-s3cret!\nGITHUB_TOKEN={TOKENS['SR762']}\n"
    assert ids(text_findings(text, ".env", ignore=("SR76",))) == ["SR780"]


# -- detector helpers ------------------------------------------------------------------


@pytest.mark.parametrize(
    "key, expected",
    [
        ("password", "password"),
        ("DB_PASSWORD", "password"),
        ("dbPassword", "password"),
        ("db_pass", "password"),
        ("SECRET_KEY", "password"),
        ("client_secret", "password"),
        ("api_key", "token"),
        ("APIKey", "token"),
        ("github_token", "token"),
        ("bypass", None),
        ("second_pass", None),
        ("tokenizer", None),
        ("max_tokens", None),
        ("secretName", None),
        ("existingSecret", None),
        ("password_reset_timeout", None),
        ("public_key", None),
        ("next_page_token", None),
    ],
)
def test_secret_key_class(key: str, expected: str | None) -> None:
    assert sd.secret_key_class(key) == expected


def test_looks_random_separates_tokens_from_words() -> None:
    assert sv.looks_random("9f3b7c1e5a2d48f0b6e1c7a9d3f5e2b4")
    assert sv.looks_random(rnd(24))
    assert not sv.looks_random("my_service_api_key_value")
    assert not sv.looks_random("ApiGatewayV2WSAuthorizer")
    assert not sv.looks_random("aaaaaaaaaaaaaaaaaaaa1")


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_candidate_lines_match_a_line_scan(newline: str) -> None:
    lines = ["a = 1", "Password = 'x'", "b", "token: y", "", "AUTH=z", "İstanbul token"]
    text = newline.join(lines)
    assert sd.candidate_lines(text, lines, ("pass", "token", "auth")) == [2, 4, 6, 7]


def test_provider_secret_lookup_for_other_rules() -> None:
    assert sf.looks_like_provider_secret(TOKENS["SR766"])
    assert not sf.looks_like_provider_secret("hunter2")


# -- robustness ---------------------------------------------------------------------------


_PIECES = st.sampled_from(
    [
        *TOKENS.values(),
        AWS_ID,
        AWS_SECRET,
        PRIVATE_KEY,
        "password = ",
        "api_key: ",
        "Authorization: Bearer ",
        "postgres://u:",
        "@h/db",
        "-----BEGIN PRIVATE KEY-----",
        '"',
        "'",
        "\n",
        "\r\n",
        "\r",
        " ",
        "=",
        ":",
        "İ",
        "😀",
        "\\n",
    ]
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_PIECES, st.text(max_size=12)), max_size=30), st.sampled_from([".env", "a.py", "c.yaml"]))
def test_any_text_gives_valid_spans_and_masked_snippets(pieces: list[str], path: str) -> None:
    text = "".join(pieces)
    if "\x00" in text:
        return
    result = analyze_text_file(text, path, Config())
    lines = split_lines(text)
    for found in result.findings:
        assert 1 <= found.span.start_line <= len(lines)
        line = lines[found.span.start_line - 1]
        assert 0 <= found.span.start_col < found.span.end_col <= len(line)
        value = line[found.span.start_col : found.span.end_col]
        if len(value) >= 12 and found.rule_id != "SR768":  # a key block's header is not secret
            assert value not in found.snippet and value not in found.message
    redactor = redaction.Redactor(text, path)
    for hit in sf.find_provider_secrets(text):
        if hit.detector != "private-key":  # the header of a key block is not secret
            assert hit.value not in redactor.line(hit.line)


def test_a_token_glued_to_other_text_is_masked_where_a_wider_credential_contains_it() -> None:
    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    text = f"{token}password = postgres://u:{token}\n"
    result = analyze_text_file(text, ".env", Config())
    assert result.findings
    for found in result.findings:
        assert token not in found.snippet and token not in found.message
    assert token not in redaction.Redactor(text, ".env").line(1)


@pytest.mark.parametrize(
    "path", ["compose-dev.yml", "deploy/docker-compose.test.yaml", ".env.local", "settings.ci.toml"]
)
def test_development_environment_files_drop_literal_passwords_only(path: str) -> None:
    text = f"MARIADB_ROOT_PASSWORD: Pr0d-s3cret!\nGITHUB_TOKEN: {TOKENS['SR762']}\n"
    assert ids(text_findings(text, path)) == ["SR762"]


@pytest.mark.parametrize("path", ["docker-compose.yml", "compose.prod.yml", "devices.yml", "deploy/dev/compose.yml"])
def test_other_configuration_files_keep_literal_passwords(path: str) -> None:
    text = f"MARIADB_ROOT_PASSWORD: Pr0d-s3cret!\nGITHUB_TOKEN: {TOKENS['SR762']}\n"
    assert ids(text_findings(text, path)) == ["SR780", "SR762"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("LDAP_ADMIN_PASSWORD: admin_password\n", []),
        ("db_password = 'Password'\n", []),
        ("POSTGRES_USER=app\nPOSTGRES_PASSWORD=apppassword\n", []),
        ("services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: app-password\n      POSTGRES_USER: app\n", []),
        ("POSTGRES_USER=app\nPOSTGRES_PASSWORD=otherpassword\n", ["SR780"]),
        ("POSTGRES_USER=app\nPOSTGRES_PASSWORD=app-Pr0d-s3cret\n", ["SR780"]),
        ("LDAP_ADMIN_PASSWORD: admin_password7\n", ["SR780"]),
    ],
)
def test_a_password_that_spells_its_own_key_discloses_nothing(text: str, expected: list[str]) -> None:
    """A value made of its key's last words, after the file's user name or alone, is known to
    whoever reads the key; any other text beside them keeps the finding."""
    assert ids(text_findings(text, "docker-compose.yml")) == expected


def test_a_firebase_client_configuration_key_is_public_but_other_google_keys_are_reported() -> None:
    key = TOKENS["SR767"]
    android = json.dumps(
        {
            "project_info": {"project_number": "1234", "project_id": "demo-app"},
            "client": [
                {
                    "client_info": {"mobilesdk_app_id": "1:1234:android:ab12"},
                    "api_key": [{"current_key": key}],
                }
            ],
        },
        indent=2,
    )
    web = f'const firebaseConfig = {{ apiKey: "{key}", authDomain: "demo-app.firebaseapp.com" }};\n'
    assert "SR767" not in ids(text_findings(android, "app/google-services.json"))
    assert "SR767" not in ids(text_findings(web, "web/firebase.js"))
    server = json.dumps({"maps": {"api_key": key, "project_id": "demo-app"}}, indent=2)
    assert "SR767" in ids(text_findings(server, "deploy/maps.json"))
    assert "SR767" in ids(text_findings(f'GOOGLE_API_KEY = "{key}"\n', "app/settings.py"))


_HINT_PIECES = sorted(
    {word[:cut] for fmt in sf.PROVIDER_FORMATS for word in fmt.hint_words for cut in range(1, len(word) + 1)}
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.one_of(st.sampled_from(_HINT_PIECES), st.text(alphabet="Aaghip_-.SGé😀 \n", max_size=4)), max_size=12)
)
def test_hint_words_find_what_the_hint_regex_finds(pieces: list[str]) -> None:
    """A provider format's hint is searched as its literal texts: a text holds one of them
    exactly when the hint regex finds a match in it."""
    text = "".join(pieces)
    for fmt in sf.PROVIDER_FORMATS:
        found = bool(re.search(fmt.hint, text))
        assert any(word in text for word in fmt.hint_words) == found, fmt.hint
        data = text.encode("utf-8")
        assert any(word in data for word in sf.hint_bytes(fmt.hint)) == found, fmt.hint


def test_hint_words_expand_alternatives_and_classes() -> None:
    assert sf.hint_words(r"A(?:KIA|SIA)") == ("AKIA", "ASIA")
    assert sf.hint_words(r"x[ab]_\.") == ("xa_.", "xb_.")
    with pytest.raises(ValueError):
        sf.hint_words(r"a+b")


def test_only_the_listed_characters_lower_to_ascii_letters() -> None:
    """The byte-lowered sweep of a non-ASCII text is exact unless one of these is in it."""
    found = {chr(c) for c in range(128, 0x110000) if any(ord(x) < 128 for x in chr(c).lower())}
    assert found == set(sd.LOWERED_TO_ASCII)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(
            ["secret", "SeCrEt", "token", "ToKen", "://", "\n", "é", "😀", "ß", "\u212a", "\u0130", "x", " "]
        ),
        max_size=30,
    )
)
def test_needle_lines_are_the_lines_whose_lowercase_holds_a_needle(pieces: list[str]) -> None:
    text = "".join(pieces)
    lines = split_lines(text)
    needles = ("secret", "token", "://")
    expected = [n for n, line in enumerate(lines, start=1) if any(w in line.lower() for w in needles)]
    assert sd.NeedleLines(text, lines).lines_with(needles) == expected


def test_a_fine_grained_github_token_alone_in_a_file_is_found() -> None:
    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits
    token = (
        "github_pat_"
        + "".join(rng.choice(alphabet) for _ in range(22))
        + "_"
        + "".join(rng.choice(alphabet) for _ in range(59))
    )
    assert sf.hint_words(sf.FORMATS_BY_DETECTOR["github-token"].hint) == (
        "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_",
    )  # fmt: skip
    result = analyze_source(f'TOKEN = "{token}"\n', "settings.py", Config())
    found = [f for f in result.findings if f.rule_id == "SR762"]
    assert len(found) == 1
    assert token not in found[0].snippet and token not in found[0].message
