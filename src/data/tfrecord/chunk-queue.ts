/**
 * A FIFO of byte chunks from a stream that hands out contiguous pieces of any size: a view into a chunk when the
 * piece lies within one (the common case: no copy), a fresh buffer when it straddles chunks. Each byte is copied
 * at most once, so a record larger than the read size costs O(record) rather than O(record²).
 * @module
 */

/** See the module comment. Internal to the TFRecord reader. */
export class ChunkQueue {
  #chunks: Uint8Array[] = [];
  #head = 0;
  #length = 0;

  /** Bytes queued. */
  get length(): number {
    return this.#length;
  }

  /**
   * Appends a chunk, kept by reference (it must not be modified afterwards). Node Buffers are viewed as plain
   * Uint8Arrays, so pieces behave as such (e.g. `slice()` copies).
   */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
    this.#length += chunk.length;
  }

  /** Removes and returns the next `n` bytes; the caller checks `n <= length`. */
  take(n: number): Uint8Array {
    const first = this.#chunks[0];
    if (first !== undefined && first.length - this.#head >= n) {
      const piece = first.subarray(this.#head, this.#head + n);
      this.#advance(first, n);
      return piece;
    }
    const piece = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.#chunks[0];
      const count = Math.min(chunk.length - this.#head, n - filled);
      piece.set(chunk.subarray(this.#head, this.#head + count), filled);
      filled += count;
      this.#advance(chunk, count);
    }
    return piece;
  }

  #advance(chunk: Uint8Array, count: number): void {
    this.#head += count;
    this.#length -= count;
    if (this.#head === chunk.length) {
      this.#chunks.shift();
      this.#head = 0;
    }
  }
}
