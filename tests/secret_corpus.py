"""A project full of real-format credentials, generated at run time (the repository holds
no string that looks like a live key), for checking that no output ever prints one."""

from __future__ import annotations

import random
import string
from pathlib import Path

ALNUM = string.ascii_letters + string.digits
_RNG = random.Random(7305)


def _rnd(length: int, alphabet: str = ALNUM) -> str:
    return "".join(_RNG.choice(alphabet) for _ in range(length))


#: name -> (public part a message may show, secret part that must never appear)
SECRETS: dict[str, tuple[str, str]] = {
    "stripe": ("sk" + "_live_", _rnd(24)),
    "github": ("gh" + "p_", _rnd(36)),
    "slack": ("xo" + "xb-", _rnd(11, string.digits) + "-" + _rnd(12, string.digits) + "-" + _rnd(24)),
    "aws_id": ("AK" + "IA", _rnd(16, string.ascii_uppercase + "234567")),
    "aws_secret": ("", _rnd(38, ALNUM + "/+") + "a1"),
    "db_password": ("", "Vb7" + _rnd(9)),
    "password": ("", "Tr0" + _rnd(11)),
    "key_body": ("", _rnd(64, ALNUM + "+/")),
}


def value(name: str) -> str:
    public, secret = SECRETS[name]
    return public + secret


def write_project(root: Path) -> Path:
    """A small project whose findings share lines with credentials; returns its root."""
    (root / "pyproject.toml").write_text("[tool.secreview]\n", encoding="utf-8")
    (root / "app.py").write_text(
        "import requests\n"
        "\n"
        f'STRIPE_KEY = "{value("stripe")}"\n'
        f'AWS_ACCESS_KEY_ID = "{value("aws_id")}"\n'
        f'AWS_SECRET_ACCESS_KEY = "{value("aws_secret")}"\n'
        f'DATABASE_URL = "postgresql://app:{value("db_password")}@db.internal/app"\n'
        "\n"
        "\n"
        "def fetch(url):\n"
        f'    return requests.get(url, headers={{"Authorization": "token {value("github")}"}}, verify=False)\n'
        "\n"
        "\n"
        "def login(client):\n"
        f'    password = "{value("password")}"\n'
        "    return client.login('admin', password)\n",
        encoding="utf-8",
    )
    (root / "deploy.env").write_text(
        f"SLACK_BOT_TOKEN={value('slack')}\nGITHUB_TOKEN={value('github')}\n", encoding="utf-8"
    )
    (root / "id_rsa").write_text(
        "-----BEGIN RSA PRIVATE KEY-----\n" + value("key_body") + "\n-----END RSA PRIVATE KEY-----\n",
        encoding="utf-8",
    )
    return root


def leaked_pieces(output: str) -> list[str]:
    """The secret parts (or any 8-character piece of one) that ``output`` shows."""
    leaks = []
    for name, (_public, secret) in SECRETS.items():
        pieces = {secret[i : i + 8] for i in range(len(secret) - 7)}
        if any(piece in output for piece in pieces):
            leaks.append(name)
    return leaks
