"""How SR311 (fixed IV/nonce) and SR312 (fixed salt) judge the value they are handed."""

from __future__ import annotations

from secreview_ls.config import Config
from secreview_ls.pipeline import analyze_source

HEADER = (
    "import hashlib, os\n"
    "from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes\n"
    "from cryptography.hazmat.primitives.ciphers.aead import AESGCM\n"
)


def _findings(body: str, rule_id: str, path: str = "app/crypto_box.py"):
    return [f for f in analyze_source(HEADER + body, path, Config()).findings if f.rule_id == rule_id]


def test_literal_iv_is_reported_without_its_bytes_in_the_message() -> None:
    [finding] = _findings("def seal(key):\n    return modes.CBC(b'k3y-iv-0123456789')\n", "SR311")
    assert finding.span.start_line == 5
    assert "k3y-iv" not in finding.message and "k3y-iv" not in str(finding.extra)
    assert finding.cwe == 329


def test_constant_bound_in_a_function_counts_as_fixed() -> None:
    body = "def seal(key, data):\n    nonce = b'\\x00' * 12\n    return AESGCM(key).encrypt(nonce, data, None)\n"
    assert len(_findings(body, "SR311")) == 1


def test_nonce_rebound_per_call_or_sized_by_a_parameter_is_quiet() -> None:
    body = (
        "def seal(key, data, size):\n"
        "    nonce = b'\\x00' * 12\n"
        "    nonce = os.urandom(12)\n"
        "    padded = modes.CBC(b'\\x00' * size)\n"
        "    return AESGCM(key).encrypt(nonce, data, None), padded\n"
    )
    assert not _findings(body, "SR311")


def test_aead_decrypt_with_a_constant_is_left_to_the_encrypting_side() -> None:
    body = "def open_(key, blob):\n    return AESGCM(key).decrypt(b'0' * 12, blob, None)\n"
    assert not _findings(body, "SR311")


def test_salt_judged_by_value_and_only_for_password_hashes() -> None:
    fixed = "def digest(pw):\n    return hashlib.pbkdf2_hmac('sha256', pw, 'pepper'.encode(), 1000)\n"
    fresh = "def digest(pw, salt):\n    return hashlib.pbkdf2_hmac('sha256', pw, salt, 1000)\n"
    assert [f.cwe for f in _findings(fixed, "SR312")] == [760]
    assert not _findings(fresh, "SR312")


def test_fixed_iv_in_test_code_is_quiet_by_default() -> None:
    body = "def test_vector(key):\n    assert modes.CBC(bytes(16))\n"
    assert _findings(body, "SR311", path="app/crypto_box.py")
    assert not _findings(body, "SR311", path="tests/test_crypto_box.py")
