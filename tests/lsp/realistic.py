"""Generate realistic Flask/Django-style Python modules for incremental-analysis tests and
the latency benchmark: imports, decorated routes, classes, helpers, docstrings, non-ASCII
text, and a handful of real security defects spread through the file."""

from __future__ import annotations

import random

HEADER = '''"""Service module: HTTP handlers, persistence helpers and background jobs."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import random
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import requests
import yaml
from flask import Flask, jsonify, request

log = logging.getLogger(__name__)
app = Flask(__name__)
DATA_DIR = Path(os.environ.get("DATA_DIR", "/var/lib/service"))
GREETING = "Grüß Gott — 😀 welcome"

'''

_ROUTE = '''
@app.route("/{name}/<int:item_id>", methods=["GET", "POST"])
def {name}_view(item_id: int):
    """Return the {name} record as JSON (é, ü, 😀 in messages)."""
    payload = request.get_json(silent=True) or {{}}
    limit = int(request.args.get("limit", {num}))
    items = [{{"id": i, "label": f"{name}-{{i}}"}} for i in range(limit) if i % {mod} == 0]
    if not items:
        log.info("no %s items for %s", "{name}", item_id)
        return jsonify({{"items": [], "greeting": GREETING}}), 404
    try:
        total = sum(entry["id"] for entry in items)
    except (KeyError, TypeError) as error:
        log.warning("bad payload %r: %s", payload, error)
        total = 0
    return jsonify({{"items": items, "total": total, "id": item_id}})
'''

_CLASS = '''

@dataclass
class {cname}Record:
    """A persisted {name} record."""

    identifier: int
    title: str = "{name}"
    tags: list[str] = field(default_factory=list)

    def describe(self) -> str:
        label = ", ".join(sorted(self.tags)) or "untagged"
        return f"{{self.title}} #{{self.identifier}} ({{label}})"

    def to_json(self) -> str:
        return json.dumps({{"id": self.identifier, "title": self.title, "tags": self.tags}})

    @classmethod
    def from_row(cls, row: tuple[int, str]) -> "{cname}Record":
        identifier, title = row
        return cls(identifier=identifier, title=title.strip())
'''

_HELPER = '''

def {name}_summary(records: list[dict[str, object]], *, threshold: int = {num}) -> dict[str, int]:
    """Count records per state above ``threshold``."""
    counts: dict[str, int] = {{}}
    for record in records:
        state = str(record.get("state", "unknown"))
        weight = int(record.get("weight", 0))
        if weight < threshold:
            continue
        counts[state] = counts.get(state, 0) + weight
    with open(DATA_DIR / "{name}.log", "a", encoding="utf-8") as handle:
        handle.write(json.dumps(counts) + "\\n")
    return counts
'''

_SERVICE = '''

class {cname}Service:
    """Talks to the {name} backend."""

    def __init__(self, base_url: str, timeout: float = {num}.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._cache: dict[str, object] = {{}}

    def fetch(self, key: str) -> object:
        if key in self._cache:
            return self._cache[key]
        response = requests.get(f"{{self.base_url}}/{name}/{{key}}", timeout=self.timeout)
        response.raise_for_status()
        value = response.json()
        self._cache[key] = value
        return value

    def refresh(self) -> int:
        refreshed = 0
        for key in list(self._cache):
            self._cache.pop(key, None)
            self.fetch(key)
            refreshed += 1
        return refreshed
'''

# Each defect template yields exactly the findings the current rules report.
_DEFECTS = (
    '''

def load_{name}_settings(text: str) -> dict:
    """Parse settings uploaded by an operator."""
    settings = yaml.load(text)
    return dict(settings or {{}})
''',
    """

def restore_{name}_session(blob: bytes) -> object:
    return pickle.loads(blob)
""",
    """

def run_{name}_job(command: str) -> int:
    return subprocess.call(command, shell=True)
""",
    """

def {name}_fingerprint(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()
""",
    """

def fetch_{name}_insecure(url: str) -> bytes:
    return requests.get(url, verify=False, timeout=5).content
""",
    """

def scratch_{name}_file() -> str:
    return tempfile.mktemp(suffix=".{name}")
""",
    """

def {name}_lookup(conn: sqlite3.Connection, user: str) -> list:
    cursor = conn.cursor()
    cursor.execute(f"SELECT * FROM {name} WHERE owner = '{{user}}'")
    return cursor.fetchall()
""",
    """

def {name}_token() -> str:
    return str(random.random())
""",
)

_WORDS = (
    "account",
    "invoice",
    "order",
    "ticket",
    "report",
    "shipment",
    "profile",
    "audit",
    "billing",
    "catalog",
    "session",
    "upload",
    "export",
    "metric",
    "alert",
    "backup",
)


def generate(lines: int, seed: int = 0, defects_every: int = 6) -> str:
    """A module of at least ``lines`` lines (truncated at a top-level boundary)."""
    rng = random.Random(seed)
    parts = [HEADER]
    count = HEADER.count("\n")
    index = 0
    templates = (_ROUTE, _CLASS, _HELPER, _SERVICE)
    while count < lines:
        word = rng.choice(_WORDS)
        name = f"{word}_{index}"
        if index % defects_every == defects_every - 1:
            template = _DEFECTS[(index // defects_every) % len(_DEFECTS)]
        else:
            template = templates[index % len(templates)]
        text = template.format(
            name=name, cname=name.title().replace("_", ""), num=rng.randint(2, 90), mod=rng.randint(2, 5)
        )
        parts.append(text)
        count += text.count("\n")
        index += 1
    return "".join(parts)
