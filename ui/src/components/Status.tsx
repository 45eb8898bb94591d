/** A coloured state badge (run and step states, cache hits). */
export function Status({ status, cacheHit }: { status: string; cacheHit?: boolean }) {
  return (
    <span class="badges">
      <span class={`badge status-${status.replace(/\s+/g, "-")}`} data-status={status}>
        {status}
      </span>
      {cacheHit ? <span class="badge cache">cache hit</span> : null}
    </span>
  );
}
