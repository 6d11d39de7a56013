"""The probes: /health answers whenever the process runs, /ready only when configured."""

import pytest
from fastapi.testclient import TestClient


def test_health_is_ok_without_configuration(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_is_unavailable_without_database_url(client: TestClient) -> None:
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "missing": ["DATABASE_URL"]}


def test_ready_with_database_url(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://todo@localhost:5432/todo")
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


def test_empty_database_url_counts_as_missing(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "")
    assert client.get("/ready").status_code == 503
