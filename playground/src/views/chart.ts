/**
 * Train and test loss (linear or log axis) and accuracy over the steps,
 * drawn with uPlot. Points come from each snapshot's scores.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { SERIES } from '../palette.js';
import type { Scores } from '../protocol.js';
import { ui } from '../i18n/index.js';

/** Points kept; older ones are thinned to every other one when this many are reached. */
const MAX_POINTS = 1500;

export class ChartView {
  private plot: uPlot | null = null;
  private data: number[][] = [[], [], [], [], []];
  private classification = false;
  private log = false;

  constructor(private readonly root: HTMLElement) {}

  reset(classification: boolean, log: boolean): void {
    this.classification = classification;
    this.log = log;
    this.data = [[], [], [], [], []];
    this.plot?.destroy();
    const width = Math.max(260, Math.min(460, this.root.clientWidth || 360));
    const t = ui().chart;
    const series: uPlot.Series[] = [
      { label: t.step },
      { label: t.trainLoss, stroke: SERIES.train, width: 2, scale: 'loss' },
      { label: t.testLoss, stroke: SERIES.test, width: 2, dash: [6, 3], scale: 'loss' },
      { label: t.trainAcc, stroke: SERIES.trainAcc, width: 1.5, scale: 'acc', show: classification },
      { label: t.testAcc, stroke: SERIES.testAcc, width: 1.5, dash: [2, 2], scale: 'acc', show: classification },
    ];
    this.plot = new uPlot({
      width, height: 180, series,
      scales: { x: { time: false }, loss: { distr: log ? 3 : 1 }, acc: { range: [0, 1] } },
      axes: [{ label: t.steps }, { scale: 'loss', label: t.loss, size: 56 }, { scale: 'acc', side: 1, label: t.accuracy, show: classification, grid: { show: false } }],
      legend: { live: false },
      cursor: { show: false },
    }, this.data as uPlot.AlignedData, this.root);
  }

  add(scores: Scores): void {
    const last = this.data[0]!.at(-1);
    if (last !== undefined && scores.steps <= last) return;
    // A log axis cannot show 0: the smallest positive float stands in.
    const loss = (v: number) => (this.log ? Math.max(v, 1e-12) : v);
    const row = [scores.steps, loss(scores.trainLoss), loss(scores.testLoss), scores.trainAccuracy ?? NaN, scores.testAccuracy ?? NaN];
    row.forEach((v, i) => this.data[i]!.push(v));
    if (this.data[0]!.length >= MAX_POINTS) this.data = this.data.map((s) => s.filter((_, i) => i % 2 === 0 || i === s.length - 1));
    this.plot?.setData(this.data as uPlot.AlignedData);
  }

  /** Switches the loss axis, keeping the points. */
  setLog(log: boolean): void {
    const data = this.data;
    this.reset(this.classification, log);
    this.data = data;
    this.plot?.setData(this.data as uPlot.AlignedData);
  }

  /** Draws the chart again in the current language, keeping the points. */
  relabel(): void {
    if (this.plot !== null) this.setLog(this.log);
  }
}
