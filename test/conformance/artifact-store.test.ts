/** Runs the artifact store conformance suite for every flavor selected by KOAN_FLAVORS (default: all available). */
import { after } from "node:test";
import { chmod, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { LocalArtifactStore } from "../../src/stores/artifact/local/store.js";
import { tempDir } from "../helpers.js";
import { artifactStoreConformance } from "./artifact-store.cases.js";
import { selected } from "./select.js";

if (selected("local")) {
  const dirs: (() => Promise<void>)[] = [];
  after(async () => Promise.all(dirs.map((c) => c())));
  artifactStoreConformance({
    flavor: "local",
    async open() {
      const { dir, cleanup } = await tempDir();
      dirs.push(cleanup);
      return LocalArtifactStore.open({ path: join(dir, "artifacts") });
    },
    async corrupt(store, hash) {
      const path = store.localPath?.(hash) as string;
      await chmod(path, 0o644);
      await writeFile(path, "tampered");
    },
    cleanup: async () => undefined,
  });
}
