/**
 * The page's controller: keeps the settings (mirrored in the URL hash),
 * talks to the training worker, and hands snapshots and explanations to
 * the views. It computes no numbers of its own.
 */
import { byId, h, setText } from './dom.js';
import { num, short } from './format.js';
import { ui, useLanguage, type RunFacts } from './i18n/index.js';
import { applyPageText } from './page-text.js';
import type { Explained, FromWorker, RunInfo, Snapshot, ToWorker } from './protocol.js';
import { PRESETS, PROPS, fromHash, toHash, type Key, type Settings } from './settings.js';
import { AutoencoderView } from './views/autoencoder.js';
import { ChartView } from './views/chart.js';
import { ControlsView } from './views/controls.js';
import { DerivationView, ParametersView } from './views/derivation.js';
import { DigitsView } from './views/digits.js';
import { HistogramView } from './views/histograms.js';
import { NetworkView } from './views/network.js';
import { PhasesView } from './views/phases.js';
import { PlaneView } from './views/plane.js';
import TrainingWorker from './worker.js?worker';

/** Settings that change only what is drawn, not the run. */
const VIEW_KEYS: ReadonlySet<Key> = new Set(['chartScale', 'select', 'lang']);
/** Settings that describe the network: editing one drops given weights, which fit only their own network. */
const NETWORK_KEYS: ReadonlySet<Key> = new Set(['layers', 'activation', 'outputActivation', 'dropout']);

export class App {
  private settings: Settings;
  private csv: { name: string; text: string } | null = null;
  private readonly worker: Worker;
  private info: RunInfo | null = null;
  private snapshot: Snapshot | null = null;
  private explained: Explained | null = null;
  private playing = false;

  private readonly controls: ControlsView;
  private readonly network: NetworkView;
  private readonly plane: PlaneView;
  private readonly chart: ChartView;
  private readonly histograms: HistogramView;
  private readonly digits: DigitsView;
  private readonly autoencoder: AutoencoderView;
  private readonly phases: PhasesView;
  private readonly derivation: DerivationView;
  private readonly parameters: ParametersView;

  constructor() {
    const { settings, problems } = fromHash(location.hash);
    this.settings = settings;
    useLanguage(settings.lang);
    applyPageText(ui());
    this.controls = new ControlsView(byId('controls'), (key, value) => this.set(key, value));
    this.network = new NetworkView(byId('network'), { select: (name) => this.select(name) });
    this.plane = new PlaneView(byId('plane'));
    this.chart = new ChartView(byId('chart'));
    this.histograms = new HistogramView(byId('histograms'));
    this.digits = new DigitsView(byId('digits'));
    this.autoencoder = new AutoencoderView(byId('autoencoder'));
    this.phases = new PhasesView(byId('phases'));
    this.derivation = new DerivationView(byId('math'));
    this.parameters = new ParametersView(byId('parameters'), (name) => this.select(name));
    this.worker = new TrainingWorker();
    this.worker.onmessage = (event: MessageEvent<FromWorker>) => this.receive(event.data);
    this.worker.onerror = (event) => this.fail(ui().errors.worker(event.message));
    this.wire();
    this.controls.show(this.settings);
    if (problems.length > 0) this.fail(ui().errors.link(problems));
    this.configure();
  }

  // ----------------------------------------------------------------- settings

  private set(key: Key, value: Settings[Key]): void {
    if (JSON.stringify(value) === JSON.stringify(this.settings[key])) return; // e.g. a second change event for one edit
    const next = { ...this.settings, [key]: value } as Settings;
    if (key === 'dataset') Object.assign(next, PRESETS[value as Settings['dataset']], { select: '', model: '' });
    if (NETWORK_KEYS.has(key) && next.init === 'given') Object.assign(next, { init: 'auto', model: '' });
    if (key === 'init' && value !== 'given') next.model = '';
    this.settings = next;
    this.controls.show(next);
    this.writeHash();
    if (key === 'chartScale') this.chart.setLog(value === 'log');
    else if (key === 'lang') this.relabel();
    else if (!VIEW_KEYS.has(key)) this.configure();
  }

  /**
   * The language changed: every view is drawn again in the new words from
   * what it already holds (the run goes on), and the worker re-explains
   * the step in the new language.
   */
  private relabel(): void {
    useLanguage(this.settings.lang);
    applyPageText(ui());
    this.controls.build(this.settings);
    this.derivation.relabel();
    this.chart.relabel();
    const info = this.info;
    if (info !== null) {
      this.status(ui().status.ready(facts(info)));
      this.network.build(info);
      this.network.select(this.settings.select);
      this.histograms.build(info.sizes.length - 1);
      this.digits.build(info);
      this.autoencoder.build(info);
      this.parameters.build(info.names, info.parameterCount);
      if (this.snapshot !== null) this.render(this.snapshot, null);
    }
    this.transport();
    this.send({ type: 'explain', select: this.settings.select, lang: this.settings.lang });
  }

  private writeHash(): void {
    const hash = toHash(this.settings);
    history.replaceState(null, '', hash === '' ? location.pathname + location.search : `#${hash}`);
  }

  private select(name: string): void {
    this.settings = { ...this.settings, select: name };
    this.writeHash();
    this.network.select(name);
    this.send({ type: 'explain', select: name, lang: this.settings.lang });
  }

  private configure(): void {
    this.playing = false;
    this.status(ui().status.building);
    this.send({ type: 'configure', settings: this.settings, ...(this.csv === null ? {} : { csv: this.csv }) });
  }

  // ----------------------------------------------------------------- the worker

  private send(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  private receive(message: FromWorker): void {
    switch (message.type) {
      case 'ready':
        return this.ready(message.info, message.snapshot);
      case 'snapshot':
        this.playing = message.playing;
        this.transport();
        return this.draw(message.snapshot);
      case 'explained':
        this.explained = message.explained;
        this.phases.load(message.explained.pending);
        this.network.reveal(null);
        if (this.snapshot !== null) this.network.update(this.snapshot, message.explained.pending);
        this.derivation.update(message.explained);
        this.transport();
        return;
      case 'model':
        return this.download(message.text);
      case 'error':
        this.playing = false;
        this.transport();
        return this.fail(message.message);
      default:
        return message satisfies never;
    }
  }

  private ready(info: RunInfo, snapshot: Snapshot): void {
    this.info = info;
    this.snapshot = null;
    this.error('');
    this.network.build(info);
    this.network.select(this.settings.select);
    this.plane.build(info);
    this.chart.reset(info.task === 'classification', this.settings.chartScale === 'log');
    this.histograms.build(info.sizes.length - 1);
    this.digits.build(info);
    this.autoencoder.build(info);
    this.parameters.build(info.names, info.parameterCount);
    this.status(ui().status.ready(facts(info)));
    byId('architecture').textContent = info.sizes.join('-');
    this.draw(snapshot);
    this.transport();
  }

  /**
   * Draws a snapshot on a coming frame, then tells the worker it may send
   * another. While training plays, each frame draws a quarter of the views
   * (network; plane; chart; histograms and tables) and frames are spaced
   * by a multiple of what the last one cost, so no frame holds the page.
   */
  private draw(snapshot: Snapshot): void {
    this.latest = snapshot;
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = this.playing ? Math.max(0, this.lastDraw + this.interval - performance.now()) : 0;
    setTimeout(() => requestAnimationFrame(() => {
      this.scheduled = false;
      const start = performance.now();
      this.render(this.latest!, this.playing ? this.part++ % 4 : null);
      this.lastDraw = performance.now();
      this.interval = Math.min(500, Math.max(120, 8 * (this.lastDraw - start)));
      this.send({ type: 'ack' });
    }), wait);
  }

  private latest: Snapshot | null = null;
  private scheduled = false;
  private part = 0;
  private lastDraw = 0;
  private interval = 120;

  /** Draws one part of the views (0 to 3), or all of them (null). */
  private render(s: Snapshot, part: number | null): void {
    this.snapshot = s;
    if (part === null || part === 0) this.network.update(s, this.explained?.pending ?? null);
    if (part === null || part === 1) this.plane.update(s, true);
    if (part === null || part === 2) this.chart.add(s.scores);
    if (part === null || part === 3) {
      this.histograms.update(s);
      this.digits.update(s);
      this.autoencoder.update(s);
      this.parameters.update(s);
    }
    this.counters(s);
  }

  private counters(s: Snapshot): void {
    const put = (id: string, value: number | undefined, text: (v: number) => string) => {
      const el = byId(id);
      setText(el, value === undefined ? '—' : text(value));
      el.dataset['value'] = value === undefined ? '' : String(value);
    };
    put('epoch-count', s.scores.epoch, String);
    put('step-count', s.scores.steps, String);
    put('train-loss', s.scores.trainLoss, short);
    put('test-loss', s.scores.testLoss, short);
    put('train-acc', s.scores.trainAccuracy, (v) => `${(100 * v).toFixed(1)}%`);
    put('test-acc', s.scores.testAccuracy, (v) => `${(100 * v).toFixed(1)}%`);
    setText(byId('lr-now'), num(s.session.lr, 6));
  }

  // ----------------------------------------------------------------- controls outside the table

  private wire(): void {
    const click = (id: string, action: () => void) => byId(id).addEventListener('click', action);
    click('play', () => {
      this.playing = !this.playing;
      this.send({ type: this.playing ? 'play' : 'pause' });
      this.transport();
    });
    click('step', () => this.send({ type: 'step' }));
    click('epoch', () => this.send({ type: 'epoch' }));
    click('reset', () => this.configure());
    click('phase', () => this.nextPhase());
    click('share', () => void this.share(false));
    click('share-weights', () => {
      this.shareWeights = true;
      this.send({ type: 'export' });
    });
    click('export', () => this.send({ type: 'export' }));
    byId<HTMLInputElement>('import').addEventListener('change', (e) => void this.openFile((e.target as HTMLInputElement).files?.[0]));
    byId<HTMLInputElement>('csv-file').addEventListener('change', (e) => void this.openFile((e.target as HTMLInputElement).files?.[0]));
    click('help-toggle', () => {
      const help = byId('help');
      help.hidden = !help.hidden;
      byId('help-toggle').setAttribute('aria-expanded', String(!help.hidden));
    });
    document.addEventListener('dragover', (e) => {
      e.preventDefault();
      document.body.classList.add('dragging');
    });
    document.addEventListener('dragleave', () => document.body.classList.remove('dragging'));
    document.addEventListener('drop', (e) => {
      e.preventDefault();
      document.body.classList.remove('dragging');
      void this.openFile(e.dataTransfer?.files[0]);
    });
    // The diagram is laid out for its panel's width: lay it out again when that changes.
    let width = window.innerWidth;
    window.addEventListener('resize', () => {
      if (Math.abs(window.innerWidth - width) < 40 || this.info === null) return;
      width = window.innerWidth;
      this.network.build(this.info);
      this.network.select(this.settings.select);
      if (this.snapshot !== null) this.network.update(this.snapshot, this.explained?.pending ?? null);
    });
    window.addEventListener('hashchange', () => {
      if (location.hash.replace(/^#/, '') === toHash(this.settings)) return;
      const { settings, problems } = fromHash(location.hash);
      const relabel = settings.lang !== this.settings.lang;
      this.settings = settings;
      if (relabel) this.relabel();
      else this.controls.show(settings);
      if (problems.length > 0) this.fail(ui().errors.link(problems));
      this.configure();
    });
  }

  private shareWeights = false;

  private nextPhase(): void {
    if (!this.phases.available) return;
    if (this.phases.atLast) {
      this.send({ type: 'step' });
      return;
    }
    this.phases.advance();
    this.network.reveal((id) => this.phases.shown(id));
    this.transport();
  }

  private transport(): void {
    const play = byId('play');
    const t = ui().transport;
    setText(play, this.playing ? t.pause : t.play.text);
    play.setAttribute('aria-pressed', String(this.playing));
    const phase = byId<HTMLButtonElement>('phase');
    phase.disabled = !this.phases.available || this.playing;
    setText(phase, this.phases.atLast && this.phases.revealed > 0 ? t.takeStep : t.nextPhase(this.phases.nextLabel));
  }

  /** A dropped or chosen file: a .json model file or a .csv data file. */
  private async openFile(file: File | undefined): Promise<void> {
    if (file === undefined) return;
    const text = await file.text();
    if (file.name.toLowerCase().endsWith('.json')) return this.importModel(text);
    this.csv = { name: file.name, text };
    this.settings = { ...this.settings, ...PRESETS.csv, dataset: 'csv', select: '' };
    this.controls.show(this.settings);
    this.writeHash();
    this.configure();
  }

  /**
   * A model file: its network and weights become the given start, its
   * architecture shows in the controls. The library checks the file when
   * the worker reads it.
   */
  private importModel(text: string): void {
    let file: { architecture?: { layers?: { type?: string; units?: number; inputSize?: number; activation?: string }[] }; preprocessing?: { task?: string }; training?: { loss?: string } };
    try {
      file = JSON.parse(text) as typeof file;
    } catch (error) {
      return this.fail(ui().errors.modelNotJson((error as Error).message));
    }
    const dense = (file.architecture?.layers ?? []).filter((l) => l.type === 'dense');
    const next: Settings = { ...this.settings, init: 'given', model: text, select: '' };
    // The loss it was trained with, when the file names one the table knows.
    const loss = PROPS.loss.parse(file.training?.loss ?? '');
    if (loss !== undefined) next.loss = loss;
    if (dense.length > 0) {
      next.layers = dense.slice(0, -1).map((l) => l.units ?? 1);
      const hidden = dense[0]!.activation;
      const output = dense.at(-1)!.activation;
      if (dense.length > 1 && hidden !== undefined) next.activation = hidden as Settings['activation'];
      if (output !== undefined) next.outputActivation = output as Settings['outputActivation'];
      const inputs = dense[0]!.inputSize;
      // A data set the model can read: keep the current one when the widths agree.
      if (inputs === 4) next.dataset = 'iris';
      else if (inputs === 64) next.dataset = 'digits';
      else if (inputs === 2) next.dataset = file.preprocessing?.task === 'regression' ? 'article' : ['circles', 'spirals', 'gaussians'].includes(next.dataset) ? next.dataset : 'xor';
    }
    this.settings = next;
    this.controls.show(next);
    this.writeHash();
    this.configure();
  }

  private download(text: string): void {
    if (this.shareWeights) {
      this.shareWeights = false;
      this.settings = { ...this.settings, init: 'given', model: text };
      this.controls.show(this.settings);
      this.writeHash();
      void this.share(true);
      return;
    }
    const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    const a = h('a', { href: url, download: 'glassnet-model.json' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  private async share(withWeights: boolean): Promise<void> {
    this.writeHash();
    const link = location.href;
    const out = byId<HTMLInputElement>('share-link');
    out.value = link;
    out.hidden = false;
    out.select();
    try {
      await navigator.clipboard.writeText(link);
      this.status(ui().files.linkCopied(withWeights));
    } catch {
      this.status(ui().files.linkInBox);
    }
  }

  private status(text: string): void {
    byId('status').textContent = text;
  }

  private error(text: string): void {
    const el = byId('error');
    el.textContent = text;
    el.hidden = text === '';
  }

  private fail(text: string): void {
    this.error(text);
  }
}

/** What the status line says about a run. */
function facts(info: RunInfo): RunFacts {
  return {
    shape: info.sizes.join('-'), activations: info.activations.join(', '), parameters: info.parameterCount, loss: info.loss, optimizer: info.optimizer,
    train: info.trainCount, test: info.testIsTrain ? null : info.testCount, origin: info.origin,
  };
}
