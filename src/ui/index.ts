/** The dashboard: `startUiServer` (used by `koan ui`) and `createApp` for embedding or tests. @module */
export { startUiServer, type UiServer, type UiServerOptions } from "./server.js";
export { createApp, type AppOptions } from "./app.js";
export { isLoopback, resolveToken, generateToken } from "./auth.js";
export { registerPreview, type PreviewProvider } from "./preview.js";
export type * from "./api-types.js";
