// Charts by meaning, in Chromium, driven like a person: the participatory-budget export as the
// portal's JSON gives it is imported from the sidebar, then read through a saved SQL query that
// makes the arrondissement code a number (the workaround a user reaches for, and what a spreadsheet
// round trip gives); « Budget by arrondissement » draws one bar per arrondissement, editions read
// « 2014 », not « 2 014 », a field's type switches in one click and comes back with the saved chart.
import { describe, expect, it } from 'vitest';
import { PARIS_HEADER, realSizedParisProjects } from '../fixtures/paris-participatory.ts';
import { appSession } from './session.ts';
import { catalogItem, chartField, chartShelf, clearShelf, confirmImport, openChartBuilder, openTab, saveChart } from './steps.ts';

const app = appSession();
const page = () => app.page;

const projects = realSizedParisProjects();
const IMPORTED = 'bp_projets_gagnants';
const TABLE = 'bp_chiffres';
// Column names as the import makes them from the headers.
const ARR = 'arrondissement';
const EDITION = 'edition';
const BUDGET = 'budget_global_du_projet';

const json = JSON.stringify(
  projects.map((p) =>
    Object.fromEntries(
      PARIS_HEADER.map((h, i) => [h, h === 'Arrondissement' ? Number(p.truth.code) : p.cells[i] === '' ? null : p.cells[i]]),
    ),
  ),
);
const codes = [...new Set(projects.map((p) => p.truth.code))].sort();
const editions = [...new Set(projects.map((p) => p.truth.edition))].sort();

const field = (name: string) => chartField(page(), name);
const typeBadge = (name: string) => page().locator(`[data-testid=chart-field-type][data-field="${name}"]`);
const shelf = (ch: string) => chartShelf(page(), ch);
const bars = () => page().locator('[data-testid=chart-preview] svg .mark-rect.role-mark path');
/** The labels of an axis as drawn in the SVG (Vega gives each axis a role-axis-label group). */
const axisLabels = () => page().locator('[data-testid=chart-preview] svg .role-axis-label text').allTextContents();

async function importJson() {
  // The sidebar's button, as a person would: it opens the file chooser.
  const [chooser] = await Promise.all([page().waitForEvent('filechooser'), page().getByTestId('file-button').click()]);
  await chooser.setFiles({ name: `${IMPORTED}.json`, mimeType: 'application/json', buffer: Buffer.from(json) });
  // Every format goes through the import dialog; its defaults keep the JSON numbers as numbers.
  expect(await confirmImport(page())).toBe(IMPORTED);
}

/** A saved query typed in the SQL workbench, as in test/e2e/sql.test.ts. */
async function saveNumericQuery() {
  await openTab(page(), 'sql');
  const content = page().locator('[data-testid=sql-editor] .cm-content');
  await content.waitFor({ timeout: 30_000 });
  await content.click();
  await page().keyboard.press('Control+A');
  await page().keyboard.insertText(`SELECT * REPLACE (CAST(${ARR} AS BIGINT) AS ${ARR}) FROM ${IMPORTED}`);
  await page().keyboard.press('Escape');
  await page().getByTestId('sql-save').click();
  await page().getByTestId('sql-save-name').fill(TABLE);
  await page().getByTestId('sql-save-confirm').click();
  await catalogItem(page(), TABLE).waitFor({ timeout: 30_000 });
}

const openCharts = () => openChartBuilder(page(), TABLE, ARR);

describe('charts that follow the meaning of a field', () => {
  it('shows the arrondissement code as a category and the edition as an ordered category, not as numbers', async () => {
    await importJson();
    await saveNumericQuery();
    await openCharts();
    await expect.poll(() => typeBadge(ARR).getAttribute('data-type')).toBe('nominal');
    await expect.poll(() => typeBadge(EDITION).getAttribute('data-type')).toBe('ordinal');
    expect(await typeBadge(BUDGET).getAttribute('data-type')).toBe('quantitative');
    // The badge says it in words to a screen reader, and in the tooltip.
    expect(await typeBadge(ARR).getAttribute('aria-label')).toMatch(/catégorie/);
  });

  it('draws « Budget by arrondissement » as one bar per arrondissement, labelled with its code as written', async () => {
    await field(BUDGET).dragTo(shelf('x'));
    await field(ARR).dragTo(shelf('y'));
    await expect.poll(() => shelf('y').getAttribute('data-field')).toBe(ARR);
    expect(await shelf('x').getByTestId('chart-aggregate').inputValue()).toBe('sum');
    await expect.poll(() => bars().count(), { timeout: 30_000 }).toBe(codes.length);
    const labels = await axisLabels();
    for (const c of codes) expect(labels).toContain(c);
    // Never a continuous axis of codes: no « 75 004 », no negative tick.
    expect(labels.filter((l) => /^[-−]\d|^7\d[\s\u202f\u00a0]\d{3}$/.test(l))).toEqual([]);
    expect(app.errors).toEqual([]);
  });

  it('switches the arrondissement to a number and back in clicks, and redraws accordingly', async () => {
    await typeBadge(ARR).click();
    await expect.poll(() => typeBadge(ARR).getAttribute('data-type')).toBe('ordinal');
    await typeBadge(ARR).click();
    await expect.poll(() => typeBadge(ARR).getAttribute('data-type')).toBe('quantitative');
    // As a number against a number, the code is no longer one bar per arrondissement.
    await expect.poll(() => shelf('y').locator('input[type=checkbox]').count()).toBe(1);
    await typeBadge(ARR).click();
    await expect.poll(() => typeBadge(ARR).getAttribute('data-type')).toBe('nominal');
    await expect.poll(() => bars().count(), { timeout: 30_000 }).toBe(codes.length);
  });

  it('labels the editions « 2014 », not « 2 014 », in their order', async () => {
    await clearShelf(page(), 'y');
    await clearShelf(page(), 'x');
    await field(EDITION).click();
    const rec = page().getByTestId('chart-recommendation').first();
    await rec.waitFor();
    await rec.getByTestId('chart-adopt').click();
    await expect.poll(() => shelf('x').getAttribute('data-field')).toBe(EDITION);
    await expect.poll(() => bars().count(), { timeout: 30_000 }).toBe(editions.length);
    const labels = await axisLabels();
    expect(labels.filter((l) => /^\d{4}$/.test(l))).toEqual(editions.map(String));
    expect(labels.filter((l) => /^2[\s\u202f\u00a0]0\d\d$/.test(l))).toEqual([]);
    await field(EDITION).click();
  });

  it('keeps a switched type in the saved chart: editing it from the dashboard shows the same reading', async () => {
    await clearShelf(page(), 'x');
    await field(BUDGET).dragTo(shelf('x'));
    await field(EDITION).dragTo(shelf('y'));
    // The edition read as a plain category (not ordered): one click from ordinal cycles on.
    await typeBadge(EDITION).click();
    await expect.poll(() => typeBadge(EDITION).getAttribute('data-type')).toBe('quantitative');
    await typeBadge(EDITION).click();
    await expect.poll(() => typeBadge(EDITION).getAttribute('data-type')).toBe('nominal');
    await expect.poll(() => bars().count(), { timeout: 30_000 }).toBe(editions.length);
    await saveChart(page(), 'Budget par édition');
    // A fresh start on another table forgets the draft…
    const other = await page()
      .getByTestId('chart-table')
      .locator('option')
      .evaluateAll((els, t) => els.map((e) => (e as HTMLOptionElement).value).find((v) => v !== t), TABLE);
    await page().getByTestId('chart-table').selectOption(other!);
    await page().getByTestId('chart-table').selectOption(TABLE);
    await expect.poll(() => typeBadge(EDITION).getAttribute('data-type')).toBe('ordinal');
    // …and the saved chart brings the author's reading back.
    await page().getByTestId('charts-mode-dashboard').click();
    const card = page().getByTestId('dashboard-chart').filter({ hasText: 'Budget par édition' });
    await card.waitFor({ timeout: 30_000 });
    await card.getByRole('button', { name: /modifier/i }).click();
    await expect.poll(() => typeBadge(EDITION).getAttribute('data-type')).toBe('nominal');
  });

  it('names the saved chart in words in the journal, not by its Vega mark', async () => {
    await openTab(page(), 'journal');
    await page().getByTestId('journal-entry').first().waitFor({ timeout: 30_000 });
    const text = (await page().locator('[data-testid=journal-entry][data-op=chart]').allTextContents()).join('\n');
    expect(text).toContain(`Graphique en barres sur « ${TABLE} »`);
    expect(text).not.toMatch(/Graphique \((bar|rect|line|point)\)/);
    expect(app.errors).toEqual([]);
  });
});
