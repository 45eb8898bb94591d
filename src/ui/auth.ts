/**
 * Access control of the dashboard: a token (when set) checked on every request, API and assets alike. It may come
 * as `Authorization: Bearer <token>`, an `X-Koan-Token` header, a `koan_token` cookie, or once as `?token=` (which
 * sets the cookie, and for pages redirects to the same URL without the token).
 * @module
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import type { MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";

/** Name of the cookie holding the token. */
export const TOKEN_COOKIE = "koan_token";

/** Whether a host name or address is on the loopback interface (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (isIP(h) === 4) return h.startsWith("127.");
  if (isIP(h) === 6) return h === "::1" || h === "0:0:0:0:0:0:0:1" || /^::ffff:127\./.test(h);
  return false;
}

/** A fresh random token (32 URL-safe characters). */
export function generateToken(): string {
  return randomBytes(24).toString("base64url");
}

/**
 * The token a server on `host` must use: the given one; else, for a host other than loopback, a generated one
 * (`generated: true`, to print); else none.
 */
export function resolveToken(host: string, token: string | undefined): { token: string | undefined; generated: boolean } {
  if (token !== undefined && token !== "") return { token, generated: false };
  if (!isLoopback(host)) return { token: generateToken(), generated: true };
  return { token: undefined, generated: false };
}

const digest = (s: string): Buffer => createHash("sha256").update(s).digest();
/** Constant-time comparison of a presented token with the expected one. */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  return presented !== undefined && timingSafeEqual(digest(presented), digest(expected));
}

function presented(c: Parameters<MiddlewareHandler>[0]): string | undefined {
  const bearer = c.req.header("authorization");
  if (bearer?.toLowerCase().startsWith("bearer ")) return bearer.slice(7).trim();
  return c.req.header("x-koan-token") ?? getCookie(c, TOKEN_COOKIE);
}

/** Middleware requiring `token` on every request (no-op when `token` is undefined). */
export function requireToken(token: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (token === undefined) return next();
    if (tokenMatches(presented(c), token)) return next();
    const fromQuery = c.req.query("token");
    if (tokenMatches(fromQuery, token)) {
      setCookie(c, TOKEN_COOKIE, token, { httpOnly: true, sameSite: "Strict", path: "/" });
      const url = new URL(c.req.url);
      if (!url.pathname.startsWith("/api/")) {
        url.searchParams.delete("token");
        return c.redirect(`${url.pathname}${url.search}`, 302);
      }
      return next();
    }
    c.header("WWW-Authenticate", 'Bearer realm="koan"');
    if (c.req.path.startsWith("/api/")) {
      return c.json({ error: { code: "UNAUTHORIZED", message: "this dashboard needs a token", hint: "open the URL that `koan ui` printed, or send Authorization: Bearer <token>" } }, 401);
    }
    return c.html(
      `<!doctype html><meta charset="utf-8"><title>Koan: token needed</title><body style="font-family:system-ui;margin:3rem"><h1>This Koan dashboard needs a token</h1><p>Open the URL that <code>koan ui</code> printed (it ends in <code>?token=…</code>).</p></body>`,
      401,
    );
  };
}

/**
 * Middleware refusing requests whose Host header names another host than the server's (DNS rebinding), for a
 * server on loopback without a token. Servers with a token accept any Host.
 */
export function checkHost(boundHost: string, token: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (token !== undefined || !isLoopback(boundHost)) return next();
    const host = c.req.header("host") ?? "";
    const name = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : (host.split(":")[0] ?? "");
    if (!isLoopback(name)) return c.json({ error: { code: "FORBIDDEN_HOST", message: `requests for host "${host}" are refused by a dashboard on ${boundHost}` } }, 403);
    return next();
  };
}
