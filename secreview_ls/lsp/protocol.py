"""The JSON-RPC side of the server: every request gets an answer, the lifecycle is
enforced, pre-serialized notifications go out as they are, and open documents follow the
protocol's line model.

What arrives (:meth:`Protocol.receive`, one decoded JSON value at a time):

- a value that is not a JSON-RPC 2.0 message gets ``InvalidRequest`` when it has a usable
  id; otherwise, like a frame the transport could not read (:meth:`Protocol.bad_frame`), it
  is logged (to stderr, and to the client's log at most ``PROBLEMS_LOGGED`` times a minute).
  JSON-RPC would answer those with id ``null``, but clients take such an answer for a fault
  of the server (pygls-based ones stop it);
- before ``initialize``, a request gets ``ServerNotInitialized`` (-32002) and a
  notification is dropped; a second ``initialize`` gets ``InvalidRequest``;
- after ``shutdown``, a request gets ``InvalidRequest`` (-32600) and a notification is
  dropped;
- ``exit`` ends the process at once, with code 0 after ``shutdown`` and 1 otherwise,
  whatever its parameters and whatever is still running;
- parameters that do not match the method get ``InvalidParams``.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Generator
from typing import Any, cast
from typing import Protocol as Structural

import attrs
from lsprotocol import types
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method
from pygls.uris import from_fs_path

from .document import DocumentWorkspace
from .framing import Problem

log = logging.getLogger("secreview_ls.lsp")

NOT_INITIALIZED = -32002  # ErrorCodes.ServerNotInitialized
PROBLEMS_LOGGED = 20  # bad frames reported to the client per minute (all go to stderr)


class Serialized:
    """Parameters that are JSON-ready data already (sent as they are)."""

    def __init__(self, value: dict[str, Any]) -> None:
        self.value = value


class _Ignored:
    """A message that was already answered or cannot be handled; ``handle_message`` skips it."""

    jsonrpc = "ignored"


class Host(Structural):
    """What the protocol asks of the server it serves."""

    def exit_process(self, code: int) -> None: ...

    def log_message(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None: ...


class Protocol(LanguageServerProtocol):
    """Answers every request (an error when it is not valid now), ends the process on
    ``exit``; see the module docstring."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initialize_received = False
        self.bad_frames = 0
        self._problem_window = (0.0, 0)  # (start of the minute, problems reported in it)

    @property
    def host(self) -> Host:
        return cast(Host, self._server)

    # -- what arrives --------------------------------------------------------------

    def receive(self, data: Any) -> None:
        """Handle one decoded JSON value from the transport."""
        if not isinstance(data, dict):
            self.report_input(f"a message must be a JSON object, not {_kind(data)}")
            return
        raw_id = data.get("id")
        has_id = "id" in data and raw_id is not None
        valid_id = isinstance(raw_id, (str, int)) and not isinstance(raw_id, bool)
        method = data.get("method")
        if (
            data.get("jsonrpc") != "2.0"
            or ("method" in data and not isinstance(method, str))
            or (has_id and not valid_id)
        ):
            self.report_input(f"not a JSON-RPC 2.0 message: {_summary(data)}")
            if valid_id and "method" in data:
                self.answer_error(raw_id, types.ErrorCodes.InvalidRequest, "not a JSON-RPC 2.0 message")
            return
        if method == types.EXIT:
            self.host.exit_process(self.exit_code())
            return
        is_request = method is not None and has_id
        if is_request and _is_notification(method):
            self.answer_error(raw_id, types.ErrorCodes.InvalidRequest, f"{method} is a notification: it takes no id")
            return
        if method is not None and not self._admit(method, raw_id if is_request else None):
            return
        try:
            self.handle_message(self.structure_message(data))
        except Exception as error:  # a defect in handling one message must not end the server
            log.exception("failed to handle %s", _summary(data))
            if is_request:
                self.answer_error(raw_id, types.ErrorCodes.InternalError, f"{method}: {type(error).__name__}: {error}")

    def _admit(self, method: str, request_id: Any) -> bool:
        """Whether a request or notification may run now; answers the requests that may not."""
        if not self.initialize_received:
            if method == types.INITIALIZE and request_id is not None:
                return True
            if request_id is not None:
                self.answer_error(request_id, NOT_INITIALIZED, f"{method}: the server is not initialized yet")
            else:
                log.warning("dropped %s: the server is not initialized yet", method)
            return False
        if method == types.INITIALIZE:
            if request_id is not None:
                self.answer_error(request_id, types.ErrorCodes.InvalidRequest, "initialize was already received")
            return False
        if self._shutdown:
            if request_id is not None:
                self.answer_error(request_id, types.ErrorCodes.InvalidRequest, f"{method}: the server is shutting down")
            else:
                log.warning("dropped %s: the server is shutting down", method)
            return False
        return True

    def bad_frame(self, problem: Problem) -> None:
        """A frame the transport could not read (a body that is not JSON, a bad header)."""
        self.bad_frames += 1
        self.report_input(problem.message)

    def report_input(self, message: str) -> None:
        """Log input that is not a message: always to stderr, to the client's log at most
        ``PROBLEMS_LOGGED`` times a minute."""
        log.error("input: %s", message)
        now = time.monotonic()
        start, count = self._problem_window
        if now - start > 60:
            start, count = now, 0
        if count < PROBLEMS_LOGGED:
            self.host.log_message(f"protocol input: {message}", types.MessageType.Error)
        self._problem_window = (start, count + 1)

    def answer_error(self, request_id: Any, code: int, message: str) -> None:
        try:
            self._send_response(request_id, error=types.ResponseError(code=code, message=message))
        except Exception:  # the output may be gone
            log.exception("cannot answer with error %s", code)

    def handle_message(self, message: Any) -> None:
        if isinstance(message, _Ignored):
            return
        if getattr(message, "method", None) == types.INITIALIZE:
            self.initialize_received = True
        super().handle_message(message)

    def _execute_handler(
        self,
        msg_id: Any,
        handler: Any,
        callback: Any,
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
    ) -> None:
        """pygls keeps the future of every handler it runs under a fresh id for notifications
        (and for the user part of its built-in handlers) and never removes it: one per
        keystroke, for the life of the process. Remove it once it is done."""

        def finished(future: Any) -> None:
            try:
                callback(future)
            finally:
                if self._request_futures.get(msg_id) is future:
                    del self._request_futures[msg_id]

        super()._execute_handler(msg_id, handler, finished, args, kwargs)

    def _handle_cancel_notification(self, msg_id: Any) -> None:
        if not isinstance(msg_id, (str, int)) or isinstance(msg_id, bool):
            log.warning("ignored a cancellation with an invalid id: %r", msg_id)
            return
        super()._handle_cancel_notification(msg_id)

    def exit_code(self) -> int:
        """0 after ``shutdown``, 1 otherwise (what ``exit`` and the end of input end with)."""
        return 0 if self._shutdown else 1

    @lsp_method(types.SHUTDOWN)
    def lsp_shutdown(self, *args: Any) -> Generator[Any, Any, None]:
        """pygls' ``shutdown``, cancelling the requests in flight over a copy of their table
        (a cancelled request removes itself from it, which broke pygls' own loop)."""
        if (user_handler := self.fm.features.get(types.SHUTDOWN)) is not None:
            yield user_handler, args, None
        current = self.msg_id
        for msg_id, future in list(self._request_futures.items()):
            if msg_id != current and not future.done():
                future.cancel()
        self._shutdown = True
        return None

    @lsp_method(types.EXIT)
    def lsp_exit(self, *args: Any) -> None:
        """``exit`` (when it reaches the handlers without :meth:`receive`): end the process."""
        self.host.exit_process(self.exit_code())

    # -- workspace ------------------------------------------------------------------

    def use_document_workspace(self, params: types.InitializeParams) -> None:
        """Replace pygls' workspace with one whose documents follow the protocol's line model."""
        current = self._workspace
        root_uri = params.root_uri
        if root_uri is None and params.root_path is not None:
            root_uri = from_fs_path(params.root_path)
        position_encoding = current.position_encoding if current is not None else types.PositionEncodingKind.Utf16
        self._workspace = DocumentWorkspace(
            root_uri,
            types.TextDocumentSyncKind.Incremental,
            params.workspace_folders or [],
            position_encoding,
        )

    def _serialize_message(self, data: Any) -> Any:
        params = getattr(data, "params", None)
        if isinstance(params, Serialized):
            return {"jsonrpc": data.jsonrpc, "method": data.method, "params": params.value}
        return super()._serialize_message(data)

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except Exception as error:
            method = data.get("method") if isinstance(data, dict) else None
            log.error("malformed %s message: %s", method or "JSON-RPC", error)
            if isinstance(data, dict) and "id" in data and method:
                try:
                    self._send_response(
                        data["id"],
                        error=types.ResponseError(
                            code=types.ErrorCodes.InvalidParams,
                            message=f"invalid parameters for {method}: {error}",
                        ),
                    )
                except Exception:  # the id itself may be unusable
                    log.exception("cannot answer the malformed request")
            return _Ignored()


@functools.cache
def _is_notification(method: str) -> bool:
    """Whether LSP defines ``method`` as a notification (its message has no id)."""
    message_type = types.METHOD_TO_TYPES.get(method, (None,))[0]
    return message_type is not None and attrs.has(message_type) and "id" not in attrs.fields_dict(message_type)


def _kind(value: Any) -> str:
    return "an array" if isinstance(value, list) else "null" if value is None else type(value).__name__


def _summary(data: dict[str, Any]) -> str:
    keys = ", ".join(sorted(str(k) for k in data)[:8])
    return f"{{{keys}}} method={data.get('method')!r:.60}"
