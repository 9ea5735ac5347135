"""The non-Python files the editors hand to the server: one list in VS Code
(editors/vscode/src/documents.ts) and in Neovim (editors/nvim/lua/secreview/init.lua), and
for each of its names the real server reports a secret in a file of that name."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

REPO = Path(__file__).resolve().parent.parent
DOCUMENTS_TS = REPO / "editors" / "vscode" / "src" / "documents.ts"
NVIM_PLUGIN = REPO / "editors" / "nvim" / "lua" / "secreview" / "init.lua"
PASSWORD = "Zq8-pr0d-Vx3!kL"


def _strings(block: str) -> list[str]:
    return re.findall(r'"([^"]+)"', re.sub(r"(//|--)[^\n]*", "", block))


def vscode_names() -> list[str]:
    text = DOCUMENTS_TS.read_text(encoding="utf-8")
    return _strings(text.split("SECRET_FILE_NAMES: readonly string[] = [", 1)[1].split("];", 1)[0])


def neovim_names() -> list[str]:
    text = NVIM_PLUGIN.read_text(encoding="utf-8")
    return _strings(text.split("  patterns = {", 1)[1].split("  },", 1)[0])


def test_vscode_and_neovim_attach_to_the_same_files() -> None:
    assert vscode_names() == neovim_names()
    assert ".env" in vscode_names() and "*.yaml" in vscode_names() and "id_rsa" in vscode_names()


def vscode_template_patterns() -> list[str]:
    text = DOCUMENTS_TS.read_text(encoding="utf-8")
    return _strings(text.split("TEMPLATE_FILE_PATTERNS: readonly string[] = [", 1)[1].split("];", 1)[0])


def neovim_template_patterns() -> list[str]:
    text = NVIM_PLUGIN.read_text(encoding="utf-8")
    return _strings(text.split("  template_patterns = {", 1)[1].split("  },", 1)[0])


def test_vscode_and_neovim_attach_to_the_template_files_the_server_reads() -> None:
    from secreview_ls.pipeline import TEMPLATE_SUFFIXES, is_template_path

    vscode = vscode_template_patterns()
    assert [p.replace("**/templates/**/", "*/templates/") for p in vscode] == neovim_template_patterns()
    assert {Path(p).suffix for p in vscode} == TEMPLATE_SUFFIXES
    for pattern in vscode:
        assert is_template_path("/p/app" + pattern[2:].replace("**", "people").replace("*", "bio"))
    assert not is_template_path("/p/site/index.html") and not is_template_path("/p/templates/notes.md")


@pytest.mark.skipif(shutil.which("nvim") is None, reason="Neovim not installed")
def test_neovim_attaches_to_template_files_by_path(tmp_path: Path) -> None:
    """The plugin's autocommands, in a real Neovim: a file under a templates folder is attached,
    an HTML file elsewhere is not."""
    for relative in ("app/templates/people/bio.html", "app/templates/mail.j2", "site/index.html"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("<p>{{ x|safe }}</p>\n", encoding="utf-8")
    out = tmp_path / "attached.txt"
    script = tmp_path / "check.lua"
    script.write_text(
        f"""
local plugin = require("secreview")
local attached = {{}}
plugin.attach = function(buf) table.insert(attached, vim.api.nvim_buf_get_name(buf)) end
plugin.setup({{ method = "start_client" }})
for _, name in ipairs({{ "app/templates/people/bio.html", "app/templates/mail.j2", "site/index.html" }}) do
  vim.cmd("edit {tmp_path.as_posix()}/" .. name)
end
local file = io.open("{out.as_posix()}", "w")
file:write(table.concat(attached, "\\n"))
file:close()
vim.cmd("qa!")
""",
        encoding="utf-8",
    )
    subprocess.run(
        [
            "nvim",
            "--headless",
            "-u",
            "NONE",
            "-i",
            "NONE",
            "--cmd",
            f"set rtp+={(REPO / 'editors' / 'nvim').as_posix()}",
            "-c",
            f"luafile {script.as_posix()}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    attached = [Path(line).relative_to(tmp_path).as_posix() for line in out.read_text(encoding="utf-8").splitlines()]
    assert attached == ["app/templates/people/bio.html", "app/templates/mail.j2"]


def _private_key() -> str:
    rng = random.Random(7)
    body = base64.b64encode(bytes(rng.getrandbits(8) for _ in range(600))).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END RSA PRIVATE KEY-----\n"


def sample(pattern: str) -> tuple[str, str]:
    """A file name the pattern matches, and content with a secret in that format."""
    name = pattern.replace("*", "settings")
    suffix = Path(name).suffix
    if pattern in ("*.pem", "*.key") or pattern.startswith("id_"):
        return name, _private_key()
    if suffix in (".yaml", ".yml"):
        return name, f"database:\n  user: app\n  password: '{PASSWORD}'\n"
    if suffix == ".json":
        return name, f'{{"database": {{"user": "app", "password": "{PASSWORD}"}}}}\n'
    if suffix == ".toml":
        return name, f'[database]\nuser = "app"\npassword = "{PASSWORD}"\n'
    if suffix in (".ini", ".cfg"):
        return name, f"[database]\nuser = app\npassword = {PASSWORD}\n"
    return name, f"DB_USER=app\nDB_PASSWORD={PASSWORD}\n"  # dotenv, .conf, .properties


def _client() -> LanguageClient:
    """pytest-lsp's client, also accepting the server's dynamic registrations."""
    client = LanguageClient()
    register_lsp_features(client, DEFAULT_CLIENT_FEATURES)

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(ls: LanguageClient, params: types.RegistrationParams) -> None:
        return None

    return client


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "secreview_ls"], client_factory=_client),
    scope="module",
)
async def client(lsp_client: LanguageClient, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    # Not under a folder named like tests or docs: those change how findings are judged.
    root = tmp_path_factory.mktemp("project", numbered=True)
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="project")],
        )
    )
    lsp_client.root = root  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("pattern", vscode_names())
async def test_the_server_reports_secrets_in_each_attached_file(client: LanguageClient, pattern: str) -> None:
    name, text = sample(pattern)
    path = client.root / pattern.replace("*", "any").replace(".", "dot-") / name  # type: ignore[attr-defined]
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="plaintext", version=1, text=text))
    )
    for _ in range(40):
        if client.diagnostics.get(uri):
            break
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 0.5)
    diagnostics = client.diagnostics.get(uri, [])
    assert diagnostics, f"{name}: no finding"
    assert all(str(d.code).startswith("SR") for d in diagnostics)
    assert not any(PASSWORD in d.message for d in diagnostics), "secrets are masked"
