/**
 * The input plane: each unit's OUT as a heat map, and the output's
 * decision value under the training points (filled) and test points
 * (ringed). Values are the worker's forward pass over a grid; here they
 * are only coloured.
 */
import { h, sizedCanvas } from '../dom.js';
import { CLASS_COLORS, divergingPacked } from '../palette.js';
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

/** Pixel buffers by size, reused every frame: a new one per frame is garbage the collector must chase while training runs. */
const images = new Map<string, { image: ImageData; pixels: Uint32Array }>();

function imageOf(width: number, height: number): { image: ImageData; pixels: Uint32Array } {
  const key = `${width}x${height}`;
  let entry = images.get(key);
  if (entry === undefined) {
    const image = new ImageData(width, height);
    images.set(key, entry = { image, pixels: new Uint32Array(image.data.buffer) });
  }
  return entry;
}

/**
 * Fills `canvas` at grid resolution (one pixel per grid point); CSS
 * stretches it to its box, smoothly. No scaling pass on the main thread.
 */
function paint(canvas: HTMLCanvasElement, values: (p: number) => number, size: number): void {
  if (canvas.width !== size || canvas.height !== size) {
    canvas.width = size;
    canvas.height = size;
  }
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  const { image, pixels } = imageOf(size, size);
  for (let p = 0; p < size * size; p++) pixels[p] = divergingPacked(values(p));
  ctx.putImageData(image, 0, 0);
}

/** Units per layer in the atlas (the diagram draws at most this many). */
const ATLAS_UNITS = 10;

/** Every unit's heat map in one grid-resolution canvas: row c holds layer c's units (row 0 the inputs' coordinates). */
export interface Atlas {
  canvas: OffscreenCanvas;
  tile(column: number, index: number): { x: number; y: number } | null;
}

let atlasCanvas: OffscreenCanvas | null = null;

/** Paints the atlas of a snapshot's grid: one putImageData for the whole diagram. */
export function unitAtlas(grid: NonNullable<Snapshot['grid']>, activations: readonly string[]): Atlas {
  const { size } = grid;
  const rows = grid.units.length + 1;
  const width = size * ATLAS_UNITS;
  const height = size * rows;
  if (atlasCanvas === null || atlasCanvas.width !== width || atlasCanvas.height !== height) atlasCanvas = new OffscreenCanvas(width, height);
  const ctx = atlasCanvas.getContext('2d', { willReadFrequently: true })!;
  const { image, pixels } = imageOf(width, height);
  const fill = (row: number, index: number, value: (p: number) => number) => {
    for (let p = 0; p < size * size; p++) {
      const x = index * size + (p % size);
      const y = row * size + Math.floor(p / size);
      pixels[y * width + x] = divergingPacked(value(p));
    }
  };
  fill(0, 0, (p) => (((p % size) + 0.5) / size) * 2 - 1);
  fill(0, 1, (p) => (1 - (Math.floor(p / size) + 0.5) / size) * 2 - 1);
  grid.units.forEach((layer, k) => layer.slice(0, ATLAS_UNITS).forEach((values, j) => {
    const norm = normaliser(activations[k]!, values);
    fill(k + 1, j, (p) => norm(values[p]!));
  }));
  ctx.putImageData(image, 0, 0);
  return {
    canvas: atlasCanvas,
    tile: (column, index) => (column < rows && index < ATLAS_UNITS && (column > 0 || index < 2) ? { x: index * size, y: column * size } : null),
  };
}

export class PlaneView {
  private info: RunInfo | null = null;
  /** The run whose points are on the dots layer (they never move). */
  private drawnPoints: RunInfo | null = null;

  /** The decision map at grid resolution, under a full-resolution layer for the points. */
  private readonly map: HTMLCanvasElement;
  private readonly dots: HTMLCanvasElement;

  constructor(private readonly root: HTMLElement, private readonly side = 260) {
    this.map = h('canvas', { class: 'plane-map' });
    this.dots = h('canvas', { class: 'plane-dots' });
    root.append(this.map, this.dots);
    root.style.width = root.style.height = `${side}px`;
  }

  build(info: RunInfo): void {
    this.info = info;
    this.root.hidden = info.plane === null;
  }

  update(snapshot: Snapshot, showTest: boolean): void {
    const plane = this.info?.plane;
    if (!plane || snapshot.grid === null) return;
    const { grid } = snapshot;
    const classes = this.info!.task === 'classification';
    // Classification: 2p − 1 of class 1's probability; regression: the output as a unit's map.
    const norm = classes ? (v: number) => 2 * v - 1 : normaliser(this.info!.activations.at(-1)!, grid.decision);
    paint(this.map, (p) => norm(grid.decision[p]!), grid.size);
    if (this.drawnPoints === this.info) return;
    this.drawnPoints = this.info;
    const ctx = sizedCanvas(this.dots, this.side, this.side);
    ctx.clearRect(0, 0, this.side, this.side);
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
