/** Small HTTP helpers for the dashboard tests. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { tempDir } from "../helpers.js";

/** A response read whole. */
export interface Got {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body (undefined when not JSON); tests read it loosely. */
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Request `url` (GET unless given) without following redirects. */
export async function request(url: string, init: RequestInit = {}): Promise<Got> {
  const res = await fetch(url, { redirect: "manual", ...init });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** A fake built front-end (index.html and one asset) for API tests that must not depend on the Vite build. */
export async function fakeAssets(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const t = await tempDir("koan-assets-");
  await mkdir(join(t.dir, "assets"), { recursive: true });
  await writeFile(join(t.dir, "index.html"), '<!doctype html><div id="app"></div><script type="module" src="/assets/app.js"></script>');
  await writeFile(join(t.dir, "assets", "app.js"), "console.log('koan');");
  return t;
}
