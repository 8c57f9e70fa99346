/**
 * Data files as text: strict UTF-8, with the place of the first bad byte,
 * since a silently replaced byte would become a wrong category or label.
 */
import { GlassnetError } from '../errors.js';

/**
 * Decodes UTF-8 bytes (a leading byte-order mark is kept for the CSV reader
 * to drop).
 * @throws GlassnetError `type` at `file:line:column` of the first byte that is not valid UTF-8.
 */
export function decodeText(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (error) {
    const offset = firstInvalidByte(bytes);
    const lineStart = bytes.lastIndexOf(0x0a, offset - 1) + 1;
    let line = 1;
    for (let i = 0; i < lineStart; i++) if (bytes[i] === 0x0a) line++;
    const column = new TextDecoder('utf-8').decode(bytes.subarray(lineStart, offset)).length + 1;
    throw new GlassnetError({
      code: 'type', argument: `${file}:${line}:${column}`, expected: 'UTF-8 text (save the file as UTF-8)',
      found: `the byte 0x${bytes[offset]!.toString(16).padStart(2, '0')}, which is not valid UTF-8 there`, cause: error,
    });
  }
}

/** The offset of the first byte that does not belong to a well-formed UTF-8 sequence. */
function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0) return i;
    // Second-byte ranges exclude overlong forms, surrogates and code points past U+10FFFF.
    const low = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const high = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? low : 0x80) || c > (k === 1 ? high : 0xbf)) return i;
    }
    i += length;
  }
  return bytes.length;
}
