import type { ApiFailure } from "../api.js";
import { NotFound } from "./NotFound.js";

/** An API failure shown in place: not found gets the 404 view, anything else a message. */
export function Problem({ error, what }: { error: ApiFailure; what: string }) {
  if (error.status === 404) return <NotFound what={what} message={error.message} />;
  return (
    <div class="problem" role="alert">
      <strong>Could not load {what}</strong>: {error.message}
      {error.hint ? <div class="muted">{error.hint}</div> : null}
    </div>
  );
}

/** A loading placeholder. */
export function Loading() {
  return <div class="muted loading">Loading…</div>;
}
