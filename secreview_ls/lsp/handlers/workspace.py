"""Settings and files: configuration changes, watched files, workspace folders."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsprotocol import types

from .. import analysis
from ..results import path_for
from ..server import SecReviewServer
from ..settings import settings_section

CONFIGURATION_TIMEOUT = 5.0


async def did_change_configuration(ls: SecReviewServer, params: types.DidChangeConfigurationParams) -> None:
    """Take the pushed settings (when the client sends them), ask for the scoped ones, reload."""
    section = settings_section(params.settings) if params.settings is not None else {}
    if section:
        ls.set_client_settings("", section)
    await fetch_configuration(ls)
    reload_settings(ls, "configuration changed")


def did_change_watched_files(ls: SecReviewServer, params: types.DidChangeWatchedFilesParams) -> None:
    """A ``pyproject.toml`` or baseline file changed: reload; a Python file changed: re-analyze
    the documents that may import it; a template changed: re-analyze the open views naming it."""
    reload = python_changed = False
    for change in params.changes:
        path = path_for(change.uri)
        if Path(path).name == "pyproject.toml" or ls.is_baseline(path):
            reload = True
        elif path.endswith(".py"):
            ls.file_saved(path)
            python_changed = True
        elif ls.is_template(path):
            ls.template_changed_on_disk(path)
    if reload:
        analysis.forget_baselines()
        reload_settings(ls, "a configuration file changed")
    elif python_changed:
        ls.announce_template_folders()  # code may declare template folders


async def did_change_workspace_folders(ls: SecReviewServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
    await fetch_configuration(ls)
    reload_settings(ls, "workspace folders changed")


def reload_settings(ls: SecReviewServer, reason: str) -> None:
    """Recompute the settings, analyze every open document again, and ask the client to
    refresh pulled diagnostics and code lenses."""
    ls.refresh_settings()
    ls.log_message(f"settings reloaded ({reason})")
    ls.announce_template_folders()
    ls.publish_config_problems()
    ls.schedule_all()
    if ls.pull and ls.capability("workspace.diagnostics.refresh_support", False):
        ls.workspace_diagnostic_refresh(None)
    if ls.capability("workspace.code_lens.refresh_support", False):
        ls.workspace_code_lens_refresh(None)


async def fetch_configuration(ls: SecReviewServer) -> None:
    """Ask the client for the ``secreview`` section, globally and per folder, then recompute
    the settings."""
    if not ls.capability("workspace.configuration", False):
        ls.refresh_settings()
        return
    folders = ls.folders()
    items = [types.ConfigurationItem(section="secreview")]
    items += [types.ConfigurationItem(scope_uri=uri, section="secreview") for uri, _ in folders]
    try:
        answers = await asyncio.wait_for(
            ls.workspace_configuration_async(types.ConfigurationParams(items=items)), CONFIGURATION_TIMEOUT
        )
    except Exception as error:
        ls.log_message(f"workspace/configuration failed: {error}", types.MessageType.Warning)
        ls.refresh_settings()
        return
    answers = list(answers or [])
    if answers:
        ls.set_client_settings("", settings_section(answers[0]) if isinstance(answers[0], dict) else {})
    for (uri, _), answer in zip(folders, answers[1:], strict=False):
        ls.set_client_settings(uri, settings_section(answer) if isinstance(answer, dict) else {})
    ls.refresh_settings()
