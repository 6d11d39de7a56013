"""The todo store: todos kept in process memory.

The example keeps its data in memory so it runs without a database; each process has its own list
and loses it on restart. The store is safe to use from several threads.
"""

import threading
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime


@dataclass(frozen=True)
class Todo:
    """One item of the list."""

    id: int
    title: str
    done: bool
    created_at: str

    def to_dict(self) -> dict[str, object]:
        """The JSON form of the todo."""
        return asdict(self)


class TodoStore:
    """Todos by id, in insertion order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._todos: dict[int, Todo] = {}
        self._next_id = 1

    def list(self) -> list[Todo]:
        """All todos, oldest first."""
        with self._lock:
            return list(self._todos.values())

    def get(self, todo_id: int) -> Todo | None:
        """The todo with this id, if there is one."""
        with self._lock:
            return self._todos.get(todo_id)

    def add(self, title: str) -> Todo:
        """Adds an open todo and returns it."""
        with self._lock:
            todo = Todo(
                id=self._next_id,
                title=title,
                done=False,
                created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            )
            self._todos[todo.id] = todo
            self._next_id += 1
            return todo

    def update(
        self, todo_id: int, title: str | None = None, done: bool | None = None
    ) -> Todo | None:
        """Changes the given fields of a todo; None when there is no such todo."""
        with self._lock:
            todo = self._todos.get(todo_id)
            if todo is None:
                return None
            if title is not None:
                todo = replace(todo, title=title)
            if done is not None:
                todo = replace(todo, done=done)
            self._todos[todo_id] = todo
            return todo

    def delete(self, todo_id: int) -> bool:
        """Removes a todo; False when there was none."""
        with self._lock:
            return self._todos.pop(todo_id, None) is not None
