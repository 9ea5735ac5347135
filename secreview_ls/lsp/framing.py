"""The LSP base protocol's framing, read defensively: ``Content-Length`` headers, a body.

:class:`FrameReader` takes bytes as they arrive and hands out one event at a time: a
decoded message, or a problem with the stream. It never buffers more than
``max_message_bytes`` plus one read, whatever the peer sends:

- header lines may end with ``\\r\\n`` or a bare ``\\n``; header names are
  case-insensitive; other headers (``Content-Type``) are accepted and ignored;
- a frame without a usable ``Content-Length`` (missing, not a number, over the
  cap), a line that is not a header, and bytes that are not JSON are problems:
  they are reported and the reader resynchronises on the next line that is a
  ``Content-Length`` header, even when it follows garbage on the same line;
- a body that holds such a header, or a whole JSON value followed by more bytes, was given
  too long a length (a header is found even before all of the body arrived): the message
  before them is taken alone, and the rest starts the next frame.

A ``Content-Length: \\d+`` line with a real line break cannot occur inside a JSON text
(JSON strings escape control characters), so resynchronising never cuts a valid message.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

MAX_MESSAGE_BYTES = 64 * 1024 * 1024  # a document over the analyzer's size limit fits many times over
MAX_HEADER_LINE = 8 * 1024
_HEADER = re.compile(rb"content-length[ \t]*:[ \t]*([0-9]+)[ \t]*\r?\n", re.IGNORECASE)
_HEADER_START = re.compile(rb"content-length[ \t]*:", re.IGNORECASE)
_TOKEN = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_TAIL = len(b"content-length :")  # bytes kept from discarded garbage: a header may start in them
_DECODER = json.JSONDecoder()
_OVERLAP = 64  # bytes searched again when more of a body arrives (a header may straddle reads)


@dataclass(frozen=True)
class Message:
    """A frame whose body is JSON (of any shape: the protocol layer checks it)."""

    data: Any
    size: int


@dataclass(frozen=True)
class Problem:
    """Something in the stream that is not a valid frame; ``parse_error`` when a body was
    read but is not JSON (JSON-RPC answers that with a parse error)."""

    message: str
    parse_error: bool = False


Event = Message | Problem


class FrameReader:
    """Bytes in (:meth:`feed`), messages and problems out (:meth:`next_event`)."""

    def __init__(self, max_message_bytes: int = MAX_MESSAGE_BYTES, max_header_line: int = MAX_HEADER_LINE) -> None:
        self.max_message_bytes = max_message_bytes
        self.max_header_line = max_header_line
        self._buffer = bytearray()
        self._length: int | None = None  # Content-Length of the frame being read
        self._headers = 0  # header lines read for the frame being read
        self._invalid = ""  # why the frame being read will be dropped
        self._in_body = False
        self._skipping = False  # inside an over-long line of garbage
        self._scanned = 0  # bytes of the current body already searched for a header

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def feed(self, data: bytes) -> None:
        self._buffer += data

    def next_event(self) -> Event | None:
        """The next message or problem; None when more bytes are needed."""
        while True:
            if self._in_body:
                return self._body()
            newline = self._buffer.find(b"\n")
            if newline < 0:
                return self._partial_line()
            line = bytes(self._buffer[: newline + 1])
            del self._buffer[: newline + 1]
            if self._skipping:
                self._skipping = False
                resumed = self._resume_in(line)
                if resumed is not None:
                    return resumed
                continue
            event = self._header_line(line)
            if event is not None:
                return event

    # -- headers -------------------------------------------------------------------

    def _header_line(self, line: bytes) -> Event | None:
        content = line.rstrip(b"\r\n")
        if not content:
            return self._end_of_headers()
        found = _HEADER_START.search(content)
        if found is not None and found.start() > 0:
            # Garbage, or the tail of a body that was cut short, before a header: resume there.
            self._buffer[:0] = line[found.start() :]
            self._reset()
            return Problem(f"skipped {found.start()} bytes that are not a frame: {_show(content[: found.start()])}")
        name, colon, value = content.partition(b":")
        if colon and _TOKEN.fullmatch(name.strip()):
            self._headers += 1
            if name.strip().lower() == b"content-length":
                self._content_length(value.strip())
            return None
        self._reset()
        return Problem(f"skipped a line that is not a header: {_show(content)}")

    def _content_length(self, value: bytes) -> None:
        if not value.isdigit() or not value.isascii():
            self._invalid = f"a frame whose Content-Length is not a number ({_show(value)})"
        elif len(value) > 18 or int(value) > self.max_message_bytes:
            self._invalid = f"a message of {int(value):,} bytes (over the limit of {self.max_message_bytes:,} bytes)"
        else:
            self._length = int(value)

    def _end_of_headers(self) -> Event | None:
        if not self._headers:
            return None  # a stray blank line between frames
        if self._invalid or self._length is None:
            reason = self._invalid or "a frame without Content-Length"
            self._reset()
            return Problem(f"dropped {reason}; waiting for the next Content-Length header")
        self._in_body = True
        return None

    def _partial_line(self) -> Event | None:
        """No line break buffered: wait, unless the line is already too long for a header."""
        if len(self._buffer) <= self.max_header_line:
            return None
        found = _HEADER_START.search(self._buffer)
        if found is not None and found.start() > 0 and len(self._buffer) - found.start() <= self.max_header_line:
            skipped = found.start()
            del self._buffer[:skipped]
            self._reset()
            return Problem(f"skipped {skipped:,} bytes that are not a frame")
        was_skipping = self._skipping
        dropped = len(self._buffer) - _TAIL
        del self._buffer[:dropped]
        self._skipping = True
        self._reset()
        return None if was_skipping else Problem("skipped an over-long line that is not a header")

    def _resume_in(self, line: bytes) -> Event | None:
        """The end of an over-long garbage line: a header may start inside it."""
        found = _HEADER_START.search(line)
        if found is not None:
            self._buffer[:0] = line[found.start() :]
        return None

    def _reset(self) -> None:
        self._length = None
        self._headers = 0
        self._invalid = ""
        self._in_body = False
        self._scanned = 0

    # -- body ----------------------------------------------------------------------

    def _body(self) -> Event | None:
        length = self._length or 0
        if len(self._buffer) < length:
            # A header among the bytes received so far means the length runs into the next
            # frame (it cannot occur inside a JSON text): the body ends there.
            header = _HEADER.search(self._buffer, max(self._scanned - _OVERLAP, 0))
            self._scanned = len(self._buffer)
            if header is None:
                return None
            length = header.start()
        body = bytes(self._buffer[:length])
        del self._buffer[:length]
        self._reset()
        try:
            return Message(json.loads(body), length)
        except (ValueError, RecursionError):
            pass
        value, end = _leading_json(body)
        if end:
            # A whole JSON value, then the first bytes of the next frame: the length was long.
            self._buffer[:0] = body[end:]
            return Message(value, end)
        header = _HEADER.search(body)
        if header is not None:
            # The length ran into the next frame: that frame starts at the header.
            self._buffer[:0] = body[header.start() :]
            body = body[: header.start()]
            try:
                return Message(json.loads(body), len(body))
            except (ValueError, RecursionError):
                pass
        return Problem(f"a body of {len(body):,} bytes is not JSON: {_show(body)}", parse_error=True)


def _leading_json(body: bytes) -> tuple[Any, int]:
    """The JSON value at the start of ``body`` and the byte offset where it ends (0: none)."""
    try:
        text = body.decode("utf-8")
        stripped = text.lstrip()
        value, end = _DECODER.raw_decode(stripped)
    except (ValueError, RecursionError):
        return None, 0
    return value, len(text[: len(text) - len(stripped) + end].encode("utf-8"))


def _show(data: bytes, limit: int = 60) -> str:
    text = data[:limit].decode("utf-8", "backslashreplace")
    return repr(text) + ("…" if len(data) > limit else "")
