/**
 * Puts the words of the current language into the page's fixed elements
 * (`index.html` holds only their structure), and again on every switch.
 */
import { byId, h } from './dom.js';
import type { UiText } from './i18n/index.js';

/** An element's text and tooltip. */
function labelled(id: string, words: { text: string; title: string }, textId = id): void {
  byId(textId).textContent = words.text;
  byId(id).title = words.title;
}

export function applyPageText(t: UiText): void {
  document.documentElement.lang = t.htmlLang;
  document.title = t.page.title;
  byId('description').setAttribute('content', t.page.description);
  const text: [string, string][] = [
    ['skip', t.page.skip], ['brand', t.page.brand], ['tagline', t.page.tagline], ['footer', t.page.footer], ['drop-hint', t.page.dropHint],
    ['epoch-label', t.counters.epoch], ['steps-label', t.counters.steps], ['train-loss-label', t.counters.trainLoss], ['test-loss-label', t.counters.testLoss],
    ['train-acc-label', t.counters.trainAcc], ['test-acc-label', t.counters.testAcc], ['lr-label', t.counters.lrNow],
    ['help-title', t.help.title], ['network-title', t.panels.network], ['phases-title', t.panels.phases], ['parameters-title', t.panels.parameters],
    ['output-title', t.panels.output], ['histograms-title', t.panels.histograms], ['math-title', t.panels.math],
  ];
  for (const [id, words] of text) byId(id).textContent = words;
  byId('transport').setAttribute('aria-label', t.transport.group);
  byId('files').setAttribute('aria-label', t.files.group);
  byId('counters').title = t.counters.title;
  labelled('reset', t.transport.reset);
  labelled('step', t.transport.step);
  labelled('epoch', t.transport.epoch);
  byId('play').title = t.transport.play.title;
  byId('phase').title = t.transport.phaseTitle;
  labelled('share', t.files.share);
  labelled('share-weights', t.files.shareWeights);
  labelled('export', t.files.export);
  labelled('import-label', t.files.import, 'import-text');
  labelled('csv-label', t.files.csv, 'csv-text');
  labelled('help-toggle', t.files.help);
  byId('share-link').setAttribute('aria-label', t.files.linkLabel);
  byId('help').setAttribute('aria-label', t.help.title);
  // The help paragraphs are the table's own text with <b> and <i> only: no user input reaches them.
  byId('help-items').replaceChildren(...t.help.items.map((item) => {
    const li = h('li');
    li.innerHTML = item;
    return li;
  }));
  byId('controls').setAttribute('aria-label', t.panels.settings);
  byId('network').title = t.panels.networkTitle;
  byId('phases').title = t.panels.phasesTitle;
  byId('parameters').title = t.panels.parametersTitle;
  byId('plane').setAttribute('aria-label', t.panels.planeLabel);
  byId('plane').title = t.panels.planeTitle;
  byId('chart').title = t.panels.chartTitle;
}
