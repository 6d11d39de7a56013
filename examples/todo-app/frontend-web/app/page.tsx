// The Todo list: rendered on the server for each request from the backend's /api/todos, with
// forms that post to the server actions in actions.ts.

import { connection } from "next/server";
import { listTodos, type Todo } from "@/lib/backend";
import { addTodo, removeTodo, toggleTodo } from "./actions";

export default async function TodoPage() {
  await connection();
  let todos: Todo[] = [];
  let problem: string | undefined;
  try {
    todos = await listTodos();
  } catch (error) {
    problem = error instanceof Error ? error.message : String(error);
  }
  const open = todos.filter((todo) => !todo.done).length;

  return (
    <main>
      <h1>Todo</h1>
      <form action={addTodo} className="add">
        <input name="title" placeholder="What needs doing?" required maxLength={200} />
        <button type="submit">Add</button>
      </form>
      {problem ? (
        <p role="alert">The backend is unavailable: {problem}</p>
      ) : (
        <p className="count">
          {todos.length === 0 ? "Nothing to do." : `${open} of ${todos.length} open`}
        </p>
      )}
      <ul>
        {todos.map((todo) => (
          <li key={todo.id} className={todo.done ? "done" : undefined}>
            <form action={toggleTodo.bind(null, todo.id, !todo.done)}>
              <button type="submit" aria-label={todo.done ? "Reopen" : "Mark done"}>
                {todo.done ? "☑" : "☐"}
              </button>
            </form>
            <span>{todo.title}</span>
            <form action={removeTodo.bind(null, todo.id)}>
              <button type="submit" aria-label="Delete">✕</button>
            </form>
          </li>
        ))}
      </ul>
    </main>
  );
}
