/** Component URIs of `koan stack register`: every form, and the errors for malformed ones. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { componentUri, parseArtifactStoreUri, parseMetadataStoreUri } from "../../src/stack/uri.js";
import { isKoanError } from "../../src/core/errors.js";
import { hasLiteralCredential, redactConfig, redactUri } from "../../src/secrets/redact.js";

const invalid = (fn: () => unknown, pattern: RegExp): void => {
  assert.throws(fn, (e) => isKoanError(e, "CONFIG_INVALID") && pattern.test(e.message));
};

test("artifact store URIs: local paths, s3, gs and azure", () => {
  assert.deepEqual(parseArtifactStoreUri("file:///srv/koan/artifacts"), { flavor: "local", config: { path: "/srv/koan/artifacts" } });
  assert.deepEqual(parseArtifactStoreUri("shared/art", "/home/me/proj"), { flavor: "local", config: { path: "/home/me/proj/shared/art" } });
  assert.deepEqual(parseArtifactStoreUri("/abs/art"), { flavor: "local", config: { path: "/abs/art" } });
  assert.deepEqual(parseArtifactStoreUri("s3://team-bucket/koan/runs?endpoint=http://127.0.0.1:9000&region=eu-west-1&forcePathStyle=true"), {
    flavor: "s3",
    config: { bucket: "team-bucket", prefix: "koan/runs", endpoint: "http://127.0.0.1:9000", region: "eu-west-1", forcePathStyle: true },
  });
  assert.deepEqual(parseArtifactStoreUri("s3://team-bucket"), { flavor: "s3", config: { bucket: "team-bucket" } });
  assert.deepEqual(parseArtifactStoreUri("gs://ml-artifacts/koan/"), { flavor: "gcs", config: { bucket: "ml-artifacts", prefix: "koan" } });
  assert.deepEqual(parseArtifactStoreUri("azure://acct01/models/koan/x"), { flavor: "azure", config: { account: "acct01", container: "models", prefix: "koan/x" } });
  assert.deepEqual(parseArtifactStoreUri("az://acct01/models?endpoint=http://127.0.0.1:10000/devstoreaccount1"), {
    flavor: "azure",
    config: { account: "acct01", container: "models", endpoint: "http://127.0.0.1:10000/devstoreaccount1" },
  });
});

test("malformed artifact store URIs are CONFIG_INVALID naming the problem", () => {
  invalid(() => parseArtifactStoreUri("ftp://host/x"), /unknown scheme "ftp:"/);
  invalid(() => parseArtifactStoreUri("file://relative/path"), /absolute path/);
  invalid(() => parseArtifactStoreUri("s3://Bad_Bucket!/x"), /not a valid bucket name|not a valid URI/);
  invalid(() => parseArtifactStoreUri("s3://bucket/x?color=blue"), /unknown parameter "color"/);
  invalid(() => parseArtifactStoreUri("s3://bucket/x?forcePathStyle=maybe"), /forcePathStyle/);
  invalid(() => parseArtifactStoreUri("s3://bucket/x?endpoint=localhost:9000"), /endpoint/);
  invalid(() => parseArtifactStoreUri("azure://acct01"), /names no container/);
  invalid(() => parseArtifactStoreUri("azure://ACCOUNT/c1"), /storage account/i);
});

test("metadata store URIs: sqlite paths and postgres URLs", () => {
  assert.deepEqual(parseMetadataStoreUri("sqlite:///var/koan/meta.db"), { flavor: "sqlite", config: { path: "/var/koan/meta.db" } });
  assert.deepEqual(parseMetadataStoreUri("sqlite:rel/meta.db", "/p"), { flavor: "sqlite", config: { path: "/p/rel/meta.db" } });
  assert.deepEqual(parseMetadataStoreUri("team.db", "/p"), { flavor: "sqlite", config: { path: "/p/team.db" } });
  assert.deepEqual(parseMetadataStoreUri("postgres://koan@db.internal:5432/koan"), { flavor: "postgres", config: { url: "postgres://koan@db.internal:5432/koan" } });
  assert.deepEqual(parseMetadataStoreUri("postgresql://koan:{{secret:pg}}@db:5432/koan?sslmode=require&schema=ml&passwordEnv=PGPW"), {
    flavor: "postgres",
    config: { url: "postgresql://koan:{{secret:pg}}@db:5432/koan?sslmode=require", schema: "ml", passwordEnv: "PGPW" },
  });
  invalid(() => parseMetadataStoreUri("notes.txt"), /\.db/);
  invalid(() => parseMetadataStoreUri("mysql://h/db"), /unknown scheme "mysql:"/);
  invalid(() => parseMetadataStoreUri("sqlite://host/x.db"), /absolute path/);
  invalid(() => parseMetadataStoreUri("postgres:///koan"), /no host/);
});

test("a URI with a clear-text credential is refused without echoing it", () => {
  for (const [parse, uri] of [
    [parseMetadataStoreUri, "postgres://koan:hunter2-CANARY@db/koan"],
    [parseMetadataStoreUri, "postgres://koan@db/koan?password=hunter2-CANARY"],
    [parseArtifactStoreUri, "s3://AKIA:hunter2-CANARY@bucket/x"],
  ] as const) {
    assert.throws(
      () => parse(uri),
      (e) => isKoanError(e, "CONFIG_INVALID") && /clear text/.test(e.message) && !JSON.stringify([e.message, e.hint, e.details]).includes("hunter2-CANARY"),
    );
  }
  assert.equal(hasLiteralCredential("postgres://koan:{{secret:pg}}@db/koan"), false);
  assert.equal(hasLiteralCredential("postgres://koan@db/koan?password={{secret:pg}}"), false);
});

test("redaction hides passwords, credential parameters and secret references", () => {
  assert.equal(redactUri("postgres://me:pw@h:5/db"), "postgres://me:***@h:5/db");
  assert.equal(redactUri("postgres://me:{{secret:pg}}@h/db"), "postgres://me:***@h/db");
  assert.equal(redactUri("https://acct.blob.core.windows.net/c?sv=1&sig=abc&se=2"), "https://acct.blob.core.windows.net/c?sv=1&sig=***&se=2");
  assert.equal(redactUri("file:///tmp/x"), "file:///tmp/x");
  assert.deepEqual(redactConfig({ url: "postgres://u:pw@h/d", accountKey: "k", nested: { token: "t", path: "/x" } }), {
    url: "postgres://u:***@h/d",
    accountKey: "***",
    nested: { token: "***", path: "/x" },
  });
});

test("component URIs are shown back redacted", () => {
  assert.equal(componentUri({ flavor: "local", config: { path: "/srv/a" } }), "file:///srv/a");
  assert.equal(componentUri({ flavor: "local", config: { path: ".koan/artifacts" } }), ".koan/artifacts");
  assert.equal(componentUri({ flavor: "sqlite", config: { path: "/srv/m.db" } }), "sqlite:///srv/m.db");
  assert.equal(componentUri({ flavor: "postgres", config: { url: "postgres://u:{{secret:x}}@h/d", schema: "ml" } }), "postgres://u:***@h/d?schema=ml");
  assert.equal(componentUri({ flavor: "s3", config: { bucket: "b", prefix: "p", region: "r1" } }), "s3://b/p?region=r1");
  assert.equal(componentUri({ flavor: "azure", config: { account: "a01", container: "c01" } }), "azure://a01/c01");
});
