// The Audit view in Chromium: a test picked from the list, its form drawn from the parameter schema,
// run on the demo workspace, and the planted anomalies found in the result.
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DUPLICATE_PAYMENT, SPLIT_CONTRACTS } from '../../src/demo/anomalies.ts';
import { appSession } from './session.ts';
import { auditField, openAuditTest, openTab, pick } from './steps.ts';

const app = appSession();

const page = () => app.page;
const field = (name: string) => auditField(page(), name);
const openTest = (op: string) => openAuditTest(page(), op);

async function runAndWait(op: string): Promise<void> {
  const before = await page().locator('[data-testid=audit-past-result]').count();
  await page().getByTestId('audit-run').click();
  await expect.poll(() => page().locator('[data-testid=audit-past-result]').count(), { timeout: 60_000 }).toBeGreaterThan(before);
  await page().locator(`section.result[data-op="${op}"] [data-testid=audit-summary]`).waitFor({ timeout: 30_000 });
}

/** Every row of a virtual grid, scrolled through block by block (only visible rows exist in the page). */
async function gridRows(container: Locator): Promise<string[]> {
  const grid = container.getByTestId('grid');
  await container.locator('[data-testid=grid-row]').first().waitFor({ timeout: 30_000 });
  const rows = new Map<number, string>();
  for (let i = 0; i < 200; i++) {
    const seen = await container
      .locator('[data-testid=grid-row]')
      .evaluateAll((els) => els.map((e) => [Number(e.getAttribute('data-row-index')), e.textContent ?? ''] as [number, string]));
    for (const [k, v] of seen) if (v.trim()) rows.set(k, v);
    const last = Math.max(...seen.map(([k]) => k));
    const done = await grid.evaluate((el) => {
      if (el.scrollTop + el.clientHeight >= el.scrollHeight - 2) return true;
      el.scrollTop += el.clientHeight - 40;
      return false;
    });
    if (done) break;
    // Read again once the rows after the old last one (or the table's last row) are drawn and none is
    // still loading; the grid says how many rows it has in aria-rowcount (header included).
    const total = Number(await grid.getAttribute('aria-rowcount')) - 1;
    const advanced = async () => {
      const shown = await container
        .locator('[data-testid=grid-row]')
        .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-row-index'))));
      return (
        (await container.locator('[data-testid=grid-row-loading]').count()) === 0 && Math.max(...shown) >= Math.min(last + 1, total - 1)
      );
    };
    await expect.poll(advanced, { timeout: 15_000 }).toBe(true);
  }
  return [...rows.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

describe('the Audit view', () => {
  it('lists the audit tests with their description and when to use them', async () => {
    await openTab(page(), 'audit');
    await page().getByTestId('audit-test').first().waitFor({ timeout: 30_000 });
    const ops = await page()
      .getByTestId('audit-test')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-op')));
    expect(ops).toEqual(expect.arrayContaining(['duplicates', 'benford', 'thresholds', 'gaps', 'sample', 'reconcile', 'validate-ids']));
    const dup = page().locator('[data-testid=audit-test][data-op=duplicates]');
    expect(await dup.textContent()).toMatch(/Doublons exacts/);
    expect(await dup.textContent()).toMatch(/deux fois/);
  });

  it('shows validation errors next to the fields from the schema, without running', async () => {
    await openTest('duplicates');
    await pick(field('table').locator('select'), /^subventions_versees$/);
    await page().getByTestId('audit-run').click();
    await expect.poll(() => field('columns').locator('[role=alert]').count()).toBe(1);
    expect(await page().getByTestId('audit-error').textContent()).toMatch(/corriger/);
  });

  it('runs duplicates on the payments (SIRET, amount, date) and finds the subsidy paid twice', async () => {
    const columns = field('columns');
    await columns.getByRole('checkbox', { name: /^SIRET/ }).check();
    await columns.getByRole('checkbox', { name: /^Montant/ }).check();
    await columns.getByRole('checkbox', { name: /^Date/ }).check();
    await pick(field('amount').locator('select'), /^Montant/);
    await runAndWait('duplicates');
    expect(await page().getByTestId('audit-summary').textContent()).toMatch(/doublons exacts dans « subventions_versees »/);
    const rows = await gridRows(page().getByTestId('audit-result'));
    expect(rows.filter((r) => r.includes(DUPLICATE_PAYMENT.siret))).toHaveLength(1);
    expect(await page().getByTestId('audit-figures').textContent()).toMatch(/Montant en jeu/);
    // The findings module wires app.createFinding: the button that hands this result over is offered.
    expect(await page().getByTestId('audit-create-finding').textContent()).toMatch(/Créer un constat à partir de ce résultat/);
  });

  it('runs benford on an amount, draws the chart and opens the rows behind a clicked digit', async () => {
    await openTest('benford');
    await pick(field('table').locator('select'), /^subventions_versees$/);
    await pick(field('column').locator('select'), /^Montant/);
    await runAndWait('benford');
    const chart = page().getByTestId('audit-chart');
    await chart.locator('figure svg').first().waitFor({ timeout: 30_000 });
    expect(await page().getByTestId('audit-summary').textContent()).toMatch(/Benford \(premier chiffre\)/);
    // A click on the first bar (digit 1) opens its rows.
    await chart.locator('.mark-rect path').first().click();
    const rows = page().getByTestId('audit-digit-rows');
    await rows.waitFor({ timeout: 30_000 });
    expect(await rows.getAttribute('data-digit')).toBe('1');
    await expect.poll(() => rows.getByTestId('grid-rowcount').textContent(), { timeout: 30_000 }).toMatch(/[1-9]/);
    const first = await rows.locator('[data-testid=grid-row]').first().textContent();
    expect(first).toMatch(/\b1[\d\s\u202f\u00a0]*(,\d+)?/);
    // The same rows are reachable from the keyboard: pick a digit, show its rows.
    await page().getByTestId('audit-digit-select').selectOption('9');
    await page().getByTestId('audit-digit-show').click();
    await expect.poll(() => rows.getAttribute('data-digit')).toBe('9');
    await page().screenshot({ path: '/tmp/audit-benford.png', fullPage: true });
  });

  it('runs thresholds on the contracts and finds the contracts split under 40 000 €', async () => {
    await openTest('thresholds');
    await pick(field('table').locator('select'), /^marches_publics$/);
    await pick(field('amount').locator('select'), /^Montant HT/);
    await pick(field('date').locator('select'), /^Date/);
    await pick(field('supplier').locator('select'), /^Titulaire/);
    await pick(field('siret').locator('select'), /^SIRET/);
    for (const c of ['just-below', 'round', 'calendar']) await field('checks').locator(`input[value="${c}"]`).uncheck();
    await runAndWait('thresholds');
    expect(await page().getByTestId('audit-summary').textContent()).toMatch(/fractionnement/);
    // The result's first columns say why each row is flagged; the split rows name the supplier's SIRET.
    const rows = (await gridRows(page().getByTestId('audit-result'))).filter((r) => r.includes(`fournisseur ${SPLIT_CONTRACTS.siret}`));
    expect(rows).toHaveLength(SPLIT_CONTRACTS.amounts.length);
    for (const r of rows) expect(r).toMatch(/40[\s\u202f\u00a0]000/);
    const total = SPLIT_CONTRACTS.amounts.reduce((a, b) => a + b, 0);
    expect(rows[0]!.replace(/[\s\u202f\u00a0]/g, '')).toContain(`${SPLIT_CONTRACTS.amounts.length}marchés,${total}`);
    await page().screenshot({ path: '/tmp/audit-thresholds.png' });
  });

  it('lists the results of the session and reopens one with its summary', async () => {
    const past = page().getByTestId('audit-past-result');
    expect(await past.count()).toBeGreaterThanOrEqual(3);
    const dup = page().locator('[data-testid=audit-past-result][data-table^="res_duplicates"]').first();
    await dup.click();
    await expect.poll(() => page().getByTestId('audit-summary').textContent()).toMatch(/doublons exacts/);
    expect(app.errors).toEqual([]);
  });
});
