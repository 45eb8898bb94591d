/**
 * Step logs as they are written, for `koan runs show --follow --logs`: the new lines of each running step's live
 * log (src/runner/live-log.ts; present when the step runs on this machine), then, when the step has ended, the
 * rest of its stored log — so every line is printed once, whether the step ran here or elsewhere.
 * @module
 */
import type { Koan } from "../client/client.js";
import { readLiveLog } from "../runner/live-log.js";
import type { StepRunRecord } from "../stores/metadata/types.js";

/** Prints step log lines through `write`, each once. */
export class StepLogTail {
  /** Bytes of each step run's log printed so far. */
  private readonly printed = new Map<string, number>();

  constructor(
    private readonly koan: Koan,
    private readonly write: (step: string, line: string) => void,
  ) {}

  private emit(step: string, text: string): void {
    for (const line of text.split("\n").slice(0, text.endsWith("\n") ? -1 : undefined)) this.write(step, line);
  }

  /** Print what the running step runs among `steps` have logged since the last call. */
  async poll(steps: readonly StepRunRecord[]): Promise<void> {
    for (const s of steps) {
      if (s.status !== "running") continue;
      const from = this.printed.get(s.id) ?? 0;
      const live = await readLiveLog(s.id, from).catch(() => undefined);
      // A rewritten file (a new attempt) starts with every line so far: skip what was printed.
      if (!live || live.next <= from) continue;
      this.emit(s.step, live.reset ? Buffer.from(live.text).subarray(from).toString("utf8") : live.text);
      this.printed.set(s.id, live.next);
    }
  }

  /** Print the rest of the stored log of step run `s`, which has ended. */
  async finish(s: StepRunRecord): Promise<void> {
    if (!s.logBlob) return;
    const text = Buffer.from(await this.koan.stepLog(s).catch(() => ""));
    const from = this.printed.get(s.id) ?? 0;
    if (text.length > from) this.emit(s.step, text.subarray(from).toString("utf8"));
    this.printed.set(s.id, text.length);
  }
}
