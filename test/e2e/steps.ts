// The steps a person takes in the app, each a few clicks that several e2e tests and the README's
// screenshots go through: open a view, import a file, pick an option, fill the duplicates audit, save
// a chart, export the report. Each waits on what the page shows next, never on the clock. No vitest
// here: test/screenshots/take.ts runs these steps outside the test runner.
import { readFile } from 'node:fs/promises';
import type { Locator, Page } from 'playwright-core';
import { settled } from './harness.ts';

export const viewTab = (page: Page, view: string) => page.locator(`[data-testid=view-tab][data-view="${view}"]`);
export const catalogItem = (page: Page, table: string) => page.locator(`[data-testid=catalog-item][data-table="${table}"]`);

/** Shows a view through its tab, and waits until the tab says it is the one shown. */
export async function openTab(page: Page, view: string): Promise<void> {
  await viewTab(page, view).click();
  await page.locator(`[data-testid=view-tab][data-view="${view}"][aria-selected=true]`).waitFor();
}

/** Waits until the view panel shows something and nothing in it says it is still loading. */
export async function settleView(page: Page): Promise<void> {
  await page.locator('#view-panel > *').first().waitFor({ timeout: 30_000 });
  await settled(page);
}

/** The ids of the views the tab bar offers, in its order; none when the app has a single view (no tab bar). */
export function viewIds(page: Page): Promise<string[]> {
  return page.getByTestId('view-tab').evaluateAll((els) => els.map((e) => e.getAttribute('data-view') ?? ''));
}

/** Shows every view the tab bar offers, in its order, calling `each` once a view has settled; returns the views' ids. */
export async function visitEveryView(page: Page, each?: (view: string) => Promise<void>): Promise<string[]> {
  const ids = await viewIds(page);
  for (const id of ids) {
    await openTab(page, id);
    await settleView(page);
    await each?.(id);
  }
  return ids;
}

/** The tables the catalog lists, in its order. */
export function catalogTables(page: Page): Promise<string[]> {
  return page.getByTestId('catalog-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-table') ?? ''));
}

/** Confirms the import dialog as it stands and returns the name of the table the import adds to the catalog. */
export async function confirmImport(page: Page, timeout = 60_000): Promise<string> {
  const before = await catalogTables(page);
  await page.getByTestId('import-confirm').click();
  await page.waitForFunction(
    (before) =>
      [...document.querySelectorAll('[data-testid=catalog-item]')].some((e) => !before.includes(e.getAttribute('data-table') ?? '')),
    before,
    { timeout, polling: 250 },
  );
  return (await catalogTables(page)).find((t) => !before.includes(t))!;
}

/** Chooses a file with the sidebar's file input, imports it with the dialog's defaults and returns the new table's name. */
export async function importFile(page: Page, name: string, content: string | Uint8Array, mimeType = 'text/csv'): Promise<string> {
  await page.getByTestId('file-input').setInputFiles({ name, mimeType, buffer: Buffer.from(content) });
  return confirmImport(page);
}

/** Picks the option whose visible text matches (columns show their original label and a type hint). */
export async function pick(select: Locator, text: RegExp): Promise<void> {
  const options = await select
    .locator('option')
    .evaluateAll((els) => els.map((e) => ({ value: (e as HTMLOptionElement).value, text: e.textContent ?? '' })));
  const o = options.find((x) => text.test(x.text.trim()));
  if (!o) throw new Error(`no option ${text} in ${options.map((x) => x.text).join(', ')}`);
  await select.selectOption(o.value);
}

export const auditField = (page: Page, name: string) => page.locator(`[data-testid=audit-field][data-field="${name}"]`);

/** Opens the Audit view on one of its tests, and waits for the test's form. */
export async function openAuditTest(page: Page, op: string): Promise<void> {
  await openTab(page, 'audit');
  await page.locator(`[data-testid=audit-test][data-op="${op}"]`).click();
  await page.locator(`[data-testid=audit-form][data-op="${op}"]`).waitFor();
}

/** The duplicates test on the demo's payments, filled as an auditor does: same SIRET, amount and date; the amount at stake. */
export async function fillDuplicatePayments(page: Page): Promise<void> {
  await openAuditTest(page, 'duplicates');
  await pick(auditField(page, 'table').locator('select'), /^subventions_versees$/);
  const columns = auditField(page, 'columns');
  for (const c of [/^SIRET/, /^Montant/, /^Date/]) await columns.getByRole('checkbox', { name: c }).check();
  await pick(auditField(page, 'amount').locator('select'), /^Montant/);
}

/** Runs the audit form as filled, and waits for the button that makes a finding of its result. */
export async function runAuditForFinding(page: Page): Promise<void> {
  await page.getByTestId('audit-run').click();
  await page.getByTestId('audit-create-finding').waitFor({ timeout: 60_000 });
}

/** Makes a finding of the audit result shown, and waits for the finding's editor. */
export async function findingFromAudit(page: Page): Promise<void> {
  await page.getByTestId('audit-create-finding').click();
  await page.getByTestId('finding-editor').waitFor({ timeout: 60_000 });
}

export const chartField = (page: Page, name: string) => page.locator(`[data-testid=chart-field][data-field="${name}"]`);
export const chartShelf = (page: Page, channel: string) => page.locator(`[data-testid=chart-shelf][data-channel="${channel}"]`);

/** Opens the chart builder on a table, and waits until it lists one of the table's fields. */
export async function openChartBuilder(page: Page, table: string, field: string): Promise<void> {
  await openTab(page, 'charts');
  await page.getByTestId('charts-mode-builder').click();
  await page.getByTestId('chart-table').selectOption(table);
  await chartField(page, field).waitFor();
}

/** Empties a shelf of the chart builder with its « retirer » button. */
export async function clearShelf(page: Page, channel: string): Promise<void> {
  await chartShelf(page, channel)
    .getByRole('button', { name: /retirer/i })
    .click();
}

/** Saves the chart being built under a name (the dashboard and the findings list it by that name). */
export async function saveChart(page: Page, name: string): Promise<void> {
  await page.getByTestId('chart-save-name').fill(name);
  await page.getByTestId('chart-save').click();
}

/**
 * Waits for `done` (a download, a print frame), clicking « exporter quand même » if the personal-data
 * check stops the report first. The click is only allowed while `done` is pending: a waiter left behind
 * would click the privacy panel of a later step.
 */
export async function throughPrivacyCheck<T>(page: Page, done: Promise<T>): Promise<T> {
  let over = false;
  const anyway = page.getByTestId('report-export-anyway');
  void anyway.waitFor({ timeout: 60_000 }).then(
    () => (over ? undefined : anyway.click()),
    () => undefined,
  );
  try {
    return await done;
  } finally {
    over = true;
  }
}

/** Exports the HTML report of the findings in scope (through the personal-data check) and returns its text. */
export async function exportReport(page: Page, button = page.getByTestId('report-export-html')): Promise<string> {
  const download = page.waitForEvent('download', { timeout: 60_000 });
  await button.click();
  const file = await throughPrivacyCheck(page, download);
  return readFile((await file.path())!, 'utf8');
}
