// The Budget view walked in Chromium, from the proposed mapping to the flagged chapter the demo
// plants (chapter 011 executed above its credits in 2022) and its rows; then the participatory
// budget's tile map and the subsidies reconciliation, each run again with parameters and columns
// changed in its form (the flags follow, the journal keeps what ran), and refused when invalid.
import { describe, expect, it } from 'vitest';
import { CREDIT_OVERRUN, PAYMENT_WITHOUT_VOTE } from '../../src/demo/anomalies.ts';
import { formatViolations, runAxe } from './harness.ts';
import { appSession } from './session.ts';

const app = appSession();

const page = () => app.page;
const tid = (id: string) => page().getByTestId(id);

/** « 2 750 000 € » as the view prints it (narrow or plain no-break spaces as thousands separators). */
function eurosPattern(n: number): RegExp {
  const digits = Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, '[\\s\\u00a0\\u202f]');
  return new RegExp(`${digits}[\\s\\u00a0\\u202f]?€`);
}

/** Spaces as French formatting writes them (plain, no-break or narrow no-break). */
const S = '[\\s\\u00a0\\u202f]';

/** The field of a budget check's form: `form` is pb or sub, `key` a parameter (« envelope ») or a column role (« votedColumns.direction »). */
const field = (form: 'pb' | 'sub', key: string) => tid(`budget-${form}-form`).locator(`[data-testid=budget-field][data-field="${key}"]`);

/** How many rows a flag has in the result shown (0 when its group is empty). */
async function flagCount(flag: string): Promise<number> {
  const el = page().locator(`#budget-panel [data-flag="${flag}"]`);
  if (!(await el.count())) return -1;
  return Number(((await el.first().locator('.n').textContent()) ?? '').replace(/\D/g, ''));
}

/** The parameters of the last journal entry of an operation, as the Journal view shows them; back to the Budget view after. */
async function lastJournalParams(op: string): Promise<Record<string, unknown>> {
  await page().locator('[data-testid=view-tab][data-view="journal"]').click();
  const entry = page().locator(`[data-testid=journal-entry][data-op="${op}"]`).last();
  await entry.waitFor({ timeout: 30_000 });
  await entry.click();
  const params = JSON.parse((await tid('journal-params').textContent()) ?? '{}') as Record<string, unknown>;
  await page().locator('[data-testid=view-tab][data-view="budget"]').click();
  return params;
}

async function journalLength(): Promise<number> {
  await page().locator('[data-testid=view-tab][data-view="journal"]').click();
  await tid('journal-entry').first().waitFor({ timeout: 30_000 });
  const n = await tid('journal-entry').count();
  await page().locator('[data-testid=view-tab][data-view="budget"]').click();
  return n;
}

describe('the Budget view', () => {
  it('opens on the tab with the voted and executed tables and their proposed mapping', async () => {
    await page().locator('[data-testid=view-tab][data-view="budget"]').click();
    const mapping = tid('budget-mapping');
    await mapping.waitFor();
    const voted = mapping.locator('[data-testid=budget-mapping-side][data-role="voted"]');
    const executed = mapping.locator('[data-testid=budget-mapping-side][data-role="executed"]');
    await expect.poll(() => voted.getByTestId('budget-map-table').inputValue(), { timeout: 30_000 }).toBe('budget_vote');
    await expect.poll(() => executed.getByTestId('budget-map-table').inputValue(), { timeout: 30_000 }).toBe('compte_administratif');
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
    // Run with the defaults: every edition of the demo is under the 30 % target, none above 100 M€.
    expect(await flagCount('quartiers_populaires_sous_cible')).toBe(8);
    expect(await flagCount('enveloppe_depassee')).toBe(0);
  });

  it('shows the participatory columns it recognised and the parameters, the French way', async () => {
    expect(await field('pb', 'columns.edition').locator('select').inputValue()).toBe('edition');
    expect(await field('pb', 'columns.workingClass').locator('select').inputValue()).toBe('quartier_populaire');
    expect(await field('pb', 'workingClassTarget').locator('input').inputValue()).toBe('30');
    expect(await field('pb', 'workingClassTarget').textContent()).toMatch(new RegExp(`Entre 0${S}% et 100${S}%`));
    expect(await field('pb', 'envelope').locator('input').inputValue()).toMatch(new RegExp(`^100${S}000${S}000$`));
  });

  it('refuses a negative envelope and a target above 100 %, says why next to each field, and runs nothing', async () => {
    const before = await journalLength();
    const summary = await tid('budget-pb-summary').textContent();
    await field('pb', 'envelope').locator('input').fill('-5');
    await field('pb', 'workingClassTarget').locator('input').fill('130');
    await tid('budget-pb-run').click();
    await tid('budget-form-invalid').waitFor();
    expect(await field('pb', 'envelope').getByTestId('budget-field-error').textContent()).toMatch(new RegExp(`Saisissez au moins 0${S}€`));
    expect(await field('pb', 'workingClassTarget').getByTestId('budget-field-error').textContent()).toMatch(
      new RegExp(`Saisissez au plus 100${S}%`),
    );
    // The first field to correct has the focus; what was typed is still there.
    expect(await page().evaluate(() => document.activeElement?.closest('[data-field]')?.getAttribute('data-field'))).toBe('envelope');
    expect(await field('pb', 'workingClassTarget').locator('input').inputValue()).toBe('130');
    expect(await tid('budget-pb-summary').textContent()).toBe(summary);
    // The a11y suite sees only the Budget view's first tab: this form, its messages shown, is checked here.
    expect(formatViolations('participatory form', await runAxe(page(), '#budget-panel')), 'axe violations').toBe('');
    expect(await journalLength()).toBe(before);
  });

  it('runs again with a lower target and a smaller envelope: the flags follow, and the journal keeps the new parameters', async () => {
    await field('pb', 'envelope').locator('input').fill('50 000 000');
    await field('pb', 'workingClassTarget').locator('input').fill('15');
    expect(await field('pb', 'envelope').getByTestId('budget-field-error').count()).toBe(0);
    await tid('budget-pb-run').click();
    // Working-class shares of the demo's editions: only 2016 (12,8 %) and 2020 (13,9 %) are under 15 %;
    // allocations: only 2016 (60,6 M€) and 2018 (52,4 M€) are above 50 M€.
    await expect.poll(() => flagCount('quartiers_populaires_sous_cible'), { timeout: 60_000 }).toBe(2);
    expect(await flagCount('enveloppe_depassee')).toBe(2);
    await expect.poll(() => tid('budget-pb-form').getByRole('status').textContent()).toMatch(/enregistrés dans le projet/);
    const params = await lastJournalParams('participatory-budget');
    expect(params).toMatchObject({ table: 'projets', workingClassTarget: 0.15, envelope: 50_000_000, lateYears: 2 });
    expect(params.columns).toMatchObject({
      edition: 'edition',
      amount: 'budget_alloue',
      status: 'statut',
      workingClass: 'quartier_populaire',
    });
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
    expect(await flagCount('verse_sans_vote')).toBe(1);
    expect(await flagCount('plusieurs_directions')).toBeGreaterThan(0);
  });

  it('refuses a similarity above 100 % and a required column left empty, and runs nothing', async () => {
    const before = await journalLength();
    await field('sub', 'minSimilarity').locator('input').fill('120');
    await field('sub', 'votedColumns.amount').locator('select').selectOption('');
    await tid('budget-subsidies-run').click();
    await tid('budget-form-invalid').waitFor();
    expect(await field('sub', 'minSimilarity').getByTestId('budget-field-error').textContent()).toMatch(
      new RegExp(`Saisissez au plus 100${S}%`),
    );
    expect(await field('sub', 'votedColumns.amount').getByTestId('budget-field-error').textContent()).toMatch(/ne peut pas s’en passer/);
    expect(formatViolations('subsidies form', await runAxe(page(), '#budget-panel')), 'axe violations').toBe('');
    expect(await journalLength()).toBe(before);
  });

  it('runs again with a stricter name similarity and no direction column: the flags and explanations follow, and the journal keeps them', async () => {
    await field('sub', 'votedColumns.amount').locator('select').selectOption('montant_vote');
    await field('sub', 'minSimilarity').locator('input').fill('95');
    await field('sub', 'votedColumns.direction').locator('select').selectOption('');
    await tid('budget-subsidies-run').click();
    // Without a direction column no beneficiary can be funded by several directions.
    await expect.poll(() => flagCount('plusieurs_directions'), { timeout: 60_000 }).toBe(0);
    // The payment planted without a vote is still unmatched, and its explanation cites the threshold that ran.
    expect(await flagCount('verse_sans_vote')).toBe(1);
    const flag = page().locator('[data-testid=budget-flag][data-flag="verse_sans_vote"]');
    await flag.locator('summary').click();
    const row = flag.getByTestId('budget-flag-rows').locator('[data-testid=grid-row][data-row-index="0"]');
    await row.waitFor({ timeout: 30_000 });
    expect(await row.textContent()).toContain(PAYMENT_WITHOUT_VOTE.beneficiary);
    expect(await row.textContent()).toMatch(new RegExp(`ni nom à 95${S}% de similarité`));
    const params = await lastJournalParams('subsidies-reconcile');
    expect(params).toMatchObject({ voted: 'subventions_votees', paid: 'subventions_versees', minSimilarity: 0.95, tolerance: 1 });
    expect(params.votedColumns).toMatchObject({ direction: '', amount: 'montant_vote', beneficiary: 'nom_du_beneficiaire' });
    expect(params.paidColumns).toMatchObject({ amount: 'montant_verse' });
    expect(app.errors).toEqual([]);
  });
});
