import type { ComponentChildren } from "preact";

/** An empty state: a title and an explanation of what would fill it. */
export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty" data-testid="empty">
      <strong>{title}</strong>
      {children ? <div class="muted">{children}</div> : null}
    </div>
  );
}
