import assert from "node:assert/strict";
import { test } from "node:test";
import { crc32c, maskCrc, maskedCrc32c, unmaskCrc } from "../../src/data/tfrecord/crc32c.js";
import { pseudoRandomBytes, referenceCrc32c } from "./shared.js";

test("CRC-32C matches the published check values (RFC 3720 B.4 and the catalogue check)", () => {
  assert.equal(crc32c(new TextEncoder().encode("123456789")), 0xe3069283);
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
  assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
  assert.equal(crc32c(new Uint8Array(0)), 0);
});

test("CRC-32C (slicing-by-16) equals a bit-by-bit CRC on every length and alignment", () => {
  const data = pseudoRandomBytes(300, 7);
  for (let start = 0; start < 17; start++) {
    for (let end = start; end <= 140; end++) {
      assert.equal(crc32c(data, start, end), referenceCrc32c(data.subarray(start, end)), `[${start}, ${end})`);
    }
  }
  assert.equal(crc32c(data), referenceCrc32c(data));
});

test("CRC-32C of views at any offset, alternating between buffers", () => {
  const a = pseudoRandomBytes(400, 11);
  const b = pseudoRandomBytes(400, 12);
  for (let offset = 0; offset < 20; offset++) {
    for (const [data, other] of [[a, b], [b, a]] as const) {
      const view = data.subarray(offset, offset + 200);
      assert.equal(crc32c(view), referenceCrc32c(view), `offset ${offset}`);
      assert.equal(crc32c(other.subarray(offset + 1), 3, 77), referenceCrc32c(other.subarray(offset + 4, offset + 78)));
    }
  }
});

test("masked CRC follows TensorFlow's formula and unmasks", () => {
  for (const crc of [0, 1, 0x12345678, 0xffffffff, 0x80000000, 0xe3069283]) {
    const expected = ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) % 2 ** 32;
    assert.equal(maskCrc(crc), expected);
    assert.equal(unmaskCrc(maskCrc(crc)), crc);
  }
  const data = new TextEncoder().encode("123456789");
  assert.equal(maskedCrc32c(data), maskCrc(0xe3069283));
});
