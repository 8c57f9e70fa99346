// explainStep in Chromium: the article's step, traced and explained with
// the wasm backend selected, loaded as plain ESM with no import map.
// test/browser.test.ts judges.
import { ARTICLE, articleNetwork } from '/packages/glassnet/dist/index.js';
import { getBackend, setBackend } from '/packages/glassnet/dist/backend/index.js';
import { explainStep } from '/packages/glassnet/dist/explain/index.js';
import { run } from './table.js';

function checks() {
  setBackend('wasm');
  const explanation = explainStep(articleNetwork(), [ARTICLE.inputs], [ARTICLE.targets], { lr: ARTICLE.learningRate });
  return { backend: getBackend().name, total: explanation.tables.errors.total, w6: explanation.tables.updated.w6 };
}

run(checks, (table, result) => {
  table.section("explainStep(articleNetwork()), one SGD step");
  table.row('backend', result.backend);
  table.row('E_total', result.total);
  table.row('w6 after the step', result.w6);
});
