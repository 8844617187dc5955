// The Charts view in Chromium on the demo workspace: a chart built by dragging fields onto shelves,
// a recommendation adopted, PNG and SVG exports, the arrondissement tile map, and a dashboard whose
// charts filter each other — the filtered numbers checked against SQL run on the same source file.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { chartsSession } from './charts-session.ts';
import { clearShelf, openChartBuilder, saveChart } from './steps.ts';

// `query`: the numbers the charts must show, computed by DuckDB in Node on the same file.
const { app, page, field, shelf, query } = chartsSession('static/demo/subventions/subventions-votees.csv');
const previewBars = () => page().locator('[data-testid=chart-preview] svg .mark-rect.role-mark path');
const openCharts = (table: string) => openChartBuilder(page(), table, table === 'projets' ? 'arrondissement' : 'direction');

async function download(testid: string) {
  const [d] = await Promise.all([page().waitForEvent('download'), page().getByTestId(testid).click()]);
  return { name: d.suggestedFilename(), bytes: await readFile((await d.path())!) };
}

describe('the Charts view', () => {
  it('builds the sum of montant_vote by direction by dragging fields onto the shelves', async () => {
    await openCharts('subventions_votees');
    await field('montant_vote').dragTo(shelf('x'));
    await field('direction').dragTo(shelf('y'));
    await expect.poll(() => shelf('x').getAttribute('data-field')).toBe('montant_vote');
    expect(await shelf('x').getByTestId('chart-aggregate').inputValue()).toBe('sum');
    const directions = await query('SELECT count(DISTINCT direction) FROM subventions_votees');
    await expect.poll(() => previewBars().count(), { timeout: 30_000 }).toBe(Number(directions.rows[0]![0]));
    await expect.poll(() => page().getByTestId('chart-sql').textContent()).toMatch(/sum/i);
    expect(app.errors).toEqual([]);
  });

  it('places a field on a shelf with the keyboard', async () => {
    await field('secteur_d_activite').focus();
    await page().keyboard.press('c');
    await expect.poll(() => shelf('color').getAttribute('data-field')).toBe('secteur_d_activite');
    await shelf('color')
      .getByRole('button', { name: /secteur|retirer/i })
      .last()
      .click();
    await expect.poll(() => shelf('color').getAttribute('data-field')).toBe('');
    // The menu: opened from the field's « + » button, first shelf focused, Enter on « Colonnes ».
    await page().locator('[data-testid=chart-field][data-field="nature_de_la_subvention"] ~ [data-testid=chart-field-menu]').click();
    await expect.poll(() => page().evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('chart-field-place');
    await page().locator('[data-testid=chart-field-place][data-channel=column]').press('Enter');
    await expect.poll(() => shelf('column').getAttribute('data-field')).toBe('nature_de_la_subvention');
    await clearShelf(page(), 'column');
  });

  it('exports the chart as PNG (2×) and SVG, each with its title', async () => {
    await page().getByTestId('chart-title').fill('Subventions votées par direction');
    await expect
      .poll(() => page().locator('[data-testid=chart-preview] svg').textContent(), { timeout: 30_000 })
      .toContain('Subventions votées par direction');
    const png = await download('chart-export-png');
    expect(png.name).toBe('subventions-votees-par-direction.png');
    expect([...png.bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const svg = await download('chart-export-svg');
    const text = svg.bytes.toString('utf8');
    expect(text).toMatch(/^<svg/);
    expect(text).toContain('Subventions votées par direction');
    expect(text).toContain('Source');
    const csv = (await download('chart-export-csv')).bytes.toString('utf8');
    expect(csv.split('\r\n')[0]).toBe('# Subventions votées par direction');
    const json = JSON.parse((await download('chart-export-json')).bytes.toString('utf8'));
    expect(json.title.text).toBe('Subventions votées par direction');
    expect(json.datasets.loupe_chart.length).toBeGreaterThan(0);
  });

  it('adopts a recommendation for a picked field', async () => {
    await field('nature_de_la_subvention').click();
    const rec = page().getByTestId('chart-recommendation').first();
    await rec.waitFor();
    await expect.poll(() => rec.locator('svg').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await rec.getByTestId('chart-adopt').click();
    await expect.poll(() => shelf('y').getAttribute('data-field')).toBe('nature_de_la_subvention');
    const natures = await query('SELECT count(DISTINCT nature_de_la_subvention) FROM subventions_votees');
    await expect.poll(() => previewBars().count(), { timeout: 30_000 }).toBe(Number(natures.rows[0]![0]));
    await field('nature_de_la_subvention').click();
  });

  it('draws the 20 arrondissements as a tile map of the participatory budget', async () => {
    await openCharts('projets');
    await page().locator('[data-testid=chart-mark][data-mark=tiles]').click();
    expect(await page().getByTestId('chart-map-key').inputValue()).toBe('arrondissement');
    await expect.poll(() => previewBars().count(), { timeout: 30_000 }).toBe(20);
    await expect.poll(() => page().locator('[data-testid=chart-preview] svg').textContent()).toMatch(/1er.*20e|20e.*1er/s);
  });

  it('joins the participatory budget to the GeoJSON arrondissements, and puts projects on a point map', async () => {
    await page().locator('[data-testid=chart-mark][data-mark=choropleth]').click();
    await expect
      .poll(() => page().locator('[data-testid=chart-preview] svg .mark-shape.role-mark path').count(), { timeout: 30_000 })
      .toBe(20);
    await page().locator('[data-testid=chart-mark][data-mark=points]').click();
    const rows = await page().locator('[data-testid=catalog-item][data-table=projets]').textContent();
    expect(rows).toMatch(/777/);
    await expect
      .poll(() => page().locator('[data-testid=chart-preview] svg .mark-symbol.role-mark path').count(), { timeout: 30_000 })
      .toBeGreaterThan(100);
  });

  it('says when a chart keeps only the first categories', async () => {
    await openCharts('subventions_votees');
    await field('nom_du_beneficiaire').click();
    const rec = page().getByTestId('chart-recommendation').first();
    await rec.getByTestId('chart-adopt').click();
    const n = await query('SELECT count(DISTINCT nom_du_beneficiaire) FROM subventions_votees');
    const total = new Intl.NumberFormat('fr-FR').format(Number(n.rows[0]![0]));
    await expect
      .poll(() => page().getByTestId('chart-note').textContent(), { timeout: 30_000 })
      .toBe(`20 premières catégories sur ${total}, par total décroissant`);
    await field('nom_du_beneficiaire').click();
    // A fresh draft for the next test.
    await page().getByTestId('chart-table').selectOption('projets');
  });

  it('cross-filters a dashboard: a clicked bar filters the other chart, recomputed as SQL says', async () => {
    await openCharts('subventions_votees');
    await field('montant_vote').dragTo(shelf('x'));
    await field('direction').dragTo(shelf('y'));
    await expect.poll(() => previewBars().count(), { timeout: 30_000 }).toBeGreaterThan(1);
    await saveChart(page(), 'Par direction');
    await field('secteur_d_activite').dragTo(shelf('y'));
    await expect.poll(() => page().getByTestId('chart-sql').textContent(), { timeout: 30_000 }).toContain('secteur_d_activite');
    await saveChart(page(), 'Par secteur');

    await page().getByTestId('charts-mode-dashboard').click();
    const board = page().getByTestId('dashboard');
    await board.waitFor();
    const a = board.locator('[data-testid=dashboard-chart][data-name="Par direction"]');
    const b = board.locator('[data-testid=dashboard-chart][data-name="Par secteur"]');
    const valuesOf = async () => JSON.parse((await b.getAttribute('data-values')) ?? 'null') as { x: number; y: string }[] | null;
    await expect.poll(async () => (await valuesOf())?.length ?? 0, { timeout: 30_000 }).toBeGreaterThan(0);
    const before = await valuesOf();

    await a.locator('svg .mark-rect.role-mark path').first().click();
    const chip = board.getByTestId('dashboard-filter');
    await chip.waitFor();
    const filter = JSON.parse((await chip.getAttribute('data-filter'))!) as { column: string; values: string[] };
    expect(filter.column).toBe('direction');
    const direction = filter.values[0]!;
    const expected = await query(
      `SELECT secteur_d_activite, CAST(sum(montant_vote) AS DOUBLE) FROM subventions_votees WHERE direction = '${direction.replace(/'/g, "''")}' GROUP BY 1 ORDER BY 1`,
    );
    const sorted = (v: { x: number; y: string }[] | null) =>
      (v ?? []).map((r) => [r.y, r.x]).sort((p, q) => String(p[0]).localeCompare(String(q[0])));
    const want = expected.rows.map((r) => [r[0], r[1]]).sort((p, q) => String(p[0]).localeCompare(String(q[0])));
    await expect.poll(async () => sorted(await valuesOf()), { timeout: 30_000 }).toEqual(want);
    // The clicked chart is not filtered by its own selection.
    expect(JSON.parse((await a.getAttribute('data-values'))!).length).toBeGreaterThan(1);

    await page().getByTestId('dashboard-clear').click();
    await expect.poll(async () => sorted(await valuesOf()), { timeout: 30_000 }).toEqual(sorted(before));
    expect(app.errors).toEqual([]);
  });
  it('cross-filters with a brushed interval on a histogram, every number recomputed in DuckDB', async () => {
    await page().getByTestId('charts-mode-builder').click();
    await clearShelf(page(), 'y');
    await clearShelf(page(), 'x');
    await field('montant_vote').dragTo(shelf('x'));
    await shelf('x').locator('input[type=checkbox]').check();
    await shelf('y')
      .getByRole('button', { name: /nombre de lignes/i })
      .click();
    await expect.poll(() => page().getByTestId('chart-sql').textContent(), { timeout: 30_000 }).toMatch(/_bins/);
    await saveChart(page(), 'Histogramme');
    await page().getByTestId('charts-mode-dashboard').click();

    const board = page().getByTestId('dashboard');
    const hist = board.locator('[data-testid=dashboard-chart][data-name="Histogramme"]');
    const b = board.locator('[data-testid=dashboard-chart][data-name="Par secteur"]');
    await expect.poll(() => hist.locator('svg .mark-rect.role-mark path').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    // The chart may draw twice (its data, then the dashboard's size): the box of a mark being
    // replaced is null, so ask until a drawn one answers (CI once read null here).
    let box: { x: number; y: number; width: number; height: number } | null = null;
    await expect
      .poll(async () => (box = await hist.locator('svg .mark-rect.role-mark').first().boundingBox()), { timeout: 30_000 })
      .not.toBeNull();
    box = box!;
    await page().mouse.move(box.x + 2, box.y + box.height / 2);
    await page().mouse.down();
    await page().mouse.move(box.x + box.width * 0.15, box.y + box.height / 2, { steps: 6 });
    await page().mouse.up();
    const chip = board.getByTestId('dashboard-filter');
    await chip.waitFor();
    const f = JSON.parse((await chip.getAttribute('data-filter'))!) as { column: string; op: string; min: number; max: number };
    expect(f).toMatchObject({ column: 'montant_vote', op: 'between' });
    const expected = await query(
      `SELECT secteur_d_activite, CAST(sum(montant_vote) AS DOUBLE) FROM subventions_votees WHERE montant_vote >= ${f.min} AND montant_vote <= ${f.max} GROUP BY 1`,
    );
    const sorted = (rows: unknown[][]) => rows.map((r) => [r[0], r[1]]).sort((p, q) => String(p[0]).localeCompare(String(q[0])));
    await expect
      .poll(
        async () =>
          sorted((JSON.parse((await b.getAttribute('data-values')) ?? '[]') as { x: number; y: string }[]).map((r) => [r.y, r.x])),
        { timeout: 30_000 },
      )
      .toEqual(sorted(expected.rows));
    await page().getByTestId('dashboard-clear').click();
    await expect.poll(() => board.getByTestId('dashboard-filter').count()).toBe(0);
    expect(app.errors).toEqual([]);
  });
});
