"""Unit tests for the storage layer (test code: asserts and fixture passwords are expected)."""

from clean_app import db

TEST_PASSWORD = "hunter2"


def test_connect_returns_connection(tmp_path, monkeypatch):
    monkeypatch.setattr(db, "DATABASE", str(tmp_path / "test.db"))
    connection = db.connect()
    assert connection is not None
