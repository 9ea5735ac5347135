"""A small project with known findings, shared by the report and review tests."""

from __future__ import annotations

import random
import string
from pathlib import Path

from secreview_ls.config import Config
from secreview_ls.pipeline.scan import ScanResult, scan_paths

# A payload in the scanned code itself: reports must show it as text.
PAYLOAD = "</script><img src=x onerror=alert(1)>"

VIEWS = f"""import sqlite3
import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.route("/user")
def user():
    name = request.args["name"]
    query = "SELECT * FROM users WHERE name = '" + name + "'"
    conn = sqlite3.connect("app.db")
    return str(conn.execute(query).fetchall())


@app.route("/ping")
def ping():
    host = request.args.get("host", "")
    # {PAYLOAD}
    return subprocess.check_output("ping -c 1 " + host, shell=True)


def load(blob):
    import yaml
    return yaml.load(blob)  # "<b>{PAYLOAD}</b>"
"""

CLEAN_API = """import hashlib
import subprocess

import requests
import yaml
from flask import request


def listing(files):
    return subprocess.run(["/bin/ls", "-l", *files], check=True, capture_output=True)


def fetch():
    return requests.get("https://api.example.org/items", timeout=5)


def config(blob):
    return yaml.safe_load(blob)


def digest(data):
    return hashlib.sha256(data).hexdigest()


def lookup(conn):
    name = request.args["name"]
    return conn.execute("SELECT id FROM users WHERE name = ?", (name,)).fetchone()
"""

UNIT_TEST = """from app.views import load


def test_load_reads_a_mapping():
    assert load("a: 1") == {"a": 1}
"""


def github_token(seed: int = 7) -> str:
    rng = random.Random(seed)
    return "gh" + "p_" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(36))


def make_project(root: Path) -> Path:
    (root / "app").mkdir(parents=True, exist_ok=True)
    (root / "tests").mkdir(exist_ok=True)
    (root / "app" / "views.py").write_text(VIEWS, encoding="utf-8")
    (root / "app" / "api.py").write_text(CLEAN_API, encoding="utf-8")
    (root / "tests" / "test_views.py").write_text(UNIT_TEST, encoding="utf-8")
    (root / "deploy.env").write_text(f"DB_PASSWORD=Pr0d-s3cret!\nGITHUB_TOKEN={github_token()}\n", encoding="utf-8")
    return root


def scan_project(root: Path) -> ScanResult:
    make_project(root)
    return scan_paths([root], Config(root=root), jobs=1)


def test_the_shared_project_has_the_findings_the_report_tests_rely_on(tmp_path: Path) -> None:
    scan = scan_project(tmp_path)
    by_file = {Path(r.path).name: sorted(f.rule_id for f in r.findings) for r in scan.results}
    assert {"SR801", "SR802", "SR401"} <= set(by_file["views.py"])
    assert by_file["deploy.env"] == ["SR762", "SR780"]
    assert by_file["api.py"] == []
    assert by_file["test_views.py"] == []
    assert any(f.flow for f in scan.findings())
    assert any(f.fix is not None for f in scan.findings())
