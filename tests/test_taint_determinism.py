"""Taint findings and their data-flow paths do not depend on the hash seed of the process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

# A value that may or may not pass through an unmodelled call (``verify``) and is then joined:
# both strands have the same origin, and only one path may be reported, always the same.
SNIPPET = textwrap.dedent(
    """
    import pickle
    from flask import request

    def serve(conn, verify, checker):
        chunk = conn.recv(4)
        while len(chunk) < 10:
            chunk = chunk + conn.recv(4)
        if verify is not None:
            chunk = verify(chunk)
        if checker:
            chunk = checker.check(chunk, request.args["mode"])
        if chunk is not None:
            chunk = chunk.decode("utf-8")
            return eval(chunk)

    def view():
        name = request.args.get("name")
        if request.args.get("wrap"):
            name = wrap(name)
        if request.args.get("upper"):
            name = name.upper()
        return eval(compile(name, "<input>", "eval"))
    """
)

PROGRAM = textwrap.dedent(
    """
    import json, sys
    from secreview_ls.config import Config
    from secreview_ls.pipeline import analyze_source
    result = analyze_source(sys.stdin.read(), "app.py", Config(select=("SR8",)))
    print(json.dumps([
        [f.rule_id, f.span.start_line, f.message, [(s.span.start_line, s.note) for s in f.flow]]
        for f in result.findings
    ]))
    """
)


def _findings_under_seed(seed: int) -> list:
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM], input=SNIPPET, capture_output=True, text=True, env=env, check=True
    )
    return json.loads(done.stdout)


@pytest.mark.slow
def test_flow_paths_are_the_same_under_every_hash_seed() -> None:
    outputs = [_findings_under_seed(seed) for seed in (0, 1, 2, 3, 4, 5, 6, 7)]
    assert outputs[0], "the snippet must produce findings"
    assert all(out == outputs[0] for out in outputs[1:])
