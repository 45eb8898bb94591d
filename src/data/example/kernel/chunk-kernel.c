/*
 * Koan's Example chunk kernel, compiled to WebAssembly (see scripts/build-wasm.js and ../wasm-chunk-encoder.ts).
 *
 * encode() turns rows `first, first + step, ...` of a chunk of typed columns into framed TFRecord records of
 * tf.train.Example, byte for byte what ExampleRowEncoder.encode and writeFramedRecord give: features in the
 * order of the column descriptors (sorted by key by the caller), a present but empty feature for NULL, length
 * and data framed with masked CRC-32C. No libc: the module imports nothing and owns one linear memory, whose
 * layout the JavaScript side manages (it grows the memory and hands in offsets).
 */
#include <stdint.h>

#define EXPORT(name) __attribute__((export_name(name)))

enum { KIND_FLOAT = 0, KIND_INT64 = 1, KIND_BYTES = 2 };
enum { TAG_1 = 0x0a, TAG_2 = 0x12, TAG_3 = 0x1a };

/* One column, as laid out by the caller (eight uint32 words). */
typedef struct {
  uint32_t kind;
  uint32_t head;     /* TAG_1 varint(keyLength) key TAG_2: the map entry's bytes before the feature size */
  uint32_t head_len;
  uint32_t values;   /* float: f64[rows]; int64: i32[2 * rows] (low half first); bytes: u32 offsets[rows + 1] */
  uint32_t valid;    /* u8[rows], 1 = a value, 0 = NULL; 0 when every row has a value */
  uint32_t blob;     /* bytes: the strings' bytes, row r at [offsets[r], offsets[r + 1]) */
  uint32_t pad0, pad1;
} Column;

static uint32_t crc_tables[8 * 256];

EXPORT("init") void init(void) {
  for (uint32_t b = 0; b < 256; b++) {
    uint32_t c = b;
    for (int bit = 0; bit < 8; bit++) c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
    crc_tables[b] = c;
  }
  for (uint32_t b = 0; b < 256; b++) {
    uint32_t c = crc_tables[b];
    for (int k = 1; k < 8; k++) {
      c = crc_tables[c & 0xff] ^ (c >> 8);
      crc_tables[k * 256 + b] = c;
    }
  }
}

static inline uint32_t load32(const uint8_t* p) {
  uint32_t v;
  __builtin_memcpy(&v, p, 4);
  return v;
}

static inline void store32(uint8_t* p, uint32_t v) { __builtin_memcpy(p, &v, 4); }

/* CRC-32C of data[0, n), slicing by 8. */
static uint32_t crc32c(const uint8_t* p, uint32_t n) {
  const uint32_t* T = crc_tables;
  uint32_t crc = 0xffffffffu;
  while (n >= 8) {
    uint32_t a = load32(p) ^ crc;
    uint32_t b = load32(p + 4);
    crc = T[1792 + (a & 0xff)] ^ T[1536 + ((a >> 8) & 0xff)] ^ T[1280 + ((a >> 16) & 0xff)] ^ T[1024 + (a >> 24)] ^
          T[768 + (b & 0xff)] ^ T[512 + ((b >> 8) & 0xff)] ^ T[256 + ((b >> 16) & 0xff)] ^ T[b >> 24];
    p += 8;
    n -= 8;
  }
  while (n--) crc = T[(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return ~crc;
}

static inline uint32_t masked(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }

EXPORT("maskedCrc32c") uint32_t masked_crc32c(const uint8_t* p, uint32_t n) { return masked(crc32c(p, n)); }

static inline uint32_t varint32_size(uint32_t v) { return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5; }

static inline uint8_t* put_varint32(uint8_t* p, uint32_t v) {
  while (v >= 0x80) {
    *p++ = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  *p++ = (uint8_t)v;
  return p;
}

static inline uint8_t* put_varint64(uint8_t* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  *p++ = (uint8_t)v;
  return p;
}

/* Bytes of an int64's varint (1 to 10). */
static inline uint32_t varint64_size(uint64_t v) {
  uint32_t bits = v == 0 ? 0 : 64 - (uint32_t)__builtin_clzll(v);
  return bits == 0 ? 1 : (bits + 6) / 7;
}

/* The float32 bytes a Float32Array store gives: round to nearest even; a NaN keeps its sign and top payload. */
static inline uint32_t float32_bits(double d) {
  if (d != d) {
    uint64_t b;
    __builtin_memcpy(&b, &d, 8);
    return (uint32_t)(b >> 32 & 0x80000000u) | 0x7fc00000u | (uint32_t)(b >> 29 & 0x3fffffu);
  }
  float f = (float)d;
  uint32_t u;
  __builtin_memcpy(&u, &f, 4);
  return u;
}

/* Size of column c's feature message in row r. */
static inline uint32_t feature_size(const Column* c, uint32_t r) {
  const uint8_t* valid = (const uint8_t*)(uintptr_t)c->valid;
  if (c->kind == KIND_BYTES) {
    if (valid && !valid[r]) return 2;
    const uint32_t* off = (const uint32_t*)(uintptr_t)c->values;
    uint32_t len = off[r + 1] - off[r];
    uint32_t list = 1 + varint32_size(len) + len;
    return 1 + varint32_size(list) + list;
  }
  if (valid && !valid[r]) return 2;
  if (c->kind == KIND_FLOAT) return 8;
  const uint32_t* w = (const uint32_t*)(uintptr_t)c->values;
  uint64_t v = (uint64_t)w[2 * r] | ((uint64_t)w[2 * r + 1] << 32);
  return 4 + varint64_size(v);
}

static inline uint32_t entry_bytes(uint32_t head_len, uint32_t size) {
  uint32_t entry = head_len + varint32_size(size) + size;
  return 1 + varint32_size(entry) + entry;
}

/* Write column c's map entry for row r (its feature of `size` bytes). */
static inline uint8_t* put_entry(uint8_t* p, const Column* c, uint32_t r, uint32_t size) {
  uint32_t entry = c->head_len + varint32_size(size) + size;
  *p++ = TAG_1;
  p = put_varint32(p, entry);
  const uint8_t* head = (const uint8_t*)(uintptr_t)c->head;
  for (uint32_t j = 0; j < c->head_len; j++) p[j] = head[j];
  p += c->head_len;
  p = put_varint32(p, size);
  if (c->kind == KIND_FLOAT) {
    *p++ = TAG_2;
    if (size == 2) {
      *p++ = 0;
      return p;
    }
    *p++ = 6;
    *p++ = TAG_1;
    *p++ = 4;
    store32(p, float32_bits(((const double*)(uintptr_t)c->values)[r]));
    return p + 4;
  }
  if (c->kind == KIND_INT64) {
    *p++ = TAG_3;
    if (size == 2) {
      *p++ = 0;
      return p;
    }
    *p++ = (uint8_t)(size - 2);
    *p++ = TAG_1;
    *p++ = (uint8_t)(size - 4);
    const uint32_t* w = (const uint32_t*)(uintptr_t)c->values;
    return put_varint64(p, (uint64_t)w[2 * r] | ((uint64_t)w[2 * r + 1] << 32));
  }
  *p++ = TAG_1;
  if (size == 2) {
    *p++ = 0;
    return p;
  }
  const uint32_t* off = (const uint32_t*)(uintptr_t)c->values;
  uint32_t start = off[r], len = off[r + 1] - start;
  p = put_varint32(p, 1 + varint32_size(len) + len);
  *p++ = TAG_1;
  p = put_varint32(p, len);
  const uint8_t* s = (const uint8_t*)(uintptr_t)c->blob + start;
  for (uint32_t j = 0; j < len; j++) p[j] = s[j];
  return p + len;
}

/*
 * Write the framed records of rows first, first + step, ... (below rows) to out, in one pass (each record's size is
 * summed from its columns just before they are written); returns the bytes written. out must hold the bound the
 * caller computes (see ExampleChunkEncoder.load): per record 22 bytes of framing, per column 11 + head_len bytes
 * of entry framing plus 14 for a number or 12 plus the string's length for a string.
 */
EXPORT("encode") uint32_t encode(const Column* cols, uint32_t n, uint32_t rows, uint32_t first, uint32_t step, uint8_t* out) {
  uint8_t* p = out;
  for (uint32_t r = first; r < rows; r += step) {
    uint32_t f = 0;
    for (uint32_t k = 0; k < n; k++) f += entry_bytes(cols[k].head_len, feature_size(&cols[k], r));
    uint32_t length = 1 + varint32_size(f) + f;
    store32(p, length);
    store32(p + 4, 0);
    store32(p + 8, masked(crc32c(p, 8)));
    uint8_t* data = p + 12;
    uint8_t* q = data;
    *q++ = TAG_1;
    q = put_varint32(q, f);
    for (uint32_t k = 0; k < n; k++) q = put_entry(q, &cols[k], r, feature_size(&cols[k], r));
    store32(q, masked(crc32c(data, (uint32_t)(q - data))));
    p = q + 4;
  }
  return (uint32_t)(p - out);
}
