// What both test pages share: run the checks, show the numbers as a
// two-column table for people (and the screenshot), and publish them as
// window.__result for test/browser.test.ts, which judges them.

/**
 * Runs `checks` and publishes what they return, after `fill(table, result)`
 * has written it out with `table.section(title)` and `table.row(label, value)`.
 * A thrown error is published as `{ error }` instead, so the test fails with
 * its stack rather than waiting for a result that never comes.
 */
export function run(checks, fill) {
  const status = document.getElementById('status');
  const table = document.getElementById('results');
  try {
    const result = checks();
    fill({
      section(title) {
        const th = table.insertRow().appendChild(document.createElement('th'));
        th.colSpan = 2;
        th.textContent = title;
      },
      row(label, value) {
        const tr = table.insertRow();
        tr.insertCell().textContent = label;
        tr.insertCell().textContent = String(value);
      },
    }, result);
    status.textContent = 'done';
    window.__result = result;
  } catch (error) {
    status.textContent = error instanceof Error ? error.stack ?? error.message : String(error);
    status.className = 'failed';
    window.__result = { error: status.textContent };
  }
}
