"""The server's byte streams: reading frames from stdio or a socket, and ending the process.

pygls' own reader trusts the stream: a huge ``Content-Length`` makes it allocate that
much, and a frame it cannot parse leaves it waiting forever. Here the frames go through
:class:`~.framing.FrameReader` (a size cap, resynchronisation on the next header), and
each decoded value goes to :meth:`Protocol.receive`, which answers what is not a valid
message.

stdin is read by a daemon thread, so a read that never returns cannot keep the process
alive. The process ends through :func:`exit_process`: on ``exit``, at the end of the input
(code 0 after ``shutdown``, 1 otherwise) and when the output is gone, whatever the analysis
threads are doing.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any, BinaryIO

from .framing import FrameReader, Message

if TYPE_CHECKING:
    from .protocol import Protocol

log = logging.getLogger("secreview_ls.lsp")

CHUNK = 64 * 1024
QUEUED_CHUNKS = 16  # the reader thread waits when this many chunks are not yet handled


class Writer:
    """Writes whole frames to a binary stream, one at a time (threads may log too)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def write(self, data: bytes) -> None:
        with self._lock:
            self._stream.write(data)
            self._stream.flush()

    def close(self) -> None:
        with self._lock:
            try:
                self._stream.flush()
            except (OSError, ValueError):
                pass

    def flush(self) -> None:
        self.close()


async def serve(protocol: Protocol, chunks: AsyncIterator[bytes]) -> None:
    """Feed every chunk to a frame reader and every decoded value to the protocol, until the
    input ends."""
    reader = FrameReader()
    async for data in chunks:
        reader.feed(data)
        while (event := reader.next_event()) is not None:
            if isinstance(event, Message):
                protocol.receive(event.data)
            else:
                protocol.bad_frame(event)
            await asyncio.sleep(0)  # let handlers and cancellations run between messages


async def stdin_chunks(stream: BinaryIO) -> AsyncIterator[bytes]:
    """Chunks of ``stream`` as they arrive, read by a daemon thread; ends at end of input."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[bytes] = asyncio.Queue(QUEUED_CHUNKS)
    read: Callable[[int], bytes] = getattr(stream, "read1", None) or stream.read

    def pump() -> None:
        while True:
            try:
                data = read(CHUNK)
            except (OSError, ValueError) as error:
                log.error("cannot read the input: %s", error)
                data = b""
            try:
                asyncio.run_coroutine_threadsafe(queue.put(data or b""), loop).result()
            except (RuntimeError, asyncio.CancelledError):  # the loop is gone
                return
            if not data:
                return

    threading.Thread(target=pump, name="secreview-stdin", daemon=True).start()
    while True:
        data = await queue.get()
        if not data:
            return
        yield data


async def stream_chunks(reader: asyncio.StreamReader) -> AsyncIterator[bytes]:
    """Chunks of a socket as they arrive; ends at end of input."""
    while True:
        try:
            data = await reader.read(CHUNK)
        except (ConnectionError, OSError) as error:
            log.error("connection lost: %s", error)
            return
        if not data:
            return
        yield data


def run_stdio(protocol: Protocol, stdin: BinaryIO, stdout: BinaryIO) -> int:
    """Serve over stdin/stdout until the input ends; the exit code the protocol asks for."""
    protocol.set_writer(Writer(stdout))

    async def main() -> None:
        await serve(protocol, stdin_chunks(stdin))

    return _run(protocol, main)


def run_tcp(protocol: Protocol, host: str, port: int) -> int:
    """Serve one client on a TCP socket until it disconnects."""

    async def main() -> None:
        finished = asyncio.Event()

        async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            protocol.set_writer(Writer(_SocketStream(writer)))
            try:
                await serve(protocol, stream_chunks(reader))
            finally:
                finished.set()

        server = await asyncio.start_server(connection, host, port)
        log.info("listening on %s", ", ".join(str(s.getsockname()) for s in server.sockets))
        async with server:
            await finished.wait()

    return _run(protocol, main)


class _SocketStream:
    """A StreamWriter with the write/flush of a binary file."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self._writer = writer

    def write(self, data: bytes) -> None:
        self._writer.write(data)

    def flush(self) -> None:
        pass


def _run(protocol: Protocol, main: Callable[[], Any]) -> int:
    try:
        asyncio.run(main())
    except BrokenPipeError:
        log.error("the client closed the connection")
        return 1
    except (KeyboardInterrupt, SystemExit):
        pass
    except Exception:  # the process still ends through exit_process (never an interpreter shutdown)
        log.exception("the server loop failed")
        return 1
    code = protocol.exit_code()
    log.info("end of input: exiting with code %d", code)
    return code


def exit_process(code: int, writer: Any = None) -> None:
    """End the process now, with ``code``, whatever other threads are doing (an analysis that
    is still running, a blocked read). Output written so far is flushed first."""
    for stream in (writer, sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except Exception:  # a closed or broken stream: nothing more to save
            pass
    logging.shutdown()
    os._exit(code)
