"""The frame reader: valid frames in any chunking, and every kind of bad frame is reported
and followed by the next valid frame."""

from __future__ import annotations

import json
import random

import pytest

from secreview_ls.lsp.framing import FrameReader, Message, Problem


def frame(payload: object, *, length: int | None = None, newline: bytes = b"\r\n", extra: bytes = b"") -> bytes:
    body = json.dumps(payload).encode()
    size = len(body) if length is None else length
    return b"Content-Length: " + str(size).encode() + newline + extra + newline + body


def events(reader: FrameReader, data: bytes = b"") -> list[Message | Problem]:
    reader.feed(data)
    out: list[Message | Problem] = []
    while (event := reader.next_event()) is not None:
        out.append(event)
    return out


def messages(found: list[Message | Problem]) -> list[object]:
    return [e.data for e in found if isinstance(e, Message)]


PING = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
PONG = {"jsonrpc": "2.0", "id": 2, "method": "pong"}


def test_frames_split_at_every_byte() -> None:
    data = frame(PING) + frame(PONG, extra=b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n")
    reader = FrameReader()
    found: list[Message | Problem] = []
    for index in range(len(data)):
        found += events(reader, data[index : index + 1])
    assert messages(found) == [PING, PONG]
    assert not [e for e in found if isinstance(e, Problem)]


def test_lf_only_headers_and_any_case_are_read() -> None:
    data = frame(PING, newline=b"\n") + b"content-length:%d\r\n\r\n%s" % (
        len(json.dumps(PONG)),
        json.dumps(PONG).encode(),
    )
    assert messages(events(FrameReader(), data)) == [PING, PONG]


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (b"\r\n" + json.dumps(PING).encode(), "not a frame"),
        (b"Content-Type: text/plain\r\n\r\n" + json.dumps(PING).encode(), "without Content-Length"),
        (b"Content-Length: abc\r\n\r\n" + json.dumps(PING).encode(), "not a number"),
        (b"Content-Length: -5\r\n\r\n" + json.dumps(PING).encode(), "not a number"),
        (b"Content-Length: 99999999999\r\n\r\n" + json.dumps(PING).encode(), "over the limit"),
        (b"Content-Length: 999999999999999999999999999\r\n\r\n{}", "over the limit"),
        (b"garbage that is no header\r\n", "not a header"),
        (b"x" * 50_000, "not a frame"),
    ],
)
def test_a_bad_frame_is_reported_and_the_next_frame_is_read(bad: bytes, reason: str) -> None:
    found = events(FrameReader(max_header_line=1024), bad + frame(PONG) + frame(PING))
    problems = [e.message for e in found if isinstance(e, Problem)]
    assert problems and any(reason in p for p in problems), problems
    assert messages(found)[-2:] == [PONG, PING]


def test_a_huge_length_allocates_nothing() -> None:
    reader = FrameReader(max_message_bytes=1024, max_header_line=1024)
    found = events(reader, b"Content-Length: 99999999999\r\n\r\n" + b"a" * 5000)
    assert any("over the limit" in e.message for e in found if isinstance(e, Problem))
    assert reader.buffered < 2048
    assert messages(events(reader, b"\r\n" + frame(PING))) == [PING]


def test_an_overlong_line_of_garbage_is_dropped_as_it_arrives() -> None:
    reader = FrameReader(max_header_line=1024)
    for _ in range(100):
        events(reader, b"z" * 4096)
        assert reader.buffered <= 1024 + 4096
    assert messages(events(reader, b"\n" + frame(PING))) == [PING]


def test_a_short_length_costs_one_message() -> None:
    body = json.dumps(PING).encode()
    found = events(FrameReader(), b"Content-Length: %d\r\n\r\n%s" % (len(body) - 5, body) + frame(PONG))
    assert any(isinstance(e, Problem) and e.parse_error for e in found)
    assert messages(found) == [PONG]


def test_a_long_length_gives_the_next_frame_back() -> None:
    body = json.dumps(PING).encode()
    found = events(FrameReader(), b"Content-Length: %d\r\n\r\n%s" % (len(body) + 30, body) + frame(PONG) + frame(PING))
    assert messages(found) == [PING, PONG, PING]


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe\x00", b"[" * 100_000, b"1e999999999999"])
def test_a_body_that_is_not_json_is_a_parse_error(body: bytes) -> None:
    found = events(FrameReader(), b"Content-Length: %d\r\n\r\n%s" % (len(body), body) + frame(PONG))
    assert any(isinstance(e, Problem) and e.parse_error for e in found) or messages(found)[0] != PONG
    assert messages(found)[-1] == PONG


def test_random_garbage_between_frames_never_loses_a_later_frame() -> None:
    rng = random.Random(7)
    reader = FrameReader(max_header_line=512)
    for round_ in range(300):
        garbage = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 700)))
        found = events(reader, garbage + b"\r\n\r\n" + frame({"n": round_}))
        assert messages(found)[-1:] == [{"n": round_}], (round_, garbage)


def test_a_long_length_is_cut_at_the_next_header_before_the_rest_arrives() -> None:
    body = json.dumps(PING).encode()
    reader = FrameReader()
    assert events(reader, b"Content-Length: %d\r\n\r\n%s" % (len(body) + 5000, body)) == []
    found = events(reader, frame(PONG)[:30])
    found += events(reader, frame(PONG)[30:])
    assert messages(found) == [PING, PONG]


def test_a_body_arriving_in_pieces_is_searched_once() -> None:
    text = json.dumps({"jsonrpc": "2.0", "method": "x", "params": {"text": "Content-Length: 5\r\n" * 20_000}}).encode()
    reader = FrameReader()
    reader.feed(b"Content-Length: %d\r\n\r\n" % len(text))
    found: list[Message | Problem] = []
    for index in range(0, len(text), 4096):
        found += events(reader, text[index : index + 4096])
    assert [type(e) for e in found] == [Message]


@pytest.mark.parametrize("extra", [1, 2, 7, 16])
def test_a_length_a_few_bytes_too_long_keeps_the_next_frame(extra: int) -> None:
    body = json.dumps(PING).encode()
    found = events(
        FrameReader(), b"Content-Length: %d\r\n\r\n%s" % (len(body) + extra, body) + frame(PONG) + frame(PING)
    )
    assert messages(found) == [PING, PONG, PING]
