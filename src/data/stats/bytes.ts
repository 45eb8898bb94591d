/**
 * Byte-level helpers for string features: values are keyed as binary strings (one char per byte), which are
 * exact, cheap to build, and compare in byte order.
 * @module
 */

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The binary string (one char per byte, codes 0..255) of some bytes. */
export function toBinaryString(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

/** The bytes of a binary string. */
export function fromBinaryString(key: string): Uint8Array {
  return new Uint8Array(Buffer.from(key, "latin1"));
}

/** The text of a binary string holding UTF-8, or undefined when the bytes are not valid UTF-8. */
export function decodeUtf8Binary(key: string): string | undefined {
  let ascii = true;
  for (let i = 0; i < key.length; i++) {
    if (key.charCodeAt(i) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return key; // ASCII bytes are their own UTF-8 text
  try {
    return utf8.decode(Buffer.from(key, "latin1"));
  } catch {
    return undefined;
  }
}

/** True when the bytes are well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF). */
export function isValidUtf8(b: Uint8Array): boolean {
  let i = 0;
  const n = b.length;
  while (i < n) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return false;
    if (i + need >= n) return false;
    const second = b[i + 1];
    if (second < lo || second > hi) return false;
    for (let j = 2; j <= need; j++) {
      const x = b[i + j];
      if (x < 0x80 || x > 0xbf) return false;
    }
    i += need + 1;
  }
  return true;
}

/** {@link isValidUtf8} of the bytes of a binary string (one char per byte). */
export function isValidUtf8Binary(key: string): boolean {
  for (let i = 0; i < key.length; i++) {
    if (key.charCodeAt(i) >= 0x80) return isValidUtf8(Buffer.from(key, "latin1"));
  }
  return true;
}
