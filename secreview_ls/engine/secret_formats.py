"""Provider credential formats (cloud keys, API tokens, private keys, JWTs) found by
their shape; each format checks its hint's literal texts with ``str.__contains__`` before
its regex runs, so text without the hint costs a few substring searches per format."""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from .secret_values import LineIndex, SecretHit, is_placeholder, looks_random

# -- provider formats ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Verdict:
    """A validator's decision on a candidate: kept, with an optional note and extent."""

    note: str = ""
    weak: bool = False  # expired, encrypted: still a leak, less urgent
    end: int | None = None  # text offset where the secret really ends (key bodies on the same line)


Validator = Callable[[str, str, int], "Verdict | None"]  # (value, text, offset) -> None when rejected
KEEP = Verdict()


@dataclass(frozen=True)
class ProviderFormat:
    """A credential with a recognisable shape (fixed prefix, fixed length)."""

    detector: str
    provider: str
    hint: str  # a regex starting with a literal: cheap to search for, required for a match
    pattern: re.Pattern[str]
    visible_prefix: Callable[[str], int] = lambda value: 0
    validate: Validator | None = None

    @property
    def hint_words(self) -> tuple[str, ...]:
        """The texts ``hint`` matches (a text holds a match iff it holds one of them)."""
        return hint_words(self.hint)


@cache
def hint_bytes(hint: str) -> tuple[bytes, ...]:
    """``hint_words`` in ASCII bytes."""
    return tuple(word.encode("ascii") for word in hint_words(hint))


@cache
def hint_words(hint: str) -> tuple[str, ...]:
    """Every text the regex ``hint`` matches, for hints made of literal characters, escaped
    punctuation (``\\.``), one-character classes (``[pou]``) and one non-nested group of
    alternatives (``(?:a|b)``): a substring search for each beats a regex scan of a big
    text (most of all a non-ASCII one)."""
    words = [""]
    at = 0
    while at < len(hint):
        char = hint[at]
        if hint.startswith("(?:", at):
            end = hint.index(")", at)
            options = [w for option in hint[at + 3 : end].split("|") for w in hint_words(option)]
            at = end + 1
        elif char == "[":
            end = hint.index("]", at)
            options = list(hint[at + 1 : end])
            at = end + 1
        elif char == "\\":
            options = [hint[at + 1]]
            at += 2
        elif char in "()|?*+{}^$.":
            raise ValueError(f"hint {hint!r} is not a finite set of literal texts")
        else:
            options = [char]
            at += 1
        words = [w + option for w in words for option in options]
    return tuple(words)


def _plain(value: str, text: str, offset: int) -> Verdict | None:
    return None if is_placeholder(value) else KEEP


def _random_tail(prefix_len: int, min_length: int = 16) -> Validator:
    def check(value: str, text: str, offset: int) -> Verdict | None:
        tail = value[prefix_len:]
        if is_placeholder(tail) or not looks_random(tail, min_length=min_length):
            return None
        return KEEP

    return check


_PRESIGNED = re.compile(r"(?:X-Amz-Credential|AWSAccessKeyId)=$", re.IGNORECASE)


def _aws_key_id(value: str, text: str, offset: int) -> Verdict | None:
    tail = value[4:]
    if "EXAMPLE" in value or is_placeholder(tail) or len(set(tail)) < 8:
        return None
    if _PRESIGNED.search(text, max(0, offset - 20), offset):
        # A pre-signed URL carries the key id by design; what it grants expires with the URL.
        return Verdict("in a pre-signed URL", weak=True)
    return Verdict("temporary (STS) credential") if value.startswith("ASIA") else KEEP


def _b64json(segment: str) -> object:
    padded = segment + "=" * (-len(segment) % 4)
    try:
        return json.loads(base64.urlsafe_b64decode(padded))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None


def _jwt(value: str, text: str, offset: int) -> Verdict | None:
    header_part, payload_part, _signature = value.split(".", 2)
    header = _b64json(header_part)
    if not isinstance(header, dict) or "alg" not in header:
        return None
    if str(header.get("alg", "")).lower() == "none":
        return None
    payload = _b64json(payload_part)
    if not isinstance(payload, dict):
        return None
    exp = payload.get("exp")
    if isinstance(exp, (int, float)) and not isinstance(exp, bool):
        try:
            when = _dt.datetime.fromtimestamp(exp, tz=_dt.UTC)
        except (OverflowError, OSError, ValueError):
            return KEEP
        if when < _dt.datetime.now(tz=_dt.UTC):
            return Verdict(f"expired {when:%Y-%m-%d}", weak=True)
        return Verdict(f"valid until {when:%Y-%m-%d}")
    return Verdict("no expiry claim")


_KEY_BODY = re.compile(r"(?:\\[rn]|[\s\"'+,|(]|b\"|b')*(?:[A-Za-z0-9-]+:[^\n]*\n\s*)*[A-Za-z0-9+/=]{40,}")
_SAME_LINE_BODY = re.compile(r"(?:\\[rn]|[A-Za-z0-9+/=:, \t-]|\.\.\.)*(?:-----END [A-Z0-9 ]*-----)?")


def _private_key(value: str, text: str, offset: int) -> Verdict | None:
    """Only a header followed by key material counts (parsers and docs mention headers alone)."""
    after = offset + len(value)
    if not _KEY_BODY.match(text, after, after + 400):
        return None
    body = text[after : after + 160]
    # Key material on the header's own line (``"-----BEGIN…-----\nMIIE…"`` in JSON or a string
    # literal) belongs to the secret, so masks cover it too.
    same_line = _SAME_LINE_BODY.match(text, after)
    end = same_line.end() if same_line and same_line.end() > after else None
    if "ENCRYPTED" in value or "Proc-Type: 4,ENCRYPTED" in body:
        return Verdict("encrypted with a passphrase", weak=True, end=end)
    if re.search(r"(?i)example|dummy|fake|xxxx|\.\.\.|…", body):
        return None  # documentation shows shortened or made-up keys
    return Verdict(end=end)


def _slack_webhook(value: str, text: str, offset: int) -> Verdict | None:
    tail = value.rsplit("/", 1)[-1]
    return KEEP if not is_placeholder(tail) and looks_random(tail, min_length=16) else None


def _prefix_through(marker: str) -> Callable[[str], int]:
    def visible(value: str) -> int:
        return value.find(marker) + len(marker)

    return visible


def _github_prefix(value: str) -> int:
    return 11 if value.startswith("github_pat_") else 4


_B = r"(?<![A-Za-z0-9_\-])"  # not glued to a longer token on the left
_E = r"(?![A-Za-z0-9_\-])"  # nor on the right

PROVIDER_FORMATS: tuple[ProviderFormat, ...] = (
    ProviderFormat(
        "aws-access-key-id",
        "AWS access key id",
        r"A(?:KIA|SIA|BIA|CCA)",
        re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])"),
        lambda value: 4,
        _aws_key_id,
    ),
    ProviderFormat(
        "github-token",
        "GitHub token",
        r"g(?:h[pousr]_|ithub_pat_)",
        re.compile(_B + r"(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})" + _E),
        _github_prefix,
        lambda value, text, offset: _random_tail(_github_prefix(value))(value, text, offset),
    ),
    ProviderFormat(
        "gitlab-token",
        "GitLab personal access token",
        "glpat-",
        re.compile(_B + r"glpat-[A-Za-z0-9_\-]{20,}" + _E),
        lambda value: 6,
        _random_tail(6),
    ),
    ProviderFormat(
        "slack-token",
        "Slack token",
        "xox",
        re.compile(_B + r"xox(?:[abprs]|e(?:\.xox[bp])?)-(?:[0-9]+-){1,3}[A-Za-z0-9]{8,}(?:-[A-Za-z0-9]+)*" + _E),
        lambda value: value.index("-") + 1,
        lambda value, text, offset: _random_tail(0, 8)(value.rsplit("-", 1)[-1], text, offset),
    ),
    ProviderFormat(
        "slack-webhook",
        "Slack incoming-webhook URL",
        r"hooks\.slack\.com/",
        re.compile(
            r"https://hooks\.slack\.com/(?:services|workflows|triggers)/T[A-Z0-9]{6,}/[A-Z0-9]{6,}/[A-Za-z0-9]{16,}"
        ),
        _prefix_through("slack.com/"),
        _slack_webhook,
    ),
    ProviderFormat(
        "stripe-live-key",
        "Stripe live secret key",
        "k_live_",
        re.compile(_B + r"[sr]k_live_[A-Za-z0-9]{20,}" + _E),
        lambda value: 8,
        _random_tail(8),
    ),
    ProviderFormat(
        "google-api-key",
        "Google API key",
        "AIza",
        re.compile(_B + r"AIza[A-Za-z0-9_\-]{35}" + _E),
        lambda value: 4,
        _random_tail(4),
    ),
    ProviderFormat(
        "private-key",
        "private key",
        "PRIVATE KEY",
        re.compile(r"-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----"),
        lambda value: len(value),
        _private_key,
    ),
    ProviderFormat(
        "jwt",
        "JSON Web Token",
        "eyJ",
        re.compile(_B + r"eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{16,}" + _E),
        lambda value: 3,
        _jwt,
    ),
    ProviderFormat(
        "pypi-token",
        "PyPI API token",
        "pypi-AgE",
        re.compile(_B + r"pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_\-]{50,}" + _E),
        lambda value: 5,
        _random_tail(24),
    ),
    ProviderFormat(
        "npm-token",
        "npm access token",
        "npm_",
        re.compile(_B + r"npm_[A-Za-z0-9]{36}" + _E),
        lambda value: 4,
        _random_tail(4),
    ),
    ProviderFormat(
        "openai-key",
        "OpenAI API key",
        "T3BlbkFJ",
        re.compile(_B + r"sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_\-]{16,}T3BlbkFJ[A-Za-z0-9_\-]{16,}" + _E),
        lambda value: 3,
        _plain,
    ),
    ProviderFormat(
        "anthropic-key",
        "Anthropic API key",
        "sk-ant-",
        re.compile(_B + r"sk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_\-]{80,}" + _E),
        lambda value: 7,
        _random_tail(14),
    ),
    ProviderFormat(
        "sendgrid-key",
        "SendGrid API key",
        r"SG\.",
        re.compile(_B + r"SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}" + _E),
        lambda value: 3,
        _random_tail(3),
    ),
)

FORMATS_BY_DETECTOR = {fmt.detector: fmt for fmt in PROVIDER_FORMATS}


def find_provider_secrets(text: str, detectors: frozenset[str] | None = None) -> list[SecretHit]:
    """Every provider-format credential in ``text`` (all detectors, or those named)."""
    hits: list[SecretHit] = []
    index: LineIndex | None = None
    # The hints are ASCII: in a non-ASCII text they occur where they occur in its UTF-8 bytes,
    # which a byte search scans much faster than a string of wide characters.
    data = None if text.isascii() else text.encode("utf-8", "surrogatepass")
    for fmt in PROVIDER_FORMATS:
        if detectors is not None and fmt.detector not in detectors:
            continue
        if data is None:
            if not any(word in text for word in fmt.hint_words):
                continue
        elif not any(word in data for word in hint_bytes(fmt.hint)):
            continue
        for match in fmt.pattern.finditer(text):
            value = match.group(0)
            verdict = (fmt.validate or _plain)(value, text, match.start())
            if verdict is None:
                continue
            if index is None:
                index = LineIndex(text)
            line, col = index.position(match.start())
            shown = min(fmt.visible_prefix(value), len(value))
            if verdict.end is not None:
                value = text[match.start() : verdict.end]
            hits.append(
                SecretHit(
                    fmt.detector,
                    fmt.provider,
                    line,
                    col,
                    col + len(value),
                    value,
                    shown,
                    note=verdict.note,
                    weak=verdict.weak,
                )
            )
    return hits


def looks_like_provider_secret(value: str) -> bool:
    """True when ``value`` contains a provider-format credential (for rules that want to defer)."""
    return bool(find_provider_secrets(value))


# -- AWS secret access keys ---------------------------------------------------------------

_AWS_SECRET = re.compile(r"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
_AWS_SECRET_CONTEXT = re.compile(r"(?i)aws.{0,20}secret|secret.?access.?key|secretaccesskey")


def find_aws_secret_keys(
    lines: list[str], access_key_lines: Iterable[int], only: Iterable[int] | None = None
) -> list[SecretHit]:
    """40-character AWS secret keys on lines that name one, or within three lines of an access key id.

    ``only`` limits the search for named ones to these line numbers (lines without
    "secret" cannot name one).
    """
    near = {n for line in access_key_lines for n in range(line - 3, line + 4) if 1 <= n <= len(lines)}
    named = range(1, len(lines) + 1) if only is None else only
    hits: list[SecretHit] = []
    for number in sorted(near.union(named)):
        line = lines[number - 1]
        if number not in near and not _AWS_SECRET_CONTEXT.search(line):
            continue
        for match in _AWS_SECRET.finditer(line):
            value = match.group(0)
            if "EXAMPLE" in value or is_placeholder(value) or not looks_random(value, min_length=40):
                continue
            if not (any(c.isupper() for c in value) and any(c.islower() for c in value)):
                continue
            if value.count("/") > 4:  # a path, not a key
                continue
            hits.append(SecretHit("aws-secret-key", "AWS secret access key", number, match.start(), match.end(), value))
    return hits
