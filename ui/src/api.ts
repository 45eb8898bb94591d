/** Fetching the dashboard's JSON API; a 503 marks the store unreachable (the app shows a banner). */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { ApiError } from "../../src/ui/api-types.js";

/** An API call that failed. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

type StoreListener = (problem: string | null) => void;
const storeListeners = new Set<StoreListener>();
/** Be told when the store becomes unreachable (a message) or reachable again (null). */
export function onStoreProblem(l: StoreListener): () => void {
  storeListeners.add(l);
  return () => storeListeners.delete(l);
}

/** GET a JSON endpoint. @throws ApiFailure */
export async function getJson<T>(path: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { headers: { accept: "application/json" }, credentials: "same-origin" });
  } catch (e) {
    const message = "the Koan server does not answer (is `koan ui` still running?)";
    storeListeners.forEach((l) => l(message));
    throw new ApiFailure(0, "SERVER_UNREACHABLE", message);
  }
  const body = (await res.json().catch(() => null)) as (T & Partial<ApiError>) | null;
  if (!res.ok) {
    const err = body?.error ?? { code: "HTTP_" + res.status, message: res.statusText };
    if (res.status === 503) storeListeners.forEach((l) => l(err.message));
    throw new ApiFailure(res.status, err.code, err.message, err.hint);
  }
  storeListeners.forEach((l) => l(null));
  return body as T;
}

/** The state of a fetched resource. */
export interface Loaded<T> {
  data: T | undefined;
  error: ApiFailure | undefined;
  loading: boolean;
  /** Fetch again (keeps showing the old data meanwhile). */
  reload: () => void;
}

/** Fetch `path` (null: nothing to fetch) and refetch when it changes. */
export function useApi<T>(path: string | null): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiFailure; loading: boolean }>({ loading: path !== null });
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    if (path === null) return;
    const n = ++latest.current;
    setState((s) => ({ ...s, loading: true }));
    getJson<T>(path).then(
      (data) => n === latest.current && setState({ data, loading: false }),
      (error: ApiFailure) => n === latest.current && setState({ error, loading: false }),
    );
  }, [path, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** Call `onUpdate` on every `update` event of a server-sent event stream (null: none). */
export function useLive(url: string | null, onUpdate: () => void): void {
  const cb = useRef(onUpdate);
  cb.current = onUpdate;
  useEffect(() => {
    if (!url || typeof EventSource === "undefined") return;
    const es = new EventSource(url);
    let first = true;
    es.addEventListener("update", () => {
      if (first) first = false; // the first event describes the state already shown
      else cb.current();
    });
    es.addEventListener("end", () => {
      cb.current();
      es.close();
    });
    return () => es.close();
  }, [url]);
}
