"""``initialize``, ``initialized`` and ``shutdown``."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from ..analysis import TEMPLATE_GLOB
from ..server import SecReviewServer
from ..warmup import warm_up
from .workspace import fetch_configuration

WATCH_ID = "secreview-watch-config"
CONFIG_REGISTRATION_ID = "secreview-configuration"
REGISTRATION_TIMEOUT = 5.0


def initialize(ls: SecReviewServer, params: types.InitializeParams) -> None:
    ls.install_workspace(params)
    fm = ls.protocol.fm
    warm_up(fm.converter, [*fm.features, types.WORKSPACE_EXECUTE_COMMAND])


async def initialized(ls: SecReviewServer, params: types.InitializedParams) -> None:
    """Register for file and configuration changes, read the client's settings, then let
    the analyses that wait for them start."""
    try:
        await register_capabilities(ls)
        await fetch_configuration(ls)
    finally:
        ls.settings_loaded()
    ls.publish_config_problems()
    ls.log_message(
        f"secreview-ls {ls.version} ready ({'pull' if ls.pull else 'push'} diagnostics, "
        f"{ls.encoding} positions, {ls.folder_count()} workspace folder(s))"
    )
    await ls.template_folders.announce(ls)


def shutdown(ls: SecReviewServer, params: None) -> None:
    ls.stop_background_work()


async def register_capabilities(ls: SecReviewServer) -> None:
    """Watch ``pyproject.toml``, Python, template and baseline files, and configuration changes, when
    the client lets the server register for them."""
    registrations: list[types.Registration] = []
    if ls.capability("workspace.did_change_watched_files.dynamic_registration", False):
        watchers = [
            types.FileSystemWatcher(glob_pattern="**/pyproject.toml"),
            types.FileSystemWatcher(glob_pattern="**/*.py"),
            types.FileSystemWatcher(glob_pattern="**/.secreview-baseline.json"),
            types.FileSystemWatcher(glob_pattern=TEMPLATE_GLOB),
        ]
        registrations.append(
            types.Registration(
                id=WATCH_ID,
                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
            )
        )
    if ls.capability("workspace.did_change_configuration.dynamic_registration", False):
        registrations.append(
            types.Registration(id=CONFIG_REGISTRATION_ID, method=types.WORKSPACE_DID_CHANGE_CONFIGURATION)
        )
    if not registrations:
        return
    try:
        await asyncio.wait_for(
            ls.client_register_capability_async(types.RegistrationParams(registrations=registrations)),
            REGISTRATION_TIMEOUT,
        )
    except Exception as error:
        ls.log_message(f"client/registerCapability failed: {error}", types.MessageType.Warning)
