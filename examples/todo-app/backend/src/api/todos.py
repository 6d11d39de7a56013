"""The ``/api/todos`` routes: list, create, read, change and delete todos, and suggest steps.

Reads are open. Writes need a bearer token signed with ``BETTER_AUTH_SECRET`` when that secret is
set (see ``auth.py``); without it the API runs open, which the startup log points out.
"""

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response, status
from pydantic import BaseModel, StringConstraints

from .assistant import AssistantError, suggest_steps
from .auth import InvalidTokenError, verify_token
from .settings import Settings
from .store import Todo, TodoStore

logger = logging.getLogger("todo.api")

router = APIRouter(prefix="/api/todos", tags=["todos"])

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class NewTodo(BaseModel):
    """The body of a create request."""

    title: Title


class TodoChange(BaseModel):
    """The body of a change request: the fields to change."""

    title: Title | None = None
    done: bool | None = None


def get_store(request: Request) -> TodoStore:
    """The application's todo store."""
    return request.app.state.store


def get_settings() -> Settings:
    """The settings as the environment gives them now."""
    return Settings.from_env()


def require_writer(
    settings: Annotated[Settings, Depends(get_settings)],
    authorization: Annotated[str | None, Header()] = None,
) -> str | None:
    """Checks the bearer token of a write when a secret is set; returns the token's subject."""
    if settings.better_auth_secret is None:
        return None
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise _unauthorized("a bearer token is required")
    try:
        claims = verify_token(token.strip(), settings.better_auth_secret)
    except InvalidTokenError as error:
        raise _unauthorized(str(error)) from error
    return str(claims["sub"])


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"}
    )


def _found(todo: Todo | None, todo_id: int) -> Todo:
    if todo is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no todo with id {todo_id}")
    return todo


Store = Annotated[TodoStore, Depends(get_store)]
Writer = Annotated[str | None, Depends(require_writer)]


@router.get("")
def list_todos(store: Store) -> list[dict[str, object]]:
    """All todos, oldest first."""
    return [todo.to_dict() for todo in store.list()]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_todo(body: NewTodo, store: Store, writer: Writer) -> dict[str, object]:
    """Adds an open todo."""
    todo = store.add(body.title)
    logger.info("todo created", extra={"todo_id": todo.id, "user": writer})
    return todo.to_dict()


@router.get("/{todo_id}")
def read_todo(todo_id: int, store: Store) -> dict[str, object]:
    """One todo."""
    return _found(store.get(todo_id), todo_id).to_dict()


@router.patch("/{todo_id}")
def change_todo(todo_id: int, body: TodoChange, store: Store, writer: Writer) -> dict[str, object]:
    """Changes the title or the done flag of a todo."""
    todo = _found(store.update(todo_id, title=body.title, done=body.done), todo_id)
    logger.info("todo changed", extra={"todo_id": todo.id, "user": writer})
    return todo.to_dict()


@router.delete("/{todo_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_todo(todo_id: int, store: Store, writer: Writer) -> Response:
    """Removes a todo."""
    if not store.delete(todo_id):
        _found(None, todo_id)
    logger.info("todo deleted", extra={"todo_id": todo_id, "user": writer})
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{todo_id}/steps", dependencies=[Depends(require_writer)])
async def todo_steps(
    todo_id: int, store: Store, settings: Annotated[Settings, Depends(get_settings)]
) -> dict[str, object]:
    """Steps a chat model suggests for getting the todo done; 503 when no model is configured."""
    todo = _found(store.get(todo_id), todo_id)
    if settings.openai_api_key is None:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, detail="suggestions need OPENAI_API_KEY"
        )
    try:
        steps = await suggest_steps(settings, todo.title)
    except AssistantError as error:
        logger.warning("step suggestion failed", extra={"todo_id": todo_id, "reason": str(error)})
        raise HTTPException(status.HTTP_502_BAD_GATEWAY, detail=str(error)) from error
    return {"todo_id": todo_id, "steps": steps}
