/** The 404 view: unknown pages, runs and artifacts. */
export function NotFound({ what = "page", message }: { what?: string; message?: string }) {
  return (
    <div class="notfound" data-testid="not-found">
      <h1>404</h1>
      <p>
        No such {what}
        {message ? <>: {message}</> : null}.
      </p>
      <p>
        <a href="/runs">Back to all runs</a>
      </p>
    </div>
  );
}
