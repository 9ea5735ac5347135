"""Credentials written into files (CWE-798), in any text file.

Provider key formats (AWS, GitHub, GitLab, Slack, Stripe, Google, private key
blocks, JWTs, PyPI, npm, OpenAI, Anthropic, SendGrid) are recognised in every
file, Python included. Literal passwords and machine-generated tokens assigned
to secret-ish keys are recognised in configuration files and scripts (for
Python source the hardcoded-password rules of the ``secrets`` family cover
plain assignments). Credentials in URLs are recognised everywhere.

Context:

* test code: the generic rules (SR780-SR782) are not reported there (fixture
  passwords are not secrets in use), nor are private key blocks (SR768: a key
  pair generated for a test suite is trusted by nothing else); provider formats
  still are, with LOW confidence -- a live key pasted into a test is as leaked
  as any other, but most keys in tests are made up, so ``confidence = "medium"``
  hides them;
* documentation (``*.md``, ``*.rst``, ``docs/``, ``examples/``): provider
  formats get LOW confidence, generic rules do not run;
* development and test environment definitions (a configuration file whose name says so:
  ``compose-dev.yml``, ``docker-compose.test.yaml``, ``.env.local``): literal passwords (SR780)
  are not reported there -- they bootstrap throwaway local services (``MARIADB_ROOT_PASSWORD:
  root``); provider formats, tokens and URL credentials still are;
* a password that spells its own key's last words, alone or after the file's user name
  (``LDAP_ADMIN_PASSWORD: admin_password``), discloses nothing (SR780);
* placeholders never count: ``changeme``, ``xxxx``, ``<token>``, ``${VAR}``,
  ``{{ var }}``, ``%(var)s``, ``your-key-here``, ``example``/``dummy`` values,
  AWS's documented example key.

No message, snippet or extra field ever holds a secret in full: values are
masked to their public prefix and last two characters.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..engine import secret_formats as sf
from ..engine import secret_values as sv
from ..engine import secrets_detect as sd
from ..engine.finding import Finding, Level, Span
from ..engine.source import parse_tolerant
from .base import HIGH, LOW, MEDIUM, CacheKey, Rule, RuleContext, TextContext, rule

_SCAN: CacheKey[_Scan] = CacheKey("secrets found in the text")
_REMEDY = "revoke it, then read it from the environment or a secret manager"


@dataclass
class _Scan:
    """Everything the secret detectors find in one file, computed once per analysis."""

    text: str
    path: str
    lines: list[str]
    kind: str
    _provider: list[sv.SecretHit] | None = None
    _aws_secret: list[sv.SecretHit] | None = None
    _generic: dict[str, list[sv.SecretHit]] | None = None
    # The URL and header hits, with every hit taken so far (``_first_groups``).
    _first: tuple[dict[str, list[sv.SecretHit]], list[sv.SecretHit]] | None = None
    _by_line: dict[int, list[sv.SecretHit]] = field(default_factory=dict)
    _allowed: frozenset[int] | None = None
    _needles: sd.NeedleLines | None = None

    def candidate_lines(self, needles: tuple[str, ...]) -> list[int]:
        """``sd.candidate_lines`` of this text (the lowered text shared between the detectors)."""
        if self._needles is None:
            self._needles = sd.NeedleLines(self.text, self.lines)
        return self._needles.lines_with(needles)

    @property
    def allowed(self) -> frozenset[int]:
        """Lines marked ``# pragma: allowlist secret`` / ``gitleaks:allow``."""
        if self._allowed is None:
            self._allowed = sd.allowed_lines(self.text, self.lines)
        return self._allowed

    def _keep(self, hits: list[sv.SecretHit]) -> list[sv.SecretHit]:
        return [h for h in hits if h.line not in self.allowed] if self.allowed else hits

    @property
    def provider(self) -> list[sv.SecretHit]:
        if self._provider is None:
            self._provider = self._keep(sf.find_provider_secrets(self.text))
        return self._provider

    @property
    def aws_secret(self) -> list[sv.SecretHit]:
        if self._aws_secret is None:
            key_lines = [h.line for h in self.provider if h.detector == "aws-access-key-id"]
            only = self.candidate_lines(sd.AWS_NEEDLES)
            self._aws_secret = self._keep(sf.find_aws_secret_keys(self.lines, key_lines, only))
        return self._aws_secret

    @property
    def generic(self) -> dict[str, list[sv.SecretHit]]:
        """Generic hits by rule, without anything a more specific detector already reports."""
        if self._generic is None:
            first, taken = self._first_groups()
            result = {group: list(hits) for group, hits in first.items()}
            assignment_lines = self.candidate_lines(sd.ASSIGNMENT_NEEDLES)
            found = sd.find_assigned_secrets(self.lines, self.path, assignment_lines)
            self._take([(item.key_class, item.hit) for item in found], list(taken), result)
            self._generic = result
        return self._generic

    def generic_of(self, group: str) -> list[sv.SecretHit]:
        """``generic[group]``. The URL and header hits come before the assignment scan's, which
        never removes one of them: they are found without it (a Python file's rules read only
        them, and the assignment scan is most of the text's)."""
        if group in ("url", "header"):
            return self._first_groups()[0][group]
        return self.generic[group]

    def _first_groups(self) -> tuple[dict[str, list[sv.SecretHit]], list[sv.SecretHit]]:
        """The URL and header hits by group, and every hit taken (the specific detectors' too)."""
        if self._first is None:
            taken = [*self.provider, *self.aws_secret]
            result: dict[str, list[sv.SecretHit]] = {"url": [], "header": [], "password": [], "token": []}
            lines = self.lines
            candidates: list[tuple[str, sv.SecretHit]] = []
            for url in sd.find_url_credentials(lines, self.candidate_lines(sd.URL_NEEDLES)):
                candidates.append(("url", url))
            for header in sd.find_header_tokens(lines, self.candidate_lines(sd.HEADER_NEEDLES)):
                candidates.append(("header", header))
            self._take(candidates, taken, result)
            self._first = (result, taken)
        return self._first

    def _take(
        self,
        candidates: list[tuple[str, sv.SecretHit]],
        taken: list[sv.SecretHit],
        result: dict[str, list[sv.SecretHit]],
    ) -> None:
        """Add each candidate not on an allowed line nor overlapping a hit taken before it."""
        for group, hit in candidates:
            if hit.line in self.allowed or any(_overlap(hit, other) for other in taken):
                continue
            taken.append(hit)
            result[group].append(hit)

    def hits_on_line(self, line: int) -> list[sv.SecretHit]:
        """Every secret on ``line`` (for masking snippets)."""
        if line not in self._by_line:
            everything = [*self.provider, *self.aws_secret, *(h for hs in self.generic.values() for h in hs)]
            self._by_line[line] = [h for h in everything if h.line == line]
        return self._by_line[line]


def _overlap(a: sv.SecretHit, b: sv.SecretHit) -> bool:
    return a.line == b.line and a.start_col < b.end_col and b.start_col < a.end_col


def _scan(ctx: TextContext) -> _Scan:
    """The file's secrets scan, made once and shared by the rules that report from it."""
    return ctx.cache.get(_SCAN, lambda: _Scan(ctx.text, ctx.path, ctx.lines, sd.path_kind(ctx.path)))


def masked_line(line_text: str, hits: list[sv.SecretHit]) -> str:
    """``line_text`` with every hit's value replaced by its mask (right to left, no overlaps)."""
    result = line_text
    last_start = len(line_text) + 1
    for hit in sorted(hits, key=lambda h: h.start_col, reverse=True):
        if hit.end_col > last_start:
            continue
        result = result[: hit.start_col] + hit.masked + result[hit.end_col :]
        last_start = hit.start_col
    for hit in hits:  # the same value again, where no detector matched it (glued to other text)
        if len(hit.value) >= 8 and hit.value not in hit.masked:
            result = result.replace(hit.value, hit.masked)
    return result


def _finding(
    current: Rule,
    ctx: TextContext,
    scan: _Scan,
    hit: sv.SecretHit,
    message: str,
    *,
    severity: Level | None = None,
    confidence: Level | None = None,
    message_lines: tuple[int, ...] = (),
) -> Finding:
    found = current.finding(
        ctx,
        None,
        message,
        span=Span(hit.line, hit.start_col, hit.line, hit.end_col),
        severity=severity,
        confidence=confidence,
        extra={"secret": {"provider": hit.provider, "masked": hit.masked, "detector": hit.detector}},
        message_lines=message_lines,
    )
    found.snippet = masked_line(ctx.line(hit.line), scan.hits_on_line(hit.line)).strip()
    return found


def _lower(level: Level) -> Level:
    return Level(max(Level.LOW, level - 1))


# -- provider formats --------------------------------------------------------------------


@dataclass(frozen=True)
class _ProviderDoc:
    id: str
    name: str
    detector: str
    summary: str
    rotate: str
    bad: str
    good: str
    severity: Level = HIGH
    confidence: Level = HIGH
    in_tests: bool = True  # reported in test code (with lower severity and confidence)


_ENV_GOOD = 'import os\n{var} = os.environ["{env}"]  # set by the deployment, never committed'

_PROVIDERS: tuple[_ProviderDoc, ...] = (
    _ProviderDoc(
        "SR760",
        "aws-access-key-id",
        "aws-access-key-id",
        "An AWS access key id (`AKIA…`/`ASIA…`) is written in the file.",
        "Deactivate the key in IAM (Security credentials → Access keys) and create a new one; "
        "prefer roles (instance profiles, IRSA, SSO) over long-lived keys.",
        'import boto3\ns3 = boto3.client("s3", aws_access_key_id="AKIA…", aws_secret_access_key="…")',
        'import boto3\ns3 = boto3.client("s3")  # credentials from the environment, profile or role',
    ),
    _ProviderDoc(
        "SR761",
        "aws-secret-access-key",
        "aws-secret-key",
        "An AWS secret access key (40 characters, next to an access key id or named as one) is written in the file.",
        "Deactivate the key pair in IAM and create a new one; prefer roles over long-lived keys.",
        'AWS_SECRET_ACCESS_KEY = "…40 characters…"',
        _ENV_GOOD.format(var="AWS_SECRET_ACCESS_KEY", env="AWS_SECRET_ACCESS_KEY"),
    ),
    _ProviderDoc(
        "SR762",
        "github-token",
        "github-token",
        "A GitHub token (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`) is written in the file.",
        "Revoke it under Settings → Developer settings → Personal access tokens (or the app's installation); "
        "in Actions use the built-in `GITHUB_TOKEN` secret.",
        'headers = {"Authorization": "token ghp_…"}',
        _ENV_GOOD.format(var="token", env="GITHUB_TOKEN"),
    ),
    _ProviderDoc(
        "SR763",
        "gitlab-token",
        "gitlab-token",
        "A GitLab personal access token (`glpat-…`) is written in the file.",
        "Revoke it under User settings → Access tokens and create a new one with the narrowest scope.",
        'gl = gitlab.Gitlab(url, private_token="glpat-…")',
        'gl = gitlab.Gitlab(url, private_token=os.environ["GITLAB_TOKEN"])',
    ),
    _ProviderDoc(
        "SR764",
        "slack-token",
        "slack-token",
        "A Slack API token (`xoxb-`, `xoxp-`, `xoxa-`, `xoxr-`, `xoxs-`) is written in the file.",
        "Revoke it (api.slack.com → your app → OAuth & Permissions → Revoke) and reinstall the app.",
        'client = WebClient(token="xoxb-…")',
        'client = WebClient(token=os.environ["SLACK_BOT_TOKEN"])',
    ),
    _ProviderDoc(
        "SR765",
        "slack-webhook",
        "slack-webhook",
        "A Slack incoming-webhook URL (which lets anyone post to the channel) is written in the file.",
        "Remove the webhook in the app's Incoming Webhooks page and create a new one.",
        'requests.post("https://hooks.slack.com/services/T…/B…/…", json=payload, timeout=5)',
        'requests.post(os.environ["SLACK_WEBHOOK_URL"], json=payload, timeout=5)',
        severity=MEDIUM,
    ),
    _ProviderDoc(
        "SR766",
        "stripe-live-key",
        "stripe-live-key",
        "A Stripe live secret or restricted key (`sk_live_…`, `rk_live_…`) is written in the file.",
        "Roll the key in the Stripe dashboard (Developers → API keys → Roll key). Test-mode keys "
        "(`sk_test_`) are not reported.",
        'stripe.api_key = "sk_live_…"',
        'stripe.api_key = os.environ["STRIPE_API_KEY"]',
    ),
    _ProviderDoc(
        "SR767",
        "google-api-key",
        "google-api-key",
        "A Google API key (`AIza…`) is written in the file.",
        "Delete or regenerate the key in Google Cloud console → APIs & Services → Credentials, and restrict "
        "the new one to the APIs and referrers/IPs that need it. A key in a Firebase client configuration "
        "(`google-services.json`, `GoogleService-Info.plist`, a web `firebaseConfig` with its `authDomain`) "
        "is not reported: it identifies the project and ships inside every build of the client app.",
        'GOOGLE_API_KEY = "AIza…"',
        _ENV_GOOD.format(var="GOOGLE_API_KEY", env="GOOGLE_API_KEY"),
        confidence=MEDIUM,
    ),
    _ProviderDoc(
        "SR768",
        "private-key",
        "private-key",
        "A private key block (`-----BEGIN … PRIVATE KEY-----` followed by key material) is written in the file.",
        "Treat the key as compromised: replace it (new key pair, new certificate) and revoke the old "
        "certificate or remove the old public key wherever it is trusted. Encrypted keys are reported with "
        "lower severity (the passphrase still protects them). Test code is not reported by default: a key "
        "grants only what trusts its public half, and a key pair generated for a test suite (SSH, TLS and "
        "signing code needs many) is trusted by nothing but that suite; service credentials (cloud keys, API "
        'tokens) stay reported there, since they work wherever they are written. `test-code = "strict"` '
        "reports test keys too, at lower severity.",
        'KEY = """-----BEGIN RSA PRIVATE KEY-----\nMIIE…\n-----END RSA PRIVATE KEY-----"""',
        'from pathlib import Path\nKEY = Path(os.environ["TLS_KEY_FILE"]).read_bytes()  # file outside the repository',
        in_tests=False,
    ),
    _ProviderDoc(
        "SR769",
        "jwt",
        "jwt",
        "A signed JSON Web Token is written in the file.",
        "A JWT is a bearer credential until it expires: revoke the session or rotate the signing key if it "
        "has not expired (the message says). Expired tokens are reported with LOW severity.",
        'API_AUTH = "Bearer eyJhbGciOi…"',
        _ENV_GOOD.format(var="API_AUTH", env="API_TOKEN"),
        severity=MEDIUM,
        confidence=MEDIUM,
    ),
    _ProviderDoc(
        "SR770",
        "pypi-token",
        "pypi-token",
        "A PyPI (or TestPyPI) API token (`pypi-AgE…`) is written in the file.",
        "Remove the token under PyPI → Account settings → API tokens; publish with Trusted Publishing "
        "(OIDC) instead of long-lived tokens.",
        "[pypi]\nusername = __token__\npassword = pypi-AgEI…",
        "# .pypirc stays out of the repository; CI uses Trusted Publishing or TWINE_PASSWORD from a secret",
    ),
    _ProviderDoc(
        "SR771",
        "npm-token",
        "npm-token",
        "An npm access token (`npm_…`) is written in the file.",
        "Revoke it with `npm token revoke` (or on npmjs.com → Access Tokens) and use a granular token "
        "from the CI secret store.",
        "//registry.npmjs.org/:_authToken=npm_…",
        "//registry.npmjs.org/:_authToken=${NPM_TOKEN}",
    ),
    _ProviderDoc(
        "SR772",
        "openai-key",
        "openai-key",
        "An OpenAI API key (`sk-…T3BlbkFJ…`) is written in the file.",
        "Revoke the key on the OpenAI platform (API keys page) and create a project-scoped one.",
        'client = OpenAI(api_key="sk-proj-…")',
        "client = OpenAI()  # reads OPENAI_API_KEY from the environment",
    ),
    _ProviderDoc(
        "SR773",
        "anthropic-key",
        "anthropic-key",
        "An Anthropic API key (`sk-ant-api…`) is written in the file.",
        "Disable the key in the Anthropic console (API keys) and create a new one.",
        'client = Anthropic(api_key="sk-ant-api03-…")',
        "client = Anthropic()  # reads ANTHROPIC_API_KEY from the environment",
    ),
    _ProviderDoc(
        "SR774",
        "sendgrid-key",
        "sendgrid-key",
        "A SendGrid API key (`SG.….…`) is written in the file.",
        "Delete the key in SendGrid (Settings → API Keys) and create one with restricted access.",
        'sg = SendGridAPIClient("SG.…")',
        'sg = SendGridAPIClient(os.environ["SENDGRID_API_KEY"])',
    ),
)

_WHY = (
    "A credential in a file is readable by everyone who can read the repository, its forks, its history, "
    "build logs and packaged artifacts; deleting it in a later commit does not un-leak it, and scanners "
    "harvest public repositories for such keys within minutes. {rotate}"
)


def _provider_message(hit: sv.SecretHit, partner: sv.SecretHit | None) -> str:
    """The finding's message; ``partner``: the secret access key next to an AWS access key id."""
    notes = [hit.note] if hit.note else []
    if hit.detector == "private-key":
        header = hit.value[: hit.visible_prefix]
        notes_text = f" ({', '.join(notes)})" if notes else ""
        return (
            f"`{header}` block with key material in plain text{notes_text}; replace the key pair and keep "
            "the new key out of the repository"
        )
    if hit.detector == "aws-access-key-id":
        if partner is not None:
            notes.append(f"its secret access key is on line {partner.line}")
        else:
            notes.append("no secret access key next to it in this file")
    notes_text = f" ({'; '.join(notes)})" if notes else ""
    return f"{hit.provider} `{hit.masked}` in plain text{notes_text}; {_REMEDY}"


def _aws_partner(hit: sv.SecretHit, scan: _Scan) -> sv.SecretHit | None:
    """The secret access key within three lines of an access key id, if any."""
    for other in scan.aws_secret:
        if abs(other.line - hit.line) <= 3:
            return other
    return None


# Fields only a Firebase client configuration has: ``google-services.json`` (Android),
# ``GoogleService-Info.plist`` (iOS), a web app's ``firebaseConfig``.
_FIREBASE_MARKS = (
    ('"project_info"', "mobilesdk_app_id"),
    ("GOOGLE_APP_ID", "GCM_SENDER_ID"),
    ("authDomain", ".firebaseapp.com"),
)


def _firebase_client_config(text: str) -> bool:
    """The file is a Firebase client configuration: its Google API key identifies the project to
    Firebase and is built into every copy of the client app; it grants nothing secret (restricting
    it to the app is hardening, not removal of a leak)."""
    return any(first in text and second in text for first, second in _FIREBASE_MARKS)


def _register_provider(doc: _ProviderDoc) -> Rule:
    holder: list[Rule] = []

    def check(ctx: TextContext) -> Iterator[Finding]:
        current = holder[0]
        scan = _scan(ctx)
        hits = scan.aws_secret if doc.detector == "aws-secret-key" else scan.provider
        for hit in hits:
            if hit.detector != doc.detector:
                continue
            if hit.detector == "google-api-key" and _firebase_client_config(ctx.text):
                continue  # the project's public client identifier, shipped in every app build
            severity = _lower(current.severity) if hit.weak else None
            partner = _aws_partner(hit, scan) if hit.detector == "aws-access-key-id" else None
            if hit.detector == "aws-access-key-id" and partner is None:
                severity = MEDIUM  # an id alone names the account and key; the secret half is elsewhere
            if hit.detector in ("jwt", "aws-access-key-id") and hit.weak:
                severity = LOW  # expired token; key id inside a pre-signed URL
            confidence = LOW if ctx.is_test or scan.kind == "docs" else None
            if ctx.is_test:  # a real-format key in test code is still a leak, if often a revoked one
                severity = _lower(severity or current.severity)
            message = _provider_message(hit, partner)
            named = (partner.line,) if partner is not None else ()
            yield _finding(
                current, ctx, scan, hit, message, severity=severity, confidence=confidence, message_lines=named
            )

    check.__name__ = doc.name.replace("-", "_")
    check.__qualname__ = check.__name__
    registered = rule(
        id=doc.id,
        name=doc.name,
        cwe=798,
        severity=doc.severity,
        confidence=doc.confidence,
        summary=doc.summary,
        why=_WHY.format(rotate=doc.rotate),
        bad=doc.bad,
        good=doc.good,
        kind="text",
        relevant_in_tests=doc.in_tests,
    )(check)
    holder.append(registered)
    return registered


PROVIDER_RULES: tuple[Rule, ...] = tuple(_register_provider(doc) for doc in _PROVIDERS)


# -- generic credentials ------------------------------------------------------------------


@rule(
    id="SR780",
    name="password-in-config",
    cwe=798,
    severity=MEDIUM,
    confidence=MEDIUM,
    relevant_in_tests=False,
    kind="text",
    summary="A literal password or secret is assigned to a password-like key in a configuration file or "
    "script (`.env`, YAML, TOML, INI, properties, JSON, XML, shell).",
    why="Configuration files are committed, copied into images and printed in logs; a password in one is "
    "shared with everyone who sees any of those. Values that are templates or references (`${DB_PASSWORD}`, "
    "`{{ vault_db_password }}`, `%(pw)s`, `ENC[…]`, `/run/secrets/…`) and placeholders (`changeme`, "
    "`<password>`, `xxxx`) are not reported, nor is a value that spells its own key's last words, alone or "
    "after the file's user name (`LDAP_ADMIN_PASSWORD: admin_password`, `POSTGRES_USER=app` with "
    "`POSTGRES_PASSWORD=apppassword`: known to whoever reads the key), nor are the passwords of a file named as a development or test "
    "environment (`compose-dev.yml`, `docker-compose.test.yaml`, `.env.local`: throwaway local services). "
    "Python source is covered by the hardcoded-password rules.",
    bad="# settings.yaml\ndatabase:\n  user: app\n  password: 'Pr0d-s3cret!'",
    good="# settings.yaml\ndatabase:\n  user: app\n  password: ${DB_PASSWORD}  # injected at deploy time",
)
def password_in_config(ctx: TextContext) -> Iterator[Finding]:
    scan = _scan(ctx)
    if scan.kind in ("python", "docs") or sd.development_environment(ctx.path):
        return
    for hit in scan.generic["password"]:
        yield _finding(
            password_in_config,
            ctx,
            scan,
            hit,
            f"literal password `{hit.masked}` assigned to `{hit.key}`; read it from the environment or a "
            "secret manager (and change it if this file was ever shared)",
        )


@rule(
    id="SR781",
    name="token-in-config",
    cwe=798,
    severity=MEDIUM,
    confidence=MEDIUM,
    relevant_in_tests=False,
    kind="text",
    summary="A machine-generated value (high entropy) is assigned to a key named like an API key, token or "
    "credential, or follows `Authorization: Bearer`/`Basic`.",
    why="Keys and tokens of services without a recognisable prefix look like any random string; a random "
    "value under `api_key:` or after `Bearer` is almost always one. Only values that reach the entropy of "
    "random data count (words, identifiers, URLs and templates do not).",
    bad='# config.toml\n[service]\napi_key = "9f3b7c1e5a2d48f0b6e1c7a9d3f5e2b4"',
    good='# config.toml\n[service]\napi_key_env = "SERVICE_API_KEY"  # the name of the variable, not the key',
)
def token_in_config(ctx: TextContext) -> Iterator[Finding]:
    scan = _scan(ctx)
    if scan.kind == "docs":
        return
    # In Python source, names such as ``api_key = "..."`` belong to the hardcoded-password rules.
    for hit in scan.generic["token"] if scan.kind != "python" else ():
        yield _finding(
            token_in_config,
            ctx,
            scan,
            hit,
            f"`{hit.key}` holds a literal token `{hit.masked}` ({len(hit.value)} random-looking characters); "
            "read it from the environment or a secret manager",
        )
    for hit in scan.generic_of("header"):
        yield _finding(
            token_in_config,
            ctx,
            scan,
            hit,
            f"literal `{hit.key.capitalize() if hit.key else 'Authorization'}` credential `{hit.masked}` in an "
            "Authorization value; read it from the environment or a secret manager",
        )


@rule(
    id="SR782",
    name="credentials-in-url",
    scope="module",  # whether a URL sits in a docstring or usage text is read from the whole file
    needs_module=lambda ctx: _prose_with_url(ctx),
    cwe=798,
    severity=MEDIUM,
    confidence=MEDIUM,
    relevant_in_tests=False,
    kind="text",
    summary="A URL carries a literal password (`scheme://user:password@host`).",
    why="Connection URLs end up in logs, error messages, process lists and dashboards, and with them the "
    "password. Placeholder passwords, example hosts (`example.com`, `localhost`, loopback addresses: a "
    "throwaway database on the same machine) and the accounts documentation uses as stand-ins (Oracle's "
    "demo `scott`/`tiger` that database libraries' docs reuse, `user:pass`, `username:password`) are not "
    "reported, nor a URL inside prose in Python source: a docstring or a multi-line string of several "
    "sentences' words (usage text showing the option's format) is documentation, not a connection.",
    bad='DATABASE_URL = "postgresql://app:Xk2-pr0d-pw@db.internal:5432/app"',  # secreview: ignore[SR782] docs
    good='DATABASE_URL = os.environ["DATABASE_URL"]\n'
    "# or build it from parts: user from config, password from a secret manager",
)
def credentials_in_url(ctx: TextContext) -> Iterator[Finding]:
    scan = _scan(ctx)
    if scan.kind == "docs":
        return
    hits = scan.generic_of("url")
    prose = _prose_strings(ctx) if hits and scan.kind == "python" else []
    for hit in hits:
        if any(_within(span, hit) for span in prose):
            continue  # an example in a docstring or usage text, not a URL the program connects to
        yield _finding(
            credentials_in_url,
            ctx,
            scan,
            hit,
            f"{hit.provider} for user `{hit.key}` (`{hit.masked}`); read the password from the environment "
            "or a secret manager",
        )


_PROSE: CacheKey[list[tuple[int, int, int, int]]] = CacheKey("docstrings and prose strings of a Python file")
_PROSE_WORDS = 8  # a usage text or explanation, not a command line or a connection string


def _prose_strings(ctx: TextContext) -> list[tuple[int, int, int, int]]:
    """Spans (start line, start column, end line, end column) of the file's docstrings and of its
    multi-line string literals made of words (usage texts). A file with a syntax error is read
    as the analysis reads it, its broken lines blanked (``parse_tolerant``): a docstring stays
    one while the code below it is being typed."""

    def find() -> list[tuple[int, int, int, int]]:
        try:
            try:
                tree = ast.parse(ctx.text)
            except SyntaxError:
                tree = parse_tolerant(ctx.text, ctx.path).tree
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return []
        docstrings = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
                first = node.body[0]
                if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                    docstrings.add(id(first.value))
        spans = []
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or node.end_lineno is None:
                continue
            prose = "\n" in node.value and len(node.value.split()) >= _PROSE_WORDS
            if id(node) in docstrings or prose:
                spans.append((node.lineno, node.col_offset, node.end_lineno, node.end_col_offset or 0))
        return spans

    return ctx.cache.get(_PROSE, find)


def _prose_with_url(ctx: RuleContext) -> bool:
    """A string statement at module level with ``://`` and ``@`` in it: whether it is the module's
    docstring depends on what comes before it in the file, which a chunk's view does not show (a
    docstring of a function or class, and a multi-line string of words, are judged by the string
    and its own definition alone)."""
    return any(
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
        and "://" in statement.value.value
        and "@" in statement.value.value
        for statement in ctx.facts.tree.body
    )


def _within(span: tuple[int, int, int, int], hit: sv.SecretHit) -> bool:
    start_line, start_col, end_line, end_col = span
    if not start_line <= hit.line <= end_line:
        return False
    return (hit.line > start_line or hit.start_col >= start_col) and (hit.line < end_line or hit.end_col <= end_col)
