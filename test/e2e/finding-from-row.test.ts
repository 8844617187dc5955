// A finding from the row one is looking at: in the demo's paid subsidies sorted by amount, a right
// click on the largest payment makes a draft finding whose evidence is that row — its values, the
// column that identifies it, the SQL that selects it (journaled) and its digest. The owner is the
// « Auditeur » placeholder until the user types a name, then becomes that name.
import { describe, expect, it } from 'vitest';
import { catalogShown } from './harness.ts';
import { appSession } from './session.ts';

const app = appSession();
const page = () => app.page;
const TABLE = 'subventions_versees';
const NAME = 'Camille Durand';

const rowCount = () => page().getByTestId('grid-rowcount').textContent();
const row = (i: number) => page().locator(`[data-testid=grid-row][data-row-index="${i}"]`);
const editor = () => page().getByTestId('finding-editor');
const evidence = () => editor().locator('[data-testid=finding-evidence][data-kind=snapshot]');

/** The grid's cells of a row by column label, as shown (the header row gives the labels). */
async function shownRow(i: number): Promise<Record<string, string>> {
  const labels = await page()
    .locator('[data-testid=grid-header]')
    .evaluateAll((hs) =>
      Object.fromEntries(hs.map((h) => [h.getAttribute('aria-colindex'), h.querySelector('.label')?.textContent?.trim() ?? ''])),
    );
  const cells = await row(i)
    .locator('[role=gridcell]')
    .evaluateAll((cs) => cs.map((c) => [c.getAttribute('aria-colindex'), c.textContent?.trim() ?? '']));
  return Object.fromEntries(cells.map(([k, v]) => [labels[k!]!, v]));
}

let mandat = '';

describe('a finding from a row of the grid', () => {
  it('is made by a right click on the row one is looking at, and opens in the Findings view', async () => {
    await page().locator(`[data-testid=catalog-item][data-table="${TABLE}"]`).click();
    await expect.poll(rowCount, { timeout: 30_000 }).toMatch(/lignes/);
    // The largest payment first: the row on screen is not the first of the file.
    const amount = page().locator('[data-testid=grid-sort]', { hasText: /^Montant versé/ });
    await amount.click();
    await amount.click();
    await expect.poll(() => page().getByTestId('grid-order').textContent()).toMatch(/Montant versé ↓/);
    await expect.poll(async () => (await shownRow(0))['Numéro de mandat'] ?? '').toMatch(/^\d{4}-M-\d+$/);
    const shown = await shownRow(0);
    mandat = shown['Numéro de mandat']!;

    await row(0).locator('[role=gridcell]').nth(2).click({ button: 'right' });
    const item = page().locator('[data-testid=menu-item][data-action=finding-from-row]');
    await expect.poll(() => item.textContent()).toBe('Créer un constat à partir de cette ligne');
    await item.click();

    await editor().waitFor({ timeout: 30_000 });
    await expect.poll(() => evidence().count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => page().locator('[data-testid=view-tab][data-view=findings]').getAttribute('aria-selected')).toBe('true');
    expect(await page().getByTestId('finding-title').inputValue()).toContain(mandat);
  });

  it('holds that row as evidence: its values, its key column, the SQL that selects it, its digest and source file', async () => {
    const ev = evidence();
    await expect.poll(() => ev.getByTestId('evidence-row').textContent()).toMatch(new RegExp(`${TABLE}.*Numéro de mandat`));
    const cells = await ev
      .locator('table:not(.sources) tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim())));
    expect(cells).toHaveLength(1);
    expect(cells[0]![0]).toBe(mandat);
    const heads = await ev.locator('table:not(.sources) thead th').allTextContents();
    expect(heads).toEqual(['Numéro de mandat', 'Exercice', 'Date de versement', 'Nom du bénéficiaire', 'SIRET', 'Montant versé']);
    // The SQL names the row by its number, not by its place on screen.
    await ev.locator('details summary').click();
    expect(await ev.locator('details pre').textContent()).toMatch(new RegExp(`WHERE "numero_de_mandat" = '${mandat}'`));
    expect(await ev.textContent()).toMatch(/1 au total/);
    expect(await ev.textContent()).toMatch(/subventions-versees\.csv/);
    expect(await ev.getByTestId('evidence-source-hash').first().textContent()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('takes the name typed afterwards as its owner, in place of « Auditeur »', async () => {
    await expect.poll(() => page().getByTestId('finding-owner').inputValue()).toBe('Auditeur');
    await page().getByTestId('findings-user').fill(NAME);
    await page().getByTestId('findings-user').press('Enter');
    await expect.poll(() => page().getByTestId('finding-owner').inputValue(), { timeout: 20_000 }).toBe(NAME);
    // Kept in the project: after a reload the finding is still the user's.
    const id = await editor().getAttribute('data-id');
    // The editor is enabled again once the change is written and the findings read back (no action running).
    await expect.poll(() => editor().locator('fieldset').first().isDisabled()).toBe(false);
    await page().reload();
    await catalogShown(page());
    await page().locator('[data-testid=view-tab][data-view=findings]').click();
    await page().locator(`[data-testid=finding-list-item][data-id="${id}"]`).click();
    await expect.poll(() => page().getByTestId('finding-owner').inputValue(), { timeout: 20_000 }).toBe(NAME);
  });
});
