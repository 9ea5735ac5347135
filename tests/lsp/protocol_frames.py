"""Hostile JSON-RPC input for a language server: the frame generator shared by the protocol
fuzz test (tests/lsp/test_protocol_fuzz.py) and the comparison with other servers
(benchmarks/protocol_fuzz.py).

Random and mutated input: broken headers, short, long and huge lengths, bodies that are not
JSON or not objects, wrong types in every field of the parameters of every method the
server answers, unknown methods, lifecycle messages out of order, and storms of
cancellations. ``Fuzzer.case()`` draws one case from a seeded ``random.Random``: the same
seed gives the same frames whatever the server answers.
"""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

from .rawclient import frame, hover_params

HOVER_AT = (4, 16)

WRONG: list[Any] = [
    None, -1, 0, 2**63, -(2**31) - 1, 1.5, float("1e308"), True, "", "x" * 5000, "file:///\u0000\ud7ff",
    [], [None], {}, {"unexpected": 1}, [[[[[]]]]], "../../etc/passwd",
]  # fmt: skip


def templates(good: str, other: str) -> list[tuple[str, bool, dict[str, Any]]]:
    """(method, is request, valid parameters) for everything the server answers."""
    document = {"uri": good}
    position = {"line": 4, "character": 16}
    span = {"start": {"line": 0, "character": 0}, "end": {"line": 4, "character": 20}}
    return [
        ("textDocument/hover", True, {"textDocument": document, "position": position}),
        (
            "textDocument/codeAction",
            True,
            {"textDocument": document, "range": span, "context": {"diagnostics": [], "only": ["quickfix"]}},
        ),
        ("textDocument/codeLens", True, {"textDocument": document}),
        ("textDocument/diagnostic", True, {"textDocument": document, "previousResultId": "1:1:x"}),
        ("workspace/executeCommand", True, {"command": "secreview.reviewFile", "arguments": [good]}),
        ("workspace/executeCommand", True, {"command": "secreview.showDocumentation", "arguments": ["SR401"]}),
        ("textDocument/completion", True, {"textDocument": document, "position": position}),
        (
            "textDocument/didOpen",
            False,
            {"textDocument": {"uri": other, "languageId": "python", "version": 1, "text": "eval(input())\n"}},
        ),
        (
            "textDocument/didChange",
            False,
            {"textDocument": {"uri": other, "version": 2}, "contentChanges": [{"range": span, "text": "x = 1\n"}]},
        ),
        (
            "textDocument/didChange",
            False,
            {"textDocument": {"uri": good, "version": 10**6}, "contentChanges": [{"text": "pass\n"}]},
        ),
        ("textDocument/didSave", False, {"textDocument": {"uri": other}}),
        ("textDocument/didClose", False, {"textDocument": {"uri": other}}),
        ("workspace/didChangeConfiguration", False, {"settings": None}),
        ("workspace/didChangeWatchedFiles", False, {"changes": [{"uri": other, "type": 2}]}),
        ("workspace/didChangeWorkspaceFolders", False, {"event": {"added": [], "removed": []}}),
        ("$/setTrace", False, {"value": "off"}),
        ("$/cancelRequest", False, {"id": 1}),
    ]


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a node of a JSON value (the root excluded)."""
    found: list[tuple[Any, ...]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found.append((*prefix, key))
            found.extend(paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.append((*prefix, index))
            found.extend(paths(item, (*prefix, index)))
    return found


def mutate(params: dict[str, Any], rng: random.Random) -> Any:
    """The parameters with one node replaced by a value of a wrong type, removed, or joined by
    an unknown key; sometimes the whole parameters replaced."""
    if rng.random() < 0.1:
        return copy.deepcopy(rng.choice(WRONG))
    mutated = copy.deepcopy(params)
    where = rng.choice(paths(mutated) or [("extra",)])
    parent: Any = mutated
    for step in where[:-1]:
        parent = parent[step]
    roll = rng.random()
    if roll < 0.15 and isinstance(parent, dict):
        parent.pop(where[-1], None)
    elif roll < 0.25 and isinstance(parent, dict):
        parent["unexpectedKey"] = rng.choice(WRONG)
    else:
        parent[where[-1]] = copy.deepcopy(rng.choice(WRONG))
    return mutated


class Fuzzer:
    def __init__(self, rng: random.Random, root: Path) -> None:
        self.rng = rng
        self.root = root
        self.good = (root / "good.py").as_uri()
        self.other = (root / "other.py").as_uri()
        self.next_id = 10_000
        self.expected: list[int] = []  # ids of requests in intact frames: each must be answered
        self.answered = 0
        self.kinds: dict[str, int] = {}

    def request_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def message(self, *, intact: bool) -> dict[str, Any]:
        method, is_request, params = self.rng.choice(templates(self.good, self.other))
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": mutate(params, self.rng)}
        if is_request or self.rng.random() < 0.1:
            message["id"] = self.request_id()
            if intact:
                self.expected.append(message["id"])
        return message

    def case(self) -> tuple[str, list[bytes]]:
        """A kind of hostile input and its frames."""
        rng = self.rng
        kind = rng.choice(
            ["mutated params", "mutated params", "mutated params", "bad header", "wrong length", "huge length",
             "not json", "not an object", "unknown method", "lifecycle", "cancel storm", "garbage"]
        )  # fmt: skip
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        if kind == "mutated params":
            return kind, [frame(self.message(intact=True)) for _ in range(rng.randint(1, 4))]
        body = json.dumps(self.message(intact=False)).encode()
        if kind == "bad header":
            header = rng.choice(
                [b"Content-Length: abc\r\n", b"Content-Type: text/plain\r\n", b"Content-Length: -3\r\n",
                 b"Content-Length: 1.5\r\n", b"Content-Length:\r\n", b"X: y\r\n", b"\xff\xfe\r\n"]
            )  # fmt: skip
            return kind, [header + b"\r\n" + body]
        if kind == "wrong length":
            delta = rng.choice([-len(body) + 1, -10, -1, 1, 10, 1000])
            return kind, [b"Content-Length: %d\r\n\r\n%s" % (max(len(body) + delta, 1), body)]
        if kind == "huge length":
            return kind, [b"Content-Length: %d\r\n\r\n%s" % (rng.choice([10**11, 2**63, 10**40, 70_000_000]), body)]
        if kind == "not json":
            junk = rng.choice(
                [b"{", b"{]", body[: len(body) // 2], b"\x00\x01\x02", b"[" * 50_000, b"nul", b'{"a": 1,}']
            )
            return kind, [b"Content-Length: %d\r\n\r\n%s" % (len(junk), junk)]
        if kind == "not an object":
            return kind, [
                frame(rng.choice([[], [self.message(intact=False)], 42, "x", None, True, [[1], {"a": None}]]))
            ]
        if kind == "unknown method":
            request_id = self.request_id()
            self.expected.append(request_id)
            name = rng.choice(["secreview/unknown", "$/unknown", "textDocument/typeHierarchy", "", "\u00e9"])
            return kind, [frame({"jsonrpc": "2.0", "id": request_id, "method": name, "params": {}}),
                          frame({"jsonrpc": "2.0", "method": name, "params": rng.choice(WRONG)})]  # fmt: skip
        if kind == "lifecycle":
            request_id = self.request_id()
            self.expected.append(request_id)
            choice = rng.choice(["initialize", "initialized", "response", "shutdown", "exit"])
            if choice == "initialize":
                return kind, [
                    frame({"jsonrpc": "2.0", "id": request_id, "method": "initialize", "params": {"capabilities": {}}})
                ]
            if choice == "initialized":
                self.expected.pop()
                return kind, [frame({"jsonrpc": "2.0", "method": "initialized", "params": {}})]
            if choice == "exit":
                self.expected.pop()
                return "exit", [frame({"jsonrpc": "2.0", "method": "exit", "params": rng.choice(WRONG)})]
            if choice == "response":
                self.expected.pop()
                return kind, [frame({"jsonrpc": "2.0", "id": rng.choice([1, "x", None]), "result": rng.choice(WRONG)})]
            return "shutdown", [frame({"jsonrpc": "2.0", "id": request_id, "method": "shutdown"})]
        if kind == "cancel storm":
            frames = []
            for _ in range(rng.randint(20, 60)):
                request_id = self.request_id()
                self.expected.append(request_id)
                params = hover_params(self.good, *HOVER_AT)
                frames.append(
                    frame({"jsonrpc": "2.0", "id": request_id, "method": "textDocument/hover", "params": params})
                )
                target = rng.choice([request_id, request_id - 1, rng.randint(-5, 10**9), "x", None])
                frames.append(frame({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": target}}))
            return kind, frames
        return kind, [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000)))]
