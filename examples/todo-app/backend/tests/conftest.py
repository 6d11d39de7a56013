"""Shared fixtures: a client of the real application with an empty store and a known environment."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from src.api.main import app
from src.api.store import TodoStore

CONFIG_VARIABLES = (
    "DATABASE_URL",
    "BETTER_AUTH_SECRET",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_MODEL",
)


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """A client of the application, started through its lifespan, with none of its settings set."""
    for name in CONFIG_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    app.state.store = TodoStore()
    with TestClient(app) as test_client:
        yield test_client
