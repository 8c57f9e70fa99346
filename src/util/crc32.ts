/**
 * CRC-32 (IEEE 802.3, the checksum of zip, gzip and PNG), computed here so
 * the library needs no dependency and runs the same in a browser.
 */

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** The CRC-32 of `bytes`, continuing from `crc` (the CRC of the bytes before them; 0 to start). */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The CRC-32 of the numbers as consecutive little-endian float64 values,
 * whatever the platform's byte order. -0 counts as 0: `JSON.stringify`
 * writes it as `0`, and a file passed through it must still match.
 * Continues from `crc` (the CRC of the values before them; 0 to start).
 */
export function crc32Float64(values: ArrayLike<number>, crc = 0): number {
  const floats = new Float64Array(values.length);
  for (let i = 0; i < floats.length; i++) {
    const v = values[i]!;
    floats[i] = v === 0 ? 0 : v;
  }
  const bytes = new Uint8Array(floats.buffer);
  if (!LITTLE_ENDIAN) for (let i = 0; i < bytes.length; i += 8) bytes.subarray(i, i + 8).reverse();
  return crc32(bytes, crc);
}

/** The CRC-32 of a string's UTF-8 bytes. */
export function crc32Text(text: string): number {
  return crc32(new TextEncoder().encode(text));
}
