"""The JSON-RPC side of the server: malformed requests get an error, pre-serialized
notifications go out as they are, and open documents follow the protocol's line model."""

from __future__ import annotations

import logging
from typing import Any

from lsprotocol import types
from pygls.protocol import LanguageServerProtocol
from pygls.uris import from_fs_path

from .document import DocumentWorkspace

log = logging.getLogger("secreview_ls.lsp")


class Serialized:
    """Parameters that are JSON-ready data already (sent as they are)."""

    def __init__(self, value: dict[str, Any]) -> None:
        self.value = value


class _Ignored:
    """A message that was already answered or cannot be handled; ``handle_message`` skips it."""

    jsonrpc = "ignored"


class Protocol(LanguageServerProtocol):
    """Answers a request whose parameters do not match its method with an error, instead of
    leaving the client waiting."""

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
