#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) whose TypeScript source still exists, with Node's
// test runner. Extra arguments are passed through (e.g. --test-name-pattern=cache).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const compiled = join(root, "dist", "test");
const files = [];
const walk = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path);
    else if (entry.name.endsWith(".test.js")) {
      const source = join(root, "test", relative(compiled, path)).replace(/\.js$/, ".ts");
      if (existsSync(source)) files.push(path);
    }
  }
};
walk(compiled);
files.sort();
const filter = process.env.KOAN_TEST_FILTER;
const selected = filter ? files.filter((f) => f.includes(filter)) : files;
// Tests load pipeline files from fresh temp folders: tsx's disk cache would keep every one of them (it grew to
// hundreds of thousands of files), so the tests compile without it unless TSX_DISABLE_CACHE says otherwise.
const env = { ...process.env, TSX_DISABLE_CACHE: process.env.TSX_DISABLE_CACHE ?? "1" };
const result = spawnSync(process.execPath, ["--test", "--test-concurrency=2", ...process.argv.slice(2), ...selected], { stdio: "inherit", env });
process.exit(result.status ?? 1);
