/** Pure helpers over shapes (arrays of dimension sizes). */

/** Number of elements in a tensor of this shape (1 for a scalar `[]`). */
export function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const dim of shape) size *= dim;
  return size;
}

/** True when both shapes have the same dimensions. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dim, i) => dim === b[i]);
}

/**
 * How an element of an array of this shape is named in errors: flat index
 * 5 of shape `[2, 3]` is `[1][2]`.
 */
export function shapePath(shape: readonly number[]): (flatIndex: number) => string {
  return (flatIndex) => {
    let path = '';
    let rest = flatIndex;
    for (const size of [...shape].reverse()) {
      path = `[${rest % size}]${path}`;
      rest = Math.floor(rest / size);
    }
    return path;
  };
}

/** `[2,3]` rendered as `[2, 3]`, the form every error message uses. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * When `b` can be repeated along the leading dimensions of `a` (numpy's
 * rule restricted to the one case layers need: `b` equals a suffix of `a`'s
 * shape, or is a single element), returns how many elements one copy of `b`
 * spans; otherwise `null`.
 */
export function trailingBroadcast(a: readonly number[], b: readonly number[]): number | null {
  const bSize = sizeOf(b);
  if (bSize === 1) return 1;
  if (b.length > a.length) return null;
  const offset = a.length - b.length;
  for (let i = 0; i < b.length; i++) if (a[offset + i] !== b[i]) return null;
  return bSize;
}
