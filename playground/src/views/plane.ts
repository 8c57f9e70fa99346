/**
 * The input plane: each unit's OUT as a heat map, and the output's
 * decision value under the training points (filled) and test points
 * (ringed). Values are the worker's forward pass over a grid; here they
 * are only coloured.
 */
import { sizedCanvas } from '../dom.js';
import { CLASS_COLORS, diverging } from '../palette.js';
import type { RunInfo, Snapshot } from '../protocol.js';

/**
 * Maps a unit's OUT to [-1, 1] for colouring: activations bounded in
 * [0, 1] are centred on 0.5, tanh is already in range, unbounded ones are
 * divided by their largest magnitude on the grid.
 */
function normaliser(activation: string, values: Float32Array): (v: number) => number {
  if (activation === 'sigmoid' || activation === 'softmax') return (v) => 2 * v - 1;
  if (activation === 'tanh') return (v) => v;
  let largest = 1e-12;
  for (const v of values) largest = Math.max(largest, Math.abs(v));
  return (v) => v / largest;
}

/** One grid-sized canvas per grid size, reused for every map. */
const scratches = new Map<number, OffscreenCanvas>();

function paint(ctx: CanvasRenderingContext2D, values: (p: number) => number, size: number, width: number, height: number): void {
  const image = ctx.createImageData(size, size);
  for (let p = 0; p < size * size; p++) {
    const [r, g, b] = diverging(values(p));
    image.data[p * 4] = r;
    image.data[p * 4 + 1] = g;
    image.data[p * 4 + 2] = b;
    image.data[p * 4 + 3] = 255;
  }
  // Draw at grid resolution, then scale up smoothly.
  let scratch = scratches.get(size);
  if (scratch === undefined) scratches.set(size, scratch = new OffscreenCanvas(size, size));
  scratch.getContext('2d')!.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(scratch, 0, 0, width, height);
}

/** One unit's heat map into its small canvas; inputs show their own coordinate (x for i1, y for i2). */
export function paintUnit(canvas: HTMLCanvasElement, values: Float32Array | null, size: number, index: number, activation: string): void {
  const side = canvas.clientWidth || 44;
  const ctx = sizedCanvas(canvas, side, side);
  if (values === null) {
    paint(ctx, (p) => (index === 0 ? ((p % size) + 0.5) / size : 1 - (Math.floor(p / size) + 0.5) / size) * 2 - 1, size, side, side);
    return;
  }
  const norm = normaliser(activation, values);
  paint(ctx, (p) => norm(values[p]!), size, side, side);
}

export class PlaneView {
  private info: RunInfo | null = null;

  constructor(private readonly canvas: HTMLCanvasElement, private readonly side = 260) {}

  build(info: RunInfo): void {
    this.info = info;
    this.canvas.hidden = info.plane === null;
  }

  update(snapshot: Snapshot, showTest: boolean): void {
    const plane = this.info?.plane;
    if (!plane || snapshot.grid === null) return;
    const ctx = sizedCanvas(this.canvas, this.side, this.side);
    const { grid } = snapshot;
    const classes = this.info!.task === 'classification';
    // Classification: 2p − 1 of class 1's probability; regression: the output as a unit's map.
    const norm = classes ? (v: number) => 2 * v - 1 : normaliser(this.info!.activations.at(-1)!, grid.decision);
    paint(ctx, (p) => norm(grid.decision[p]!), grid.size, this.side, this.side);
    const [x0, x1, y0, y1] = plane.extent;
    const px = (x: number) => ((x - x0) / (x1 - x0)) * this.side;
    const py = (y: number) => ((y1 - y) / (y1 - y0)) * this.side;
    const dots = (points: typeof plane.train, test: boolean) => {
      for (let i = 0; i < points.x.length; i++) {
        ctx.beginPath();
        ctx.arc(px(points.x[i]!), py(points.y[i]!), test ? 3.2 : 2.6, 0, 2 * Math.PI);
        ctx.fillStyle = test ? '#ffffff' : CLASS_COLORS[points.label[i]! % CLASS_COLORS.length]!;
        ctx.strokeStyle = test ? CLASS_COLORS[points.label[i]! % CLASS_COLORS.length]! : '#ffffff';
        ctx.lineWidth = test ? 2 : 1;
        ctx.fill();
        ctx.stroke();
      }
    };
    dots(plane.train, false);
    if (showTest && !this.info!.testIsTrain) dots(plane.test, true);
  }
}
