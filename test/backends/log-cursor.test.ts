/**
 * The log cursor every backend reads remote logs with: timestamps of any precision and offset compared as times,
 * entries at the boundary timestamp dropped when they come again (by key, counted, so a line printed twice at
 * one instant stays twice), and the parsing of pod log lines and Cloud Logging entries into lines.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LogCursor, timestampNanos, wholeSeconds } from "../../src/backends/log-cursor.js";
import { splitTimestamp, takeNewLines } from "../../src/backends/kubernetes/logs.js";
import { entryLines } from "../../src/backends/vertex/logging.js";

describe("log cursor", () => {
  it("compares RFC 3339 timestamps as times, whatever their precision or offset", () => {
    assert.equal(timestampNanos("2025-03-04T10:01:12Z"), 1741082472000000000n);
    assert.equal(timestampNanos("2025-03-04T10:01:12.25Z"), 1741082472250000000n);
    assert.equal(timestampNanos("2025-03-04T10:01:12.250000001Z"), 1741082472250000001n);
    assert.equal(timestampNanos("2025-03-04T11:01:12.25+01:00"), timestampNanos("2025-03-04T10:01:12.25Z"));
    assert.equal(timestampNanos("yesterday"), undefined);
    assert.equal(wholeSeconds(1741082472999999999n), "2025-03-04T10:01:12Z");
  });

  it("takes each entry once across reads that repeat the boundary timestamp", () => {
    const c = new LogCursor();
    const read = (entries: [string, string][]) => {
      c.begin();
      return entries.filter(([ts, key]) => c.take(ts, key)).map(([, key]) => key);
    };
    assert.deepEqual(read([["2025-03-04T10:00:01.5Z", "a"], ["2025-03-04T10:00:02Z", "b"]]), ["a", "b"]);
    assert.equal(c.since, "2025-03-04T10:00:02Z");
    // The next read, from 10:00:02 on (written with more digits this time), brings b again and c beside it.
    assert.deepEqual(read([["2025-03-04T10:00:02.000000000Z", "b"], ["2025-03-04T10:00:02.000Z", "c"], ["2025-03-04T10:00:03Z", "d"]]), ["c", "d"]);
    // An older entry (a wider read) is not taken again.
    assert.deepEqual(read([["2025-03-04T10:00:01.5Z", "a"], ["2025-03-04T10:00:03Z", "d"], ["2025-03-04T10:00:04Z", "e"]]), ["e"]);
  });

  it("counts repeats of one key at one instant, and treats entries without a time as at the cursor", () => {
    const c = new LogCursor();
    const read = (entries: [string | undefined, string][]) => {
      c.begin();
      return entries.filter(([ts, key]) => c.take(ts, key)).map(([, key]) => key);
    };
    assert.deepEqual(read([["2025-03-04T10:00:05Z", "tick"], ["2025-03-04T10:00:05Z", "tick"]]), ["tick", "tick"]);
    assert.deepEqual(read([["2025-03-04T10:00:05Z", "tick"], ["2025-03-04T10:00:05Z", "tick"], ["2025-03-04T10:00:05Z", "tick"]]), ["tick"], "only the third is new");
    assert.deepEqual(read([[undefined, "plain"], [undefined, "plain"]]), ["plain", "plain"]);
    assert.deepEqual(read([[undefined, "plain"], [undefined, "plain"]]), [], "the same text again is what was read");
  });

  it("splits pod log lines read with timestamps, and drops the lines a later read repeats", () => {
    assert.deepEqual(splitTimestamp("2025-03-04T10:01:12.25Z epoch 1  loss 0.61"), { time: "2025-03-04T10:01:12.25Z", text: "epoch 1  loss 0.61" });
    assert.deepEqual(splitTimestamp("2025-03-04T10:01:12.25Z"), { time: "2025-03-04T10:01:12.25Z", text: "" });
    assert.deepEqual(splitTimestamp("no time here"), { text: "no time here" });
    const c = new LogCursor();
    assert.deepEqual(takeNewLines(c, "2025-03-04T10:01:11Z a\n2025-03-04T10:01:12.25Z b\n"), ["a", "b"]);
    assert.deepEqual(takeNewLines(c, "2025-03-04T10:01:12.25Z b\r\n2025-03-04T10:01:12.5Z \n2025-03-04T10:01:13Z c\n"), ["", "c"]);
  });

  it("turns Cloud Logging entries into lines: text, JSON message, other JSON; several lines per entry", () => {
    assert.deepEqual(entryLines({ textPayload: "epoch 2 loss 0.42\n" }), ["epoch 2 loss 0.42"]);
    assert.deepEqual(entryLines({ jsonPayload: { message: "Traceback (most recent call last):\r\n  File \"train.py\"", levelname: "ERROR" } }), ["Traceback (most recent call last):", '  File "train.py"']);
    assert.deepEqual(entryLines({ jsonPayload: { event: "preempted" } }), ['{"event":"preempted"}']);
    assert.deepEqual(entryLines({}), []);
  });
});
