/**
 * Writing TensorBoard event files. The file is written in place (not atomically) and can be flushed, so a
 * running TensorBoard sees the scalars as they come.
 * @module
 */
import { hostname as osHostname } from "node:os";
import { join } from "node:path";
import { TFRecordWriter } from "../tfrecord/writer.js";
import { FILE_VERSION } from "./data-type.js";
import { encodeEvent } from "./encode.js";
import { eventFileName } from "./file-name.js";
import { scalarEvent, type ScalarStyle } from "./scalars.js";
import type { EventInit } from "./types.js";

/** Options of {@link EventFileWriter.open}. */
export interface EventFileWriterOptions {
  /** Seconds since the epoch for the file name (default: `clock()`). */
  timestamp?: number;
  /** Host name for the file name (default: the OS host name). */
  hostname?: string;
  /** File name suffix, e.g. `.v2` (default none). */
  suffix?: string;
  /** Wall time in seconds for events that do not give one (default: `Date.now() / 1000`). */
  clock?: () => number;
  /** How {@link EventFileWriter.writeScalar} writes values (default `"simple_value"`). */
  scalarStyle?: ScalarStyle;
}

/**
 * Writes one event file: a first event with `file_version: "brain.Event:2"`, then the events given.
 * Pass `timestamp`, `hostname` and `clock` for byte-identical files across runs.
 * @example
 * ```ts
 * const writer = await EventFileWriter.open("logs/train", { timestamp: 1700000000, hostname: "ci", clock: () => 1700000000 });
 * await writer.writeScalar("loss", 0.25, 1);
 * await writer.close();
 * ```
 */
export class EventFileWriter {
  readonly #records: TFRecordWriter;
  readonly #clock: () => number;
  readonly #style: ScalarStyle;

  private constructor(records: TFRecordWriter, clock: () => number, style: ScalarStyle) {
    this.#records = records;
    this.#clock = clock;
    this.#style = style;
  }

  /** Creates `directory` if needed and starts a new event file in it. */
  static async open(directory: string, options: EventFileWriterOptions = {}): Promise<EventFileWriter> {
    const clock = options.clock ?? (() => Date.now() / 1000);
    const name = eventFileName({
      timestamp: options.timestamp ?? clock(),
      hostname: options.hostname ?? osHostname(),
      ...(options.suffix === undefined ? {} : { suffix: options.suffix }),
    });
    const records = await TFRecordWriter.open(join(directory, name), { compression: "none", atomic: false });
    const writer = new EventFileWriter(records, clock, options.scalarStyle ?? "simple_value");
    try {
      await writer.writeEvent({ fileVersion: FILE_VERSION });
    } catch (e) {
      await records.abort();
      throw e;
    }
    return writer;
  }

  /** The path of the file. */
  get path(): string {
    return this.#records.path;
  }

  /** Appends an event; its wall time defaults to `clock()`. */
  async writeEvent(event: EventInit): Promise<void> {
    await this.#records.write(encodeEvent(event.wallTime === undefined ? { ...event, wallTime: this.#clock() } : event));
  }

  /** Appends one scalar (in the writer's {@link EventFileWriterOptions.scalarStyle}). */
  async writeScalar(tag: string, value: number, step: number, wallTime?: number): Promise<void> {
    await this.writeEvent(scalarEvent(tag, value, step, { style: this.#style, ...(wallTime === undefined ? {} : { wallTime }) }));
  }

  /** Hands buffered events to the OS, so readers of the file see them. */
  async flush(): Promise<void> {
    await this.#records.flush();
  }

  /** Flushes, syncs and closes the file. */
  async close(): Promise<void> {
    await this.#records.close();
  }

  /** Stops writing and removes the file. */
  async abort(): Promise<void> {
    await this.#records.abort();
  }
}
