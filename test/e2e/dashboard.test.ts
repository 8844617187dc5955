// A dashboard on the demo's participatory budget, used as a person would (#16 item 6): two charts
// saved from the builder, one an arrondissement tile map, with long titles and a colour legend. Every
// title and legend must lie inside its card — no text cut, no hidden scroll — and a click on a tile
// must filter the other chart like a bar click does, to the numbers SQL gives on the same file.
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chartsSession } from './charts-session.ts';
import { openChartBuilder, saveChart } from './steps.ts';

// `query`: the numbers a filtered chart must show, computed by DuckDB in Node on the same file.
const { app, reference, page, field, shelf, query } = chartsSession('static/demo/budget-participatif/projets.json');
const previewMarks = () => page().locator('[data-testid=chart-preview] svg .role-mark path');

async function save(name: string, title: string) {
  await page().getByTestId('chart-title').fill(title);
  await expect
    .poll(() => page().locator('[data-testid=chart-preview] svg .role-title').textContent(), { timeout: 30_000 })
    .toContain(title.split(' ')[0]);
  await saveChart(page(), name);
}

type Box = { x: number; y: number; width: number; height: number };
const inside = (b: Box, outer: Box) =>
  b.x >= outer.x - 1 && b.y >= outer.y - 1 && b.x + b.width <= outer.x + outer.width + 1 && b.y + b.height <= outer.y + outer.height + 1;

/** Every title, subtitle and legend part of a card, each with whether it is inside the card's visible figure and whole. */
async function visibility(card: Locator) {
  const fig = (await card.locator('figure').boundingBox())!;
  const out: { text: string; inside: boolean; whole: boolean }[] = [];
  for (const el of await card
    .locator(
      'svg .role-title text, svg .role-title-text text, svg .role-subtitle text, svg .role-legend text, svg .role-legend-symbol, svg .role-legend-gradient',
    )
    .all()) {
    const b = await el.boundingBox();
    if (!b || b.width === 0) continue;
    // A wrapped title is one <text> with a <tspan> per line.
    const text = await el.evaluate((e) =>
      e.querySelectorAll('tspan').length ? [...e.querySelectorAll('tspan')].map((t) => t.textContent).join(' ') : (e.textContent ?? ''),
    );
    out.push({ text, inside: inside(b, fig), whole: !text.includes('…') });
  }
  return out;
}

describe('the dashboard', () => {
  it('shows whole titles and legends, and a click on an arrondissement tile filters the other chart', async () => {
    const table = reference.table;
    await openChartBuilder(page(), table, 'arrondissement');

    // A bar chart of projects by status, coloured by the « quartier populaire » flag (a legend).
    await field('statut').dragTo(shelf('x'));
    await shelf('y')
      .getByRole('button', { name: /nombre de lignes/i })
      .click();
    await field('quartier_populaire').dragTo(shelf('color'));
    await expect.poll(() => previewMarks().count(), { timeout: 30_000 }).toBeGreaterThan(1);
    await save('Statuts', 'Projets du budget participatif selon leur statut et selon qu’ils sont situés en quartier populaire ou non');

    // The tile map of the budget by arrondissement.
    await page().getByTestId('chart-table').selectOption(table);
    await field('arrondissement').waitFor();
    await page().locator('[data-testid=chart-mark][data-mark=tiles]').click();
    await field('budget_alloue').dragTo(shelf('color'));
    await expect.poll(() => previewMarks().count(), { timeout: 30_000 }).toBe(20);
    await save('Carte', 'Budget alloué aux projets du budget participatif, par arrondissement de Paris, toutes éditions confondues');

    await page().getByTestId('charts-mode-dashboard').click();
    const board = page().getByTestId('dashboard');
    const bars = board.locator('[data-testid=dashboard-chart][data-name="Statuts"]');
    const map = board.locator('[data-testid=dashboard-chart][data-name="Carte"]');
    for (const card of [bars, map]) {
      await expect.poll(() => card.getAttribute('data-rows'), { timeout: 30_000 }).not.toBe('');
      await expect.poll(() => card.locator('svg .role-legend').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    }

    for (const card of [bars, map]) {
      const seen = await visibility(card);
      // The long title is there (wrapped or not), and so are the legend's entries.
      expect(seen.map((s) => s.text).join(' ')).toMatch(/budget participatif/);
      expect(
        seen.filter((s) => !s.inside || !s.whole),
        (await card.getAttribute('data-name')) ?? '',
      ).toEqual([]);
      // Nothing hidden behind a scroll bar either.
      const scroll = await card.locator('figure').evaluate((f) => [f.scrollWidth - f.clientWidth, f.scrollHeight - f.clientHeight]);
      expect(Math.max(...scroll)).toBeLessThanOrEqual(1);
    }
    const barLegend = (await visibility(bars)).map((s) => s.text);
    expect(barLegend).toEqual(expect.arrayContaining(['Oui', 'Non']));

    // A click on the 11th arrondissement's tile, as a person clicks.
    const before = await bars.getAttribute('data-values');
    await map.locator('svg .mark-text.role-mark text', { hasText: /^11e$/ }).click();
    const chip = board.getByTestId('dashboard-filter');
    await chip.waitFor({ timeout: 30_000 });
    const filter = JSON.parse((await chip.getAttribute('data-filter'))!) as { column: string; op: string; values: (string | number)[] };
    expect(filter).toMatchObject({ column: 'arrondissement', op: 'in' });
    const list = filter.values.map((v) => (typeof v === 'number' ? String(v) : `'${v.replace(/'/g, "''")}'`)).join(', ');
    const expected = await query(
      `SELECT statut, quartier_populaire, CAST(count(*) AS DOUBLE) FROM ${table} WHERE arrondissement IN (${list}) GROUP BY ALL ORDER BY 1, 2`,
    );
    expect(expected.rows.length).toBeGreaterThan(0);
    const rows = async () =>
      (
        (JSON.parse((await bars.getAttribute('data-values')) ?? '[]') as { x: string; color: string; y: number }[]).map((r) => [
          r.x,
          r.color,
          r.y,
        ]) as unknown[][]
      ).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    const want = expected.rows.map((r) => [r[0], r[1], r[2]]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    await expect.poll(rows, { timeout: 30_000 }).toEqual(want);
    expect(await bars.getAttribute('data-values')).not.toBe(before);
    // Every arrondissement-11 spelling in the file is selected, not only the one the tile shows.
    const spellings = await query(
      `SELECT DISTINCT arrondissement FROM ${table} WHERE regexp_matches(CAST(arrondissement AS VARCHAR), '^(11|75011)$')`,
    );
    expect(filter.values.map(String).sort()).toEqual(spellings.rows.map((r) => String(r[0])).sort());

    // The next click reads the index built when the pointer entered the map (Mosaic's data cube), with
    // the same numbers as SQL over the table.
    await map.locator('svg .mark-text.role-mark text', { hasText: /^12e$/ }).click();
    await expect
      .poll(async () => JSON.parse((await chip.getAttribute('data-filter'))!).values.map(String), { timeout: 30_000 })
      .toContain('12');
    const f12 = JSON.parse((await chip.getAttribute('data-filter'))!) as { values: (string | number)[] };
    const list12 = f12.values.map((v) => (typeof v === 'number' ? String(v) : `'${v.replace(/'/g, "''")}'`)).join(', ');
    const expected12 = await query(
      `SELECT statut, quartier_populaire, CAST(count(*) AS DOUBLE) FROM ${table} WHERE arrondissement IN (${list12}) GROUP BY ALL`,
    );
    const want12 = expected12.rows.map((r) => [r[0], r[1], r[2]]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    await expect.poll(rows, { timeout: 30_000 }).toEqual(want12);
    await expect.poll(() => bars.getAttribute('data-via'), { timeout: 30_000 }).toBe('index');
    expect(await rows()).toEqual(want12);

    await page().getByTestId('dashboard-clear').click();
    await expect.poll(() => bars.getAttribute('data-values'), { timeout: 30_000 }).toBe(before);
    expect(app.errors).toEqual([]);
  });
});
