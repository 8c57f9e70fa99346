/**
 * `JSON.parse` keeps the last of two equal keys in an object and says
 * nothing, so `{"lr": 0.1, "lr": 10}` reads as 10. Files glassnet reads
 * must not be ambiguous like that; this scan finds such a repeat.
 */

/** Where a key repeats in JSON text. */
export interface DuplicateKey {
  /** The key, decoded (`"\u0061"` and `"a"` are the same key). */
  key: string;
  /** Offset of the repeated key's opening quote in the text. */
  position: number;
}

// The characters that change the scan's state; everything else is skipped in one jump.
const STRUCTURE = /["{}[\],]/g;

/**
 * The first key that appears twice in one object of `text`, or null.
 * `text` must already be well-formed JSON (call it after `JSON.parse`
 * succeeded): the scan relies on that and does not validate. Linear in the
 * text's length; memory is the keys of the objects currently open.
 */
export function findDuplicateKey(text: string): DuplicateKey | null {
  // One entry per open container: the keys seen (objects) or null (arrays).
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  STRUCTURE.lastIndex = 0;
  for (let match = STRUCTURE.exec(text); match !== null; match = STRUCTURE.exec(text)) {
    const at = match.index;
    switch (text[at]) {
      case '{':
        stack.push(new Set());
        expectKey = true;
        break;
      case '[':
        stack.push(null);
        expectKey = false;
        break;
      case '}':
      case ']':
        stack.pop();
        expectKey = false;
        break;
      case ',':
        expectKey = stack[stack.length - 1] instanceof Set;
        break;
      default: {
        const end = closingQuote(text, at);
        const keys = stack[stack.length - 1];
        if (expectKey && keys instanceof Set) {
          const raw = text.slice(at, end + 1);
          const key = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
          if (keys.has(key)) return { key, position: at };
          keys.add(key);
          expectKey = false;
        }
        STRUCTURE.lastIndex = end + 1;
      }
    }
  }
  return null;
}

/** The index of the quote that closes the string opening at `start`. */
function closingQuote(text: string, start: number): number {
  let end = text.indexOf('"', start + 1);
  // A quote preceded by an odd number of backslashes is escaped.
  for (;;) {
    let slashes = 0;
    while (text[end - 1 - slashes] === '\\') slashes++;
    if (slashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
}
