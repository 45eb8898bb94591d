/**
 * TensorBoard logs of a training, laid out like Keras' `TensorBoard` callback: `train/` and `validation/`
 * folders, each with one event file (`*.v2`) holding one scalar (`simple_value`, as the Keras callback writes
 * them) per metric per epoch, tagged `epoch_<metric>` at step = epoch index (from 0). `val_`-prefixed metrics go
 * to `validation/` without the prefix.
 * @module
 */
import { join } from "node:path";
import { EventFileWriter, type EventFileWriterOptions } from "../data/events/writer.js";

/** Writes the per-epoch scalars of one training. */
export class TensorBoardLog {
  readonly #writers = new Map<string, EventFileWriter>();

  constructor(
    /** The log folder (`train/` and `validation/` are made inside). */
    readonly dir: string,
    private readonly options: EventFileWriterOptions = {},
  ) {}

  async #writer(run: "train" | "validation"): Promise<EventFileWriter> {
    let w = this.#writers.get(run);
    if (!w) {
      w = await EventFileWriter.open(join(this.dir, run), { suffix: ".v2", scalarStyle: "simple_value", ...this.options });
      this.#writers.set(run, w);
    }
    return w;
  }

  /** Write one epoch's metrics (`loss`, `accuracy`, `val_loss`, ...) and flush, so a running TensorBoard sees them. */
  async writeEpoch(epoch: number, logs: Readonly<Record<string, number>>): Promise<void> {
    for (const [name, value] of Object.entries(logs)) {
      const validation = name.startsWith("val_");
      const w = await this.#writer(validation ? "validation" : "train");
      await w.writeScalar(`epoch_${validation ? name.slice(4) : name}`, value, epoch);
    }
    for (const w of this.#writers.values()) await w.flush();
  }

  /** Close every file. */
  async close(): Promise<void> {
    for (const w of this.#writers.values()) await w.close();
  }
}
