"""Settings shared by every test."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def private_result_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's command-line runs (in this process or in subprocesses) keep their result
    cache in a folder of their own, so that no test sees another's cached results."""
    folder = tmp_path_factory.mktemp("result-cache")
    monkeypatch.setenv("SECREVIEW_CACHE_DIR", str(folder))
    return folder
