/** Numbers on screen: explain's own formatting (the article's 9 decimals by default). */
import { formatNumber } from 'glassnet/explain';

export const PRECISION = 9;

/** A value as explain prints it (0.415, 0.602286177). */
export function num(value: number, precision = PRECISION): string {
  return formatNumber(value, precision);
}

/** A short form for dense displays (4 significant digits). */
export function short(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 1e4 || (value !== 0 && Math.abs(value) < 1e-3) ? value.toExponential(2) : String(Number(value.toPrecision(4)));
}
