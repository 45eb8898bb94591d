#!/usr/bin/env node
// The `koan` command. Compiled sources live in dist/ (built by `npm ci` through the prepare script).
let cli;
try {
  cli = await import("../dist/src/cli/main.js");
} catch (e) {
  if (e && e.code === "ERR_MODULE_NOT_FOUND" && String(e.message).includes("main.js")) {
    console.error("koan: not built yet; run `npm run build` (npm ci does it for you)");
    process.exit(1);
  }
  throw e;
}
const code = await cli.main(process.argv);
// Exit once output is flushed, even if step code left timers or sockets open.
process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
