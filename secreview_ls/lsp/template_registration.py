"""Telling the editor which files are templates.

An editor sends the server the files its own selector names: Python files, secret-bearing
files, and template files under a folder named ``templates``. A project may keep templates
elsewhere (``template-dirs``, a Flask ``template_folder=``, a ``FileSystemLoader("dir")``,
Django's ``DIRS``): the server knows those folders once an analysis has looked for a template
(or a template document opened), so it tells the editor then, and again whenever the set changes
(checked after each analysis, a changed Python file and a settings reload):

* a client that registers document synchronization dynamically (VS Code) gets a registration
  of ``textDocument/didOpen``, ``didChange`` and ``didClose`` (and of ``textDocument/diagnostic``
  when it pulls diagnostics) whose document selector is those folders' template files: it then
  sends them, and asks for their diagnostics, like the files of its own selector;
* every client gets the notification ``secreview/templateFolders`` with ``folders`` (absolute
  paths) and ``patterns`` (globs of their template files): the Neovim plugin attaches the
  buffers of those files.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from lsprotocol import types

from .analysis import TEMPLATE_SUFFIXES

# The server (``server.SecReviewServer``, which imports this module): its folders, settings,
# projects, capabilities, protocol and registration requests.
SecReviewServer = Any

NOTIFICATION = "secreview/templateFolders"
REGISTRATION_ID = "secreview-template-folders"
REGISTRATION_TIMEOUT = 5.0
_SYNCED = (types.TEXT_DOCUMENT_DID_OPEN, types.TEXT_DOCUMENT_DID_CHANGE, types.TEXT_DOCUMENT_DID_CLOSE)


def extra_template_folders(ls: SecReviewServer) -> list[Path] | None:
    """The template folders of the workspace's projects that are not under a ``templates``
    folder (those the editors' own selectors already cover); None while a project has not
    computed them (a view's analysis looking for a template does, or a template document
    opening): nothing is scanned for this, so a workspace at the filesystem root costs nothing."""
    found: set[Path] = set()
    for _, root in ls.folders():
        project = ls.project_for(ls.settings_for(str(root)))
        if project is None:
            continue
        known = project.known_template_folders()
        if known is None:
            return None
        found.update(folder for folder in known if "templates" not in folder.parts)
    return sorted(found)


def folder_patterns(folders: list[Path]) -> list[str]:
    """Globs of the template files under ``folders`` (one per template suffix)."""
    return [f"{folder.as_posix()}/**/*{suffix}" for folder in folders for suffix in sorted(TEMPLATE_SUFFIXES)]


class TemplateFolders:
    """What the server last told the client, so that it tells again only when it changes."""

    def __init__(self) -> None:
        self.announced: list[Path] | None = None
        self.registered: list[str] = []  # methods registered under REGISTRATION_ID

    async def announce(self, ls: SecReviewServer) -> None:
        """Send the folders (and register them) when they differ from the last ones sent."""
        try:
            folders = extra_template_folders(ls)
        except Exception as error:  # a project that cannot be read: the editor keeps its globs
            ls.log_message(f"template folders unavailable: {error}", types.MessageType.Warning)
            return
        if folders is None:
            return  # not known yet: told after the analysis that computes them
        if folders == (self.announced or []) and (folders or self.announced is not None):
            return  # unchanged (nothing is said while there is nothing to say)
        if not folders and self.announced is None:
            self.announced = []
            return
        self.announced = folders
        patterns = folder_patterns(folders)
        ls.protocol.notify(NOTIFICATION, {"folders": [str(folder) for folder in folders], "patterns": patterns})
        if ls.capability("text_document.synchronization.dynamic_registration", False):
            await self._register(ls, patterns)

    async def _register(self, ls: SecReviewServer, patterns: list[str]) -> None:
        try:
            if self.registered:
                unregistrations = [types.Unregistration(id=_id(method), method=method) for method in self.registered]
                self.registered = []
                await asyncio.wait_for(
                    ls.client_unregister_capability_async(types.UnregistrationParams(unregisterations=unregistrations)),
                    REGISTRATION_TIMEOUT,
                )
            if not patterns:
                return
            registrations = _registrations(ls, patterns)
            await asyncio.wait_for(
                ls.client_register_capability_async(types.RegistrationParams(registrations=registrations)),
                REGISTRATION_TIMEOUT,
            )
            self.registered = [registration.method for registration in registrations]
        except Exception as error:
            ls.log_message(f"template folders not registered: {error}", types.MessageType.Warning)


def _id(method: str) -> str:
    return f"{REGISTRATION_ID}:{method}"


def _registrations(ls: SecReviewServer, patterns: list[str]) -> list[types.Registration]:
    selector: list[Any] = [types.TextDocumentFilterPattern(pattern=pattern, scheme="file") for pattern in patterns]
    registrations = []
    for method in _SYNCED:
        options: Any
        if method == types.TEXT_DOCUMENT_DID_CHANGE:
            options = types.TextDocumentChangeRegistrationOptions(
                sync_kind=types.TextDocumentSyncKind.Incremental, document_selector=selector
            )
        else:
            options = types.TextDocumentRegistrationOptions(document_selector=selector)
        registrations.append(types.Registration(id=_id(method), method=method, register_options=options))
    if ls.pull and ls.capability("text_document.diagnostic.dynamic_registration", False):
        options = types.DiagnosticRegistrationOptions(
            inter_file_dependencies=True,
            workspace_diagnostics=False,
            document_selector=selector,
            identifier="secreview-templates",
        )
        registrations.append(
            types.Registration(
                id=_id(types.TEXT_DOCUMENT_DIAGNOSTIC), method=types.TEXT_DOCUMENT_DIAGNOSTIC, register_options=options
            )
        )
    return registrations
