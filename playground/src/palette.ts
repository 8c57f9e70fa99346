/**
 * Colours safe for the common colour-vision deficiencies (Okabe & Ito's
 * palette): negative values and class 0 are orange, positive values and
 * class 1 blue, with a light neutral between. Shape and text always carry
 * the same information as colour (signs, ✓/✗, labels).
 */
export const NEGATIVE = [230, 159, 0] as const; // orange #E69F00
export const POSITIVE = [0, 114, 178] as const; // blue #0072B2
const NEUTRAL = [246, 246, 242] as const;
/** Class colours, in class order (Okabe–Ito). */
export const CLASS_COLORS = ['#E69F00', '#0072B2', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000', '#999999', '#7F3C8D'];
/** Accent colours for chart series and marks. */
/** The focus and selection colour (the stylesheet's `--focus`): the selected weight and the keyboard's. */
export const FOCUS = '#CC79A7';
export const SERIES = { train: '#0072B2', test: '#D55E00', trainAcc: '#009E73', testAcc: '#CC79A7' } as const;
export const WRONG = '#D55E00';
export const RIGHT = '#009E73';

/** RGB for a value in [-1, 1] (clamped): orange below 0, blue above, neutral at 0. */
export function diverging(v: number): [number, number, number] {
  const t = Math.max(-1, Math.min(1, Number.isFinite(v) ? v : 0));
  const end = t < 0 ? NEGATIVE : POSITIVE;
  const a = Math.abs(t);
  return [NEUTRAL[0] + (end[0] - NEUTRAL[0]) * a, NEUTRAL[1] + (end[1] - NEUTRAL[1]) * a, NEUTRAL[2] + (end[2] - NEUTRAL[2]) * a];
}

/** CSS colour of a value in [-1, 1]. */
export function divergingCss(v: number): string {
  const [r, g, b] = diverging(v);
  return `rgb(${r | 0},${g | 0},${b | 0})`;
}

/** The diverging map sampled at 256 points, as packed RGBA (little-endian ABGR) for ImageData's Uint32 view. */
const LUT = Uint32Array.from({ length: 256 }, (_, i) => {
  const [r, g, b] = diverging((i / 255) * 2 - 1);
  return (255 << 24) | (Math.round(b) << 16) | (Math.round(g) << 8) | Math.round(r);
});

/** Packed RGBA of a value in [-1, 1], from the sampled map (fast enough for every pixel of every frame). */
export function divergingPacked(v: number): number {
  const t = Number.isFinite(v) ? Math.max(-1, Math.min(1, v)) : 0;
  return LUT[Math.round((t + 1) * 127.5)]!;
}
