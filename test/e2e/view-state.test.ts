// What one sets up on a table stays: the sort, the facets chosen, a facet's filter and a column's
// width survive a visit to the Charts tab and a reload of the page (the project keeps them in
// ui-state.json); the export of the filtered view follows the on-screen sort and says so. Driven like
// a person, on the demo's voted subsidies.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { catalogShown } from './harness.ts';
import { appSession } from './session.ts';

const app = appSession();
const page = () => app.page;
const TABLE = 'subventions_votees';

const tab = (view: string) => page().locator(`[data-testid=view-tab][data-view=${view}]`);
const rowCount = () => page().getByTestId('grid-rowcount').textContent();
const sortButton = (label: RegExp) => page().locator('[data-testid=grid-sort]', { hasText: label });
const header = (label: RegExp) =>
  page()
    .getByTestId('grid-header')
    .filter({ has: sortButton(label) });
const facetColumns = () =>
  page()
    .getByTestId('facet')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-column')));
const sortKeys = () => page().getByTestId('grid-sort-key').allTextContents();
/** « Tri : Montant voté ↓ » in the grid's bar, whichever columns are in view. */
const sortLine = () => page().getByTestId('grid-order').textContent();
const chips = () => page().getByTestId('filter-chip').allTextContents();
const widthOf = (label: RegExp) => header(label).evaluate((e) => (e as HTMLElement).style.width);
/** The first rows as shown: their first cell (the file number), in screen order. */
const firstNumbers = () =>
  page()
    .locator('[data-testid=grid-row]')
    .evaluateAll((rows) =>
      rows
        .sort((a, b) => Number(a.getAttribute('data-row-index')) - Number(b.getAttribute('data-row-index')))
        .slice(0, 5)
        .map((r) => r.querySelector('[role=gridcell]')?.textContent?.trim() ?? ''),
    );

const grid = () => page().getByTestId('grid');
/** The view state is written a moment after the last change; the app's root says when it is on disk. */
const uiStateSaved = () => expect.poll(() => page().locator('.app').getAttribute('data-ui-state'), { timeout: 10_000 }).toBe('saved');
const scrollTop = () => grid().evaluate((e) => e.scrollTop);

/** Scrolls the grid with the mouse wheel, as a person does. */
async function wheel(dx: number, dy: number) {
  const box = (await grid().boundingBox())!;
  await page().mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page().mouse.wheel(dx, dy);
}

interface Shown {
  top: number;
  sort: string | null;
  facets: (string | null)[];
  chips: string[];
  count: string | null;
  width: string;
  rows: string[];
}

async function shown(): Promise<Shown> {
  return {
    top: await scrollTop(),
    sort: await sortLine(),
    facets: await facetColumns(),
    chips: await chips(),
    count: await rowCount(),
    width: await widthOf(/^Nom du bénéficiaire/),
    rows: await firstNumbers(),
  };
}

let before: Shown;
/** The first rows of the sorted, filtered view: the export must start with them. */
let topRows: string[] = [];

describe('the state of a table view', () => {
  it('is set up by hand: sort by amount descending, a facet chosen, a facet value ticked, a column widened', async () => {
    await page().locator(`[data-testid=catalog-item][data-table="${TABLE}"]`).click();
    await expect.poll(rowCount, { timeout: 30_000 }).toMatch(/lignes/);
    const total = await rowCount();

    // Wider by keyboard on the column's resize handle, as the handle's own help says.
    const w0 = parseFloat(await widthOf(/^Nom du bénéficiaire/));
    await header(/^Nom du bénéficiaire/)
      .getByTestId('grid-resize')
      .focus();
    for (let i = 0; i < 4; i++) await page().keyboard.press('ArrowRight');
    await expect.poll(async () => parseFloat(await widthOf(/^Nom du bénéficiaire/))).toBe(w0 + 40);

    // The amount is the last column: scroll right to its header, sort descending, scroll back.
    await wheel(4000, 0);
    await sortButton(/^Montant voté/).click();
    await sortButton(/^Montant voté/).click();
    await expect.poll(sortKeys).toEqual(['↓']);
    await wheel(-4000, 0);
    await expect.poll(() => grid().evaluate((e) => e.scrollLeft)).toBe(0);

    await page().getByTestId('facets-toggle').click();
    await page().getByTestId('facet').first().waitFor({ timeout: 20_000 });
    // A facet the suggestions did not pick: the beneficiary's SIRET.
    await page().getByTestId('facets-pick').click();
    const siret = page().locator('[data-testid=facet-column-toggle][data-column=siret]');
    if (!(await siret.isChecked())) await siret.check();
    await page().getByTestId('facets-pick').click();
    await expect.poll(facetColumns).toContain('siret');

    const direction = page().locator('[data-testid=facet][data-column=direction]');
    if (!(await direction.count())) {
      await page().getByTestId('facets-pick').click();
      await page().locator('[data-testid=facet-column-toggle][data-column=direction]').check();
      await page().getByTestId('facets-pick').click();
    }
    await direction.locator('[data-testid=facet-value][data-value=DASCO]').click();
    await expect.poll(chips).toEqual([expect.stringMatching(/Direction.*DASCO/)]);
    await expect.poll(rowCount).not.toBe(total);

    await expect.poll(async () => (await firstNumbers()).length).toBeGreaterThan(1);
    topRows = await firstNumbers();
    // Down the list a little: the place is part of what is kept.
    await wheel(0, 390);
    await expect.poll(scrollTop).toBeGreaterThan(300);
    await expect.poll(async () => (await firstNumbers())[0]).not.toBe(topRows[0]);
    before = await shown();
    expect(before.facets).toContain('siret');
    expect(before.sort).toMatch(/Montant voté ↓/);
  });

  it('survives a visit to the Charts tab', async () => {
    await tab('charts').click();
    await page().getByTestId('chart-table').waitFor({ timeout: 20_000 });
    await tab('table').click();
    await expect.poll(rowCount, { timeout: 20_000 }).toBe(before.count);
    await expect.poll(shown, { timeout: 20_000 }).toEqual(before);
  });

  it('survives a reload of the page: the project reopens on the same table, as it was left', async () => {
    // A person pauses before reloading; the state is written a moment after the last change.
    await uiStateSaved();
    await page().reload();
    await catalogShown(page());
    await expect.poll(() => page().locator('[data-testid=grid] ').getAttribute('aria-label'), { timeout: 60_000 }).toContain(TABLE);
    await expect.poll(rowCount, { timeout: 30_000 }).toBe(before.count);
    await expect.poll(shown, { timeout: 30_000 }).toEqual(before);
  });

  it('exports the filtered view in the order on screen, and says so', async () => {
    const button = page().getByTestId('export-button');
    await expect.poll(() => button.textContent()).toMatch(/filtrée et triée/);
    await button.click();
    const [download] = await Promise.all([
      page().waitForEvent('download'),
      page().locator('[data-testid=menu-item][data-action=export-csv-fr]').click(),
    ]);
    const lines = (await readFile((await download.path())!, 'utf8'))
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    const head = lines[0]!.split(';');
    const amount = head.indexOf('Montant voté');
    const direction = head.indexOf('Direction');
    const rows = lines.slice(1).map((l) => l.split(';'));
    expect(rows.length).toBe(Number((before.count ?? '').replace(/\D/g, '')));
    expect(new Set(rows.map((r) => r[direction]))).toEqual(new Set(['DASCO']));
    const amounts = rows.map((r) => Number(r[amount]!.replace(',', '.')));
    expect(amounts).toEqual([...amounts].sort((a, b) => b - a));
    // The file starts with the rows the grid shows first.
    expect(rows.slice(0, topRows.length).map((r) => r[0])).toEqual(topRows);
    await expect
      .poll(() => page().getByRole('status').allTextContents())
      .toContainEqual(expect.stringMatching(/dans l’ordre affiché : Montant voté ↓/));
  });

  it('keeps the chart in progress across tabs and a reload', async () => {
    const field = (name: string) => page().locator(`[data-testid=chart-field][data-field="${name}"]`);
    const shelf = (ch: string) => page().locator(`[data-testid=chart-shelf][data-channel="${ch}"]`);
    const onX = () => shelf('x').getAttribute('data-field');
    await tab('charts').click();
    await page().getByTestId('chart-table').selectOption(TABLE);
    await field('direction').dragTo(shelf('x'));
    await expect.poll(onX).toBe('direction');
    await tab('table').click();
    await tab('charts').click();
    await expect.poll(onX).toBe('direction');
    await uiStateSaved();
    await page().reload();
    await catalogShown(page());
    await tab('charts').click();
    await expect.poll(() => page().getByTestId('chart-table').inputValue(), { timeout: 30_000 }).toBe(TABLE);
    await expect.poll(onX, { timeout: 30_000 }).toBe('direction');
  });
});
