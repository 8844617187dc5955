// Exploring a table in the browser: facets, sorting, copying cells, exporting safely and the
// command palette. Expectations are computed with DuckDB in Node from the same generated file.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registeredName } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import type { Engine } from '../../src/core/engine/engine.ts';
import { quantileRankError } from '../../src/core/profile/profile.ts';
import { paymentLine, paymentsCsv } from '../fixtures/e2e-fixtures.ts';
import { appSession } from './session.ts';
import { catalogItem, importFile } from './steps.ts';

let duck: Engine;
const CSV = paymentsCsv(500);

/** A file with a formula in a text cell: exporting it must never hand a spreadsheet a live formula. */
const HOSTILE_CSV =
  'Numéro;Direction;Montant payé;Commentaire\r\n' +
  'H1;DAC;12,50;"=HYPERLINK(""http://exemple.invalid/vol"")"\r\n' +
  'H2;DASCO;7,00;sans risque\r\n' +
  'H3;DEVE;3,25;+1+1\r\n';

const app = appSession({
  ready: (a) => a.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(a.url).origin }),
});

beforeAll(async () => {
  duck = await createNodeEngine();
  await duck.registerText('paiements.csv', CSV);
});

afterAll(() => duck?.close());

const page = () => app.page;
const item = (name: string) => catalogItem(page(), name);
const rowCount = () => page().getByTestId('grid-rowcount').textContent();
const digits = (s: string | null) => Number((s ?? '').replace(/\D/g, ''));
const firstRow = () => page().locator('[data-testid=grid-row][data-row-index="0"]');

async function importCsv(name: string, content: string) {
  expect(await importFile(page(), name, content)).toBe(name.replace(/\.csv$/, ''));
}

/** What DuckDB says, in Node, about the generated file. */
async function sql(q: string): Promise<unknown[][]> {
  const from = `read_csv('${registeredName('paiements.csv')}', delim=';', header=true, decimal_separator=',')`;
  return (await duck.query(q.replace('$T', from))).rows;
}

describe('exploring a table', () => {
  it('filters by a facet click: the row count and the other facets follow', async () => {
    await importCsv('paiements.csv', CSV);
    await item('paiements').click();
    await expect.poll(rowCount).toMatch(/500/);
    await page().getByTestId('facets-toggle').click();
    const direction = page()
      .getByTestId('facet')
      .filter({ has: page().locator('h3', { hasText: /^Direction$/ }) });
    const arrondissement = page()
      .getByTestId('facet')
      .filter({ has: page().locator('h3', { hasText: /^Arrondissement$/ }) });
    await direction.getByTestId('facet-value').first().waitFor({ timeout: 20_000 });
    await arrondissement.getByTestId('facet-value').first().waitFor({ timeout: 20_000 });
    const before = await arrondissement.textContent();

    const dac = direction.getByTestId('facet-value').filter({ hasText: /^DAC/ });
    const [[expected]] = (await sql(`SELECT count(*) FROM $T WHERE Direction = 'DAC'`)) as [[number]];
    expect(digits(await dac.getByTestId('facet-count').textContent())).toBe(Number(expected));
    await dac.click();

    await expect.poll(rowCount).toMatch(new RegExp(`^${expected} lignes?$`));
    await expect.poll(() => page().getByTestId('grid-filtered').textContent()).toMatch(/50\s*sur\s*500/);
    await expect.poll(() => page().getByTestId('filter-chip').textContent()).toMatch(/Direction/);
    await expect.poll(() => arrondissement.textContent()).not.toBe(before);
    const counts = await arrondissement.getByTestId('facet-count').allTextContents();
    const [[arrTop]] = (await sql(`SELECT max(n) FROM (SELECT count(*) AS n FROM $T WHERE Direction = 'DAC' GROUP BY Arrondissement)`)) as [
      [number],
    ];
    expect(Math.max(...counts.map(digits))).toBe(Number(arrTop));
    // The SQL of the filters is there to read.
    expect(await page().getByTestId('filter-sql').textContent()).toMatch(/IN \('DAC'\)/);

    await page().getByTestId('filters-clear').click();
    await expect.poll(rowCount).toMatch(/500/);
    await page().getByTestId('facets-toggle').click();
  });

  it('sorts by one column, then by two, as ORDER BY in DuckDB would', async () => {
    const amount = page().locator('[data-testid=grid-sort]', { hasText: 'Montant payé' });
    await amount.click(); // ascending
    await amount.click(); // descending
    const [[topDesc]] = (await sql(`SELECT "Numéro" FROM $T ORDER BY "Montant payé" DESC NULLS LAST LIMIT 1`)) as [[string]];
    await expect.poll(() => firstRow().textContent()).toContain(topDesc);
    expect(await page().locator('[data-testid=grid-header][aria-sort=descending]').count()).toBe(1);

    // Shift-click adds a second key: Direction ascending, then amount descending within it.
    await page()
      .locator('[data-testid=grid-sort]', { hasText: /^Direction/ })
      .click();
    await amount.click({ modifiers: ['Shift'] });
    await amount.click({ modifiers: ['Shift'] });
    const [[topTwo]] = (await sql(`SELECT "Numéro" FROM $T ORDER BY Direction ASC, "Montant payé" DESC LIMIT 1`)) as [[string]];
    await expect.poll(() => firstRow().textContent()).toContain(topTwo);
    await expect.poll(() => page().getByTestId('grid-sort-key').allTextContents()).toEqual(['↑1', '↓2']);

    // A plain click keeps only that key and turns it (asc → desc), the next one removes the sort.
    await page()
      .locator('[data-testid=grid-sort]', { hasText: /^Direction/ })
      .click();
    await expect.poll(() => page().getByTestId('grid-sort-key').allTextContents()).toEqual(['↓']);
    await page()
      .locator('[data-testid=grid-sort]', { hasText: /^Direction/ })
      .click();
    await expect.poll(() => page().getByTestId('grid-sort-key').count()).toBe(0);
    await expect.poll(() => firstRow().textContent()).toContain('P0000001');
  });

  it('copies a range of cells as tab-separated raw values with a decimal comma', async () => {
    const cell = (row: number, col: number) =>
      page().locator(`[data-testid=grid-row][data-row-index="${row}"] [role=gridcell][data-col="${col}"]`);
    await cell(0, 0).click();
    await cell(1, 4).click({ modifiers: ['Shift'] });
    await expect.poll(() => page().getByTestId('grid-selection').textContent()).toMatch(/2\s*×\s*5/);
    await page().keyboard.press('Control+c');
    await page().getByTestId('grid-copied').waitFor();
    const text = await page().evaluate(() => navigator.clipboard.readText());
    const lines = text.split('\n').map((l) => l.split('\t'));
    expect(lines).toHaveLength(2);
    for (const [i, line] of lines.entries()) {
      const src = paymentLine(i + 1).split(';');
      expect(line.slice(0, 4)).toEqual(src.slice(0, 4));
      // The amount is the stored number with a decimal comma, without grouping: "80,2" for "80,20".
      expect(line[4]).toMatch(/^\d+(,\d+)?$/);
      expect(Number(line[4]!.replace(',', '.'))).toBe(Number(src[4]!.replace(',', '.')));
    }
    // Keyboard: Shift+ArrowDown extends the selection by one row.
    await page().keyboard.press('Shift+ArrowDown');
    await expect.poll(() => page().getByTestId('grid-selection').textContent()).toMatch(/3\s*×\s*5/);
  });

  it('exports CSV for French spreadsheets with a formula cell neutralised', async () => {
    await importCsv('piege.csv', HOSTILE_CSV);
    await item('piege').click();
    await expect.poll(rowCount).toMatch(/^3 lignes$/);
    await page().getByTestId('export-button').click();
    const [download] = await Promise.all([
      page().waitForEvent('download'),
      page().locator('[data-testid=menu-item][data-action=export-csv-fr]').click(),
    ]);
    expect(download.suggestedFilename()).toBe('piege.csv');
    const text = await readFile((await download.path())!, 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const line = text.split(/\r?\n/).find((l) => l.includes('HYPERLINK'))!;
    const cell = line.split(';').slice(3).join(';').replace(/^"/, '');
    expect(cell.startsWith("'=")).toBe(true);
    expect(text).toMatch(/'\+1\+1/);
    expect(text).toContain('12,5');
  });

  it('filters with a column form, shows chips and SQL, hides a column, profiles and summarises', async () => {
    await item('paiements').click();
    await expect.poll(rowCount).toMatch(/^500 lignes$/);
    const header = (label: RegExp) =>
      page()
        .getByTestId('grid-header')
        .filter({ has: page().locator('[data-testid=grid-sort]', { hasText: label }) });
    await header(/^Bénéficiaire/)
      .getByTestId('grid-filter')
      .click();
    await page().getByTestId('filter-op').selectOption('contains');
    await page().getByTestId('filter-text').fill('n°1');
    await page().getByTestId('filter-apply').click();
    const [[n]] = (await sql(`SELECT count(*) FROM $T WHERE contains("Bénéficiaire", 'n°1')`)) as [[number]];
    await expect.poll(rowCount).toBe(`${n} lignes`);
    await expect.poll(() => page().getByTestId('filter-chip').textContent()).toMatch(/Bénéficiaire contient « n°1 »/);
    expect(await page().getByTestId('filter-sql').textContent()).toMatch(/contains\(strip_accents/);
    await page().getByTestId('filter-chip-remove').click();
    await expect.poll(rowCount).toMatch(/^500 lignes$/);

    // Hide a column from the columns menu, show it again.
    const before = await page().getByTestId('grid-header').count();
    await page().getByTestId('columns-button').click();
    await page().locator('[data-testid=column-visible]').nth(1).uncheck();
    await expect.poll(() => page().getByTestId('grid-header').count()).toBe(before - 1);
    await page().locator('[data-testid=column-visible]').nth(1).check();
    await expect.poll(() => page().getByTestId('grid-header').count()).toBe(before);
    await page().keyboard.press('Escape');

    // Profile from the header menu: distinct values as DuckDB counts them.
    await header(/^Direction/)
      .getByTestId('grid-column-menu')
      .click();
    await page().locator('[data-testid=menu-item][data-action=profile]').click();
    const [[d]] = (await sql(`SELECT count(DISTINCT Direction) FROM $T`)) as [[number]];
    await expect.poll(() => page().getByTestId('profile-distinct').textContent(), { timeout: 20_000 }).toBe(String(d));
    await page().getByTestId('profile-panel').locator('svg').first().waitFor({ timeout: 20_000 });

    await page().getByTestId('summary-toggle').click();
    await expect.poll(() => page().getByTestId('summary-row').count(), { timeout: 20_000 }).toBe(6);
    await expect.poll(() => page().locator('[data-testid=summary-flag][data-flag=identifier]').count()).toBeGreaterThan(0);
    await page().getByTestId('summary-close').click();
    await page().getByTestId('grid').waitFor();
  });

  it('summarises a table larger than its sample on rows drawn from it, stating how many and the widest bound', async () => {
    const rows = 150_000;
    const lines = ['Numéro;Montant;Remise'];
    // Remise is filled on one row in four: its quartiles rest on a quarter of the rows drawn.
    for (let i = 0; i < rows; i++) lines.push(`${i};${(i * 7919) % 100_000},${i % 100};${i % 4 === 0 ? i % 1000 : ''}`);
    await importCsv('grand_registre.csv', `${lines.join('\r\n')}\r\n`);
    await item('grand_registre').click();
    await expect.poll(async () => digits(await rowCount()), { timeout: 60_000 }).toBe(rows);
    await page().getByTestId('summary-toggle').click();
    await expect.poll(() => page().locator('[data-testid=summary-row][data-stage=done]').count(), { timeout: 60_000 }).toBe(3);
    const note = (await page().getByTestId('summary-sample-note').textContent())!;
    const [, drawnText, rankText] = note.match(/échantillon de ([\d\s]+) lignes.*± ([\d,]+) point/)!;
    // A Bernoulli draw of 100,000 rows in 150,000, by row: about that many (5 standard deviations), not exactly.
    const drawn = digits(drawnText!);
    const p = 100_000 / rows;
    expect(Math.abs(drawn - 100_000)).toBeLessThan(5 * Math.sqrt(rows * p * (1 - p)));
    expect(drawn).not.toBe(100_000);
    // The note states Remise's bound, the widest (≈ 1 point), not the whole sample's (≈ 0,5).
    expect(Number(rankText!.replace(',', '.'))).toBeCloseTo(Math.round(quantileRankError(drawn / 4) * 1000) / 10, 1);
    await page().getByTestId('summary-close').click();
  }, 120_000);

  it('opens the command palette with Ctrl+K and opens a table from it', async () => {
    await page().getByTestId('grid').focus();
    await page().keyboard.press('Control+k');
    const input = page().getByTestId('palette-input');
    await input.waitFor();
    await expect.poll(() => page().evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('palette-input');
    await input.fill('ouvrir budget_vote');
    await expect.poll(() => page().getByTestId('palette-option').first().getAttribute('data-command')).toBe('table:budget_vote');
    await page().keyboard.press('Enter');
    await page().getByTestId('command-palette').waitFor({ state: 'detached' });
    await expect.poll(() => page().locator('.grid-bar .table-name').textContent()).toBe('budget_vote');
    await expect.poll(() => item('budget_vote').getAttribute('aria-current')).toBeTruthy();
    // Escape closes without running anything.
    await page().keyboard.press('Control+k');
    await input.waitFor();
    await page().keyboard.press('Escape');
    await page().getByTestId('command-palette').waitFor({ state: 'detached' });
    expect(app.errors).toEqual([]);
  });

  it('shows the right rows deep in a sorted table of 25 000 lines (read through the sort permutation)', async () => {
    const long = paymentsCsv(25_000);
    await importCsv('paiements_longs.csv', long);
    await item('paiements_longs').click();
    await expect.poll(async () => digits(await rowCount())).toBe(25_000);
    const amount = page().locator('[data-testid=grid-sort]', { hasText: 'Montant payé' });
    await amount.click();
    await amount.click(); // descending
    await duck.registerText('paiements_longs.csv', long);
    // Ties are broken by the line's place in the file, which is the order of the numbers.
    const deep = async (at: number) => {
      const [[expected]] = (
        await duck.query(
          `SELECT "Numéro" FROM read_csv('${registeredName('paiements_longs.csv')}', delim=';', header=true, decimal_separator=',') ORDER BY "Montant payé" DESC NULLS LAST, "Numéro" LIMIT 1 OFFSET ${at}`,
        )
      ).rows as [[string]];
      await page()
        .getByTestId('grid')
        .evaluate((el, top) => {
          el.scrollTop = top;
          el.dispatchEvent(new Event('scroll'));
        }, at * 26);
      const row = page().locator(`[data-testid=grid-row][data-row-index="${at}"]`);
      await expect.poll(() => row.textContent(), { timeout: 30_000 }).toContain(expected);
    };
    await deep(20_000);
    await deep(12_345);
    await deep(24_999);
  });
});
