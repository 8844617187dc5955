// The Budget view walked in Chromium, from the proposed mapping to the flagged chapter the demo
// plants (chapter 011 executed above its credits in 2022) and its rows; then the participatory
// budget's tile map and the subsidies reconciliation.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CREDIT_OVERRUN } from '../../src/demo/anomalies.ts';
import { openApp, stopServer, type App } from './harness.ts';

let app: App;

beforeAll(async () => {
  app = await openApp();
  await app.page.getByTestId('catalog-item').first().waitFor({ timeout: 60_000 });
}, 90_000);

afterEach(() => {
  expect(app.foreign()).toEqual([]);
});

afterAll(async () => {
  await app?.close();
  await stopServer();
});

const page = () => app.page;
const tid = (id: string) => page().getByTestId(id);

/** « 2 750 000 € » as the view prints it (narrow or plain no-break spaces as thousands separators). */
function eurosPattern(n: number): RegExp {
  const digits = Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, '[\\s\\u00a0\\u202f]');
  return new RegExp(`${digits}[\\s\\u00a0\\u202f]?€`);
}

describe('the Budget view', () => {
  it('opens on the tab with the voted and executed tables and their proposed mapping', async () => {
    await page().locator('[data-testid=view-tab][data-view="budget"]').click();
    const mapping = tid('budget-mapping');
    await mapping.waitFor();
    const voted = mapping.locator('[data-testid=budget-mapping-side][data-role="voted"]');
    const executed = mapping.locator('[data-testid=budget-mapping-side][data-role="executed"]');
    await expect.poll(() => voted.getByTestId('budget-map-table').inputValue(), { timeout: 30_000 }).toBe('budget_vote');
    await expect.poll(() => executed.getByTestId('budget-map-table').inputValue()).toBe('compte_administratif');
    // Each field's select shows the column proposed from its header, with why.
    const selected = async (side: typeof voted, field: string) => {
      const row = side.locator(`[data-testid=budget-map-field][data-field="${field}"]`);
      return (await row.locator('select option:checked').textContent())?.trim();
    };
    await expect.poll(() => selected(voted, 'amount'), { timeout: 30_000 }).toBe('Montant voté');
    expect(await selected(voted, 'chapter')).toBe('Chapitre');
    expect(await selected(voted, 'stage')).toBe('Étape budgétaire');
    await expect.poll(() => selected(executed, 'amount')).toBe('Montant réalisé');
    expect(await voted.locator('[data-testid=budget-map-field][data-field="amount"]').textContent()).toMatch(/Montant voté/);
    // The mapping is kept in the project.
    await tid('budget-map-save').click();
    await expect.poll(() => mapping.getByRole('status').first().textContent()).toMatch(/Correspondance enregistrée/);
  });

  it('runs the reconciliation and shows the planted chapter overrun in the tree, explained', async () => {
    await tid('budget-level').selectOption('chapter');
    await tid('budget-run').click();
    const tree = tid('budget-tree');
    await tree.waitFor({ timeout: 60_000 });
    await tid('budget-tree-year').selectOption(String(CREDIT_OVERRUN.year));
    const section = tree.locator('[data-testid=budget-tree-row][data-level="section"][data-code="F"]');
    await section.waitFor();
    await expect.poll(() => section.locator('[data-testid=budget-tree-flag]').getAttribute('data-flag')).toBe('depassement_chapitre');
    await section.getByTestId('budget-tree-toggle').click();
    const chapter = tree.locator(`[data-testid=budget-tree-row][data-level="chapter"][data-code="${CREDIT_OVERRUN.chapter}"]`);
    await chapter.waitFor();
    expect(await chapter.locator('[data-testid=budget-tree-flag][data-flag="depassement_chapitre"]').count()).toBe(1);
    // The variance column is the planted excess.
    expect(await chapter.textContent()).toMatch(eurosPattern(CREDIT_OVERRUN.excess));
    await chapter.getByTestId('budget-tree-toggle').click();
    const explain = tree.getByTestId('budget-tree-explain');
    await explain.waitFor();
    expect(await explain.textContent()).toMatch(/Dépassement des crédits du chapitre — chapitre 011/);
    expect(await explain.textContent()).toMatch(eurosPattern(CREDIT_OVERRUN.excess));
  });

  it('lists the overrun flag and opens its rows in the grid', async () => {
    const flag = page().locator('[data-testid=budget-flag][data-flag="depassement_chapitre"]');
    await flag.waitFor();
    await flag.locator('summary').click();
    const rows = flag.getByTestId('budget-flag-rows');
    await rows.waitFor();
    await expect.poll(() => rows.getByTestId('grid-rowcount').textContent()).toMatch(/^1\b/);
    const first = rows.locator('[data-testid=grid-row][data-row-index="0"]');
    await first.waitFor();
    const text = (await first.textContent()) ?? '';
    // The explanation comes first in the grid and names the chapter and the year.
    expect(text).toContain(`chapitre ${CREDIT_OVERRUN.chapter}`);
    expect(text).toContain(String(CREDIT_OVERRUN.year));
    // The findings view provides app.createFinding: each flag can become a finding.
    expect(await flag.getByTestId('budget-create-finding').count()).toBe(1);
  });

  it('draws the charts of the reconciliation', async () => {
    const charts = tid('budget-charts');
    await charts.waitFor({ timeout: 30_000 });
    await expect.poll(() => charts.locator('svg').count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
  });

  it('analyses the participatory budget and colours the 20 arrondissements', async () => {
    await page().locator('[data-testid=budget-tab][data-tab="participatory"]').click();
    await expect.poll(() => tid('budget-pb-table').inputValue()).toBe('projets');
    await tid('budget-pb-run').click();
    const map = tid('budget-tilemap');
    await map.waitFor({ timeout: 60_000 });
    await expect.poll(() => map.locator('svg path, svg rect').count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(20);
    await page().locator('[data-testid=budget-flag][data-flag="livraison_tardive"]').waitFor();
  });

  it('reconciles subsidies voted and paid, with the concentration and the invalid SIRET', async () => {
    await page().locator('[data-testid=budget-tab][data-tab="subsidies"]').click();
    await expect.poll(() => tid('budget-sub-voted').inputValue()).toBe('subventions_votees');
    await tid('budget-subsidies-run').click();
    await tid('budget-sub-top10').waitFor({ timeout: 60_000 });
    expect(await tid('budget-sub-top10').textContent()).toMatch(/%/);
    const siret = page().locator('[data-testid=budget-flag][data-flag="siret_invalide"]');
    await siret.locator('summary').click();
    await expect.poll(() => siret.getByTestId('grid-rowcount').textContent()).toMatch(/^1\b/);
    expect(app.errors).toEqual([]);
  });
});
