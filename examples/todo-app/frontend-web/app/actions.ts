"use server";

// Server actions behind the page's forms: they call the backend from the server, so the browser
// needs neither the backend's address nor the signing secret.

import { revalidatePath } from "next/cache";
import { createTodo, deleteTodo, setDone } from "@/lib/backend";

/** Adds the todo typed into the form's `title` field. */
export async function addTodo(form: FormData): Promise<void> {
  const title = String(form.get("title") ?? "").trim();
  if (!title) return;
  await createTodo(title);
  revalidatePath("/");
}

/** Marks a todo done or open. */
export async function toggleTodo(id: number, done: boolean): Promise<void> {
  await setDone(id, done);
  revalidatePath("/");
}

/** Removes a todo. */
export async function removeTodo(id: number): Promise<void> {
  await deleteTodo(id);
  revalidatePath("/");
}
