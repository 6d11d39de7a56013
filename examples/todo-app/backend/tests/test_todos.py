"""The /api/todos routes: a round trip, validation, token checks and step suggestions."""

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient

from src.api.auth import InvalidTokenError, verify_token

from .tokens import fresh_claims, sign

SECRET = "test-signing-secret"


def test_round_trip(client: TestClient) -> None:
    assert client.get("/api/todos").json() == []

    created = client.post("/api/todos", json={"title": "  Buy milk  "})
    assert created.status_code == 201
    todo = created.json()
    assert todo["title"] == "Buy milk"
    assert todo["done"] is False

    changed = client.patch(f"/api/todos/{todo['id']}", json={"done": True})
    assert changed.status_code == 200
    assert changed.json()["done"] is True
    assert client.get(f"/api/todos/{todo['id']}").json()["done"] is True
    assert [t["title"] for t in client.get("/api/todos").json()] == ["Buy milk"]

    assert client.delete(f"/api/todos/{todo['id']}").status_code == 204
    assert client.get(f"/api/todos/{todo['id']}").status_code == 404
    assert client.delete(f"/api/todos/{todo['id']}").status_code == 404
    assert client.get("/api/todos").json() == []


@pytest.mark.parametrize("body", [{}, {"title": ""}, {"title": "   "}, {"title": "x" * 201}])
def test_invalid_titles_are_rejected(client: TestClient, body: dict[str, object]) -> None:
    assert client.post("/api/todos", json=body).status_code == 422
    assert client.get("/api/todos").json() == []


def test_writes_need_a_valid_token_when_the_secret_is_set(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BETTER_AUTH_SECRET", SECRET)
    expired = {"sub": "user-1", "exp": int(time.time()) - 1}
    for headers in (
        {},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": f"Bearer {sign(fresh_claims(), 'another-secret')}"},
        {"Authorization": f"Bearer {sign(expired, SECRET)}"},
    ):
        response = client.post("/api/todos", json={"title": "Write report"}, headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["www-authenticate"] == "Bearer"
    assert client.get("/api/todos").json() == []

    good = {"Authorization": f"Bearer {sign(fresh_claims(), SECRET)}"}
    assert (
        client.post("/api/todos", json={"title": "Write report"}, headers=good).status_code == 201
    )
    assert len(client.get("/api/todos").json()) == 1


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("not-a-token", "three parts"),
        (sign(fresh_claims(), SECRET, alg="none"), "HS256"),
        (sign({"exp": int(time.time()) + 60}, SECRET), "subject"),
        (sign({"sub": "user-1"}, SECRET), "expiry"),
        (sign(fresh_claims(), SECRET)[:-2] + "AA", "signature"),
    ],
)
def test_bad_tokens_say_what_is_wrong(token: str, reason: str) -> None:
    with pytest.raises(InvalidTokenError, match=reason):
        verify_token(token, SECRET)


def test_valid_token_gives_its_claims() -> None:
    claims = verify_token(sign(fresh_claims("user-7"), SECRET), SECRET)
    assert claims["sub"] == "user-7"


class _ChatCompletions(BaseHTTPRequestHandler):
    """An OpenAI-compatible endpoint that answers every chat completion with fixed steps."""

    received: list[tuple[str, str, dict[str, object]]] = []

    def do_POST(self) -> None:  # noqa: N802 (the name http.server calls)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.received.append((self.path, self.headers["Authorization"], body))
        answer = {
            "choices": [
                {"message": {"role": "assistant", "content": "- Find a pen\n\n- Write it\n"}}
            ]
        }
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def model_server() -> Iterator[str]:
    """A chat-completion server on loopback; yields its base URL."""
    _ChatCompletions.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ChatCompletions)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_steps_need_an_api_key(client: TestClient) -> None:
    todo = client.post("/api/todos", json={"title": "Write report"}).json()
    response = client.post(f"/api/todos/{todo['id']}/steps")
    assert response.status_code == 503
    assert "OPENAI_API_KEY" in response.json()["detail"]


def test_steps_come_from_the_model(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, model_server: str
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-real")
    monkeypatch.setenv("OPENAI_BASE_URL", model_server)
    todo = client.post("/api/todos", json={"title": "Write report"}).json()

    response = client.post(f"/api/todos/{todo['id']}/steps")

    assert response.status_code == 200
    assert response.json() == {"todo_id": todo["id"], "steps": ["Find a pen", "Write it"]}
    [(path, authorization, body)] = _ChatCompletions.received
    assert path == "/v1/chat/completions"
    assert authorization == "Bearer sk-test-not-real"
    assert body["messages"][-1] == {"role": "user", "content": "Write report"}


def test_unreachable_model_is_a_bad_gateway(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-real")
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{port}/v1")
    todo = client.post("/api/todos", json={"title": "Write report"}).json()

    response = client.post(f"/api/todos/{todo['id']}/steps")

    assert response.status_code == 502
    assert "model request failed" in response.json()["detail"]
