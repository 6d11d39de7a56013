"use client";

// Shown when a server action fails, e.g. when the backend refuses a write.

export default function ErrorPage({ error, reset }: { error: Error; reset: () => void }) {
  return (
    <main>
      <h1>Todo</h1>
      <p role="alert">That did not work: {error.message}</p>
      <button type="button" onClick={reset}>
        Try again
      </button>
    </main>
  );
}
