// Reopening a project in Chromium (web mode), as a person would: import a file, run an audit twice,
// reload the page. The table and the audit's result are back without re-importing anything (the
// imported file's copy is even removed from the project before the reload: only the project's cache
// can bring the table back), the missing file is reported, and the project's results list one entry
// per operation with its history of runs — not a `res_duplicates_2` beside the first.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { appSession } from './session.ts';
import { auditField, catalogItem, importFile, openAuditTest, openTab, pick } from './steps.ts';

const app = appSession({ timeout: 180_000 });
const page = () => app.page;
const item = (name: string) => catalogItem(page(), name);
const field = (name: string) => auditField(page(), name);

/** Payments with each (SIRET, amount) pair paid three times: what the duplicates audit reports. */
function paymentsCsv(): string {
  const lines = ['SIRET;Montant;Date'];
  for (let i = 0; i < 60; i++) lines.push(`${String(77_000_000_000_000 + (i % 20))};${(i % 20) * 10 + 5},50;0${(i % 9) + 1}/03/2024`);
  return lines.join('\n') + '\n';
}

/** Test set-up, not a user's act: what the project keeps in the browser's private storage. */
function projectFiles(p: Page): Promise<string[]> {
  return p.evaluate(async () => {
    const id = new URL(location.href).searchParams.get('project') ?? 'demo';
    const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('projets');
    const dir = await root.getDirectoryHandle(id);
    const out: string[] = [];
    const walk = async (d: FileSystemDirectoryHandle, prefix: string) => {
      for await (const [name, h] of (d as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
        if (h.kind === 'directory') await walk(h as FileSystemDirectoryHandle, `${prefix}${name}/`);
        else out.push(`${prefix}${name}`);
      }
    };
    await walk(dir, '');
    return out.sort();
  });
}

function readProjectFile(p: Page, path: string): Promise<string | null> {
  return p.evaluate(async (path) => {
    const id = new URL(location.href).searchParams.get('project') ?? 'demo';
    let dir = await (await (await navigator.storage.getDirectory()).getDirectoryHandle('projets')).getDirectoryHandle(id);
    const parts = path.split('/');
    try {
      for (const part of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(part);
      return await (await (await dir.getFileHandle(parts.at(-1)!)).getFile()).text();
    } catch {
      return null;
    }
  }, path);
}

/** The project's journal entries as written (seq and op are all this test reads). */
async function journalEntries(p: Page): Promise<{ seq: number; op: string }[]> {
  const text = (await readProjectFile(p, 'journal.ndjson')) ?? '';
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { seq: number; op: string });
}

/** The tables the project's cache index lists, with the journal entry each copy is of and its files. */
async function cachedTables(p: Page): Promise<{ table: string; entry: { seq: number }; files: { rows: number }[] }[]> {
  const idx = await readProjectFile(p, 'cache/index.json');
  return idx ? (JSON.parse(idx) as { tables: { table: string; entry: { seq: number }; files: { rows: number }[] }[] }).tables : [];
}

/** Rows numbered from 0, more than two of DuckDB's row groups (122,880 rows each). */
function numberedCsv(rows: number): string {
  const lines = ['n;libelle'];
  for (let i = 0; i < rows; i++) lines.push(`${i};ligne ${i % 1000}`);
  return lines.join('\n') + '\n';
}

function removeProjectFile(p: Page, path: string): Promise<void> {
  return p.evaluate(async (path) => {
    const id = new URL(location.href).searchParams.get('project') ?? 'demo';
    let dir = await (await (await navigator.storage.getDirectory()).getDirectoryHandle('projets')).getDirectoryHandle(id);
    const parts = path.split('/');
    for (const part of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(part);
    await dir.removeEntry(parts.at(-1)!);
  }, path);
}

async function runDuplicates(columns: RegExp[]): Promise<void> {
  const form = page().locator('[data-testid=audit-form][data-op=duplicates]');
  await form.waitFor();
  await pick(field('table').locator('select'), /^paiements_reouverture$/);
  const box = field('columns');
  for (const c of await box.getByRole('checkbox').all()) if (await c.isChecked()) await c.uncheck();
  for (const c of columns) await box.getByRole('checkbox', { name: c }).check();
  const before = await page().getByTestId('audit-past-run').count();
  await page().getByTestId('audit-run').click();
  await page().locator('section.result[data-op="duplicates"] [data-testid=audit-summary]').waitFor({ timeout: 60_000 });
  // The history lists one more run (it is read from the journal).
  await expect.poll(() => page().getByTestId('audit-past-run').count(), { timeout: 30_000 }).toBeGreaterThan(before);
}

describe('reopening a project', () => {
  it('imports a file and runs an audit twice: one result table for the operation', { timeout: 240_000 }, async () => {
    expect(await importFile(page(), 'paiements_reouverture.csv', paymentsCsv())).toBe('paiements_reouverture');

    await openAuditTest(page(), 'duplicates');
    await runDuplicates([/^SIRET/, /^Montant/]);
    await runDuplicates([/^SIRET/]);
    // A re-run replaces the operation's result: one table in the catalog, not res_duplicates_2.
    await expect.poll(() => page().locator('[data-testid=catalog-item][data-table^="res_duplicates"]').count()).toBe(1);
    expect(await page().locator('[data-testid=audit-past-op][data-op=duplicates]').count()).toBe(1);
  });

  it('comes back after a reload with the table and the audit result, without re-importing', { timeout: 300_000 }, async () => {
    // The copies are written in the background after each operation, one after the other: wait until
    // the project holds the table's and the last run's (a reload before then rightly leaves the result
    // out, its copy being of the first run).
    await expect
      .poll(
        async () => {
          const lastRun = Math.max(...(await journalEntries(page())).filter((e) => e.op === 'duplicates').map((e) => e.seq));
          const tables = await cachedTables(page());
          return (
            tables.some((t) => t.table === 'paiements_reouverture') &&
            tables.some((t) => t.table === 'res_duplicates' && t.entry.seq === lastRun)
          );
        },
        { timeout: 120_000, interval: 1000 },
      )
      .toBe(true);
    const rowsBefore = await item('res_duplicates').textContent();
    // The imported file's copy goes: only the project's cache can bring its table back.
    const copy = (await projectFiles(page())).find((f) => /^sources\/paiements_reouverture/.test(f));
    expect(copy).toBeTruthy();
    await removeProjectFile(page(), copy!);

    await page().reload();
    await item('paiements_reouverture').waitFor({ timeout: 120_000 });
    await item('res_duplicates').waitFor({ timeout: 30_000 });
    expect(await item('res_duplicates').textContent()).toBe(rowsBefore);
    expect(await page().locator('[data-testid=catalog-item][data-table^="res_duplicates"]').count()).toBe(1);
    // The grid reads the restored table.
    await item('paiements_reouverture').click();
    await page().locator('[data-testid=grid-row][data-row-index="0"]').waitFor({ timeout: 30_000 });
    expect(await page().locator('[data-testid=grid-row][data-row-index="0"]').textContent()).toMatch(/77000000000000/);
    // The file behind it is gone, and the app says so instead of using it silently.
    const problems = page().getByTestId('problems');
    await problems.waitFor({ timeout: 120_000 });
    expect(await problems.textContent()).toMatch(/paiements_reouverture\.csv — source introuvable/);

    // The project's results: one entry for the operation, its two runs in the history, the last one current.
    await openTab(page(), 'audit');
    const group = page().locator('[data-testid=audit-past-op][data-op=duplicates]');
    await group.waitFor({ timeout: 30_000 });
    expect(await group.getByTestId('audit-past-result').count()).toBe(1);
    await group.getByTestId('audit-past-history').click();
    expect(await group.getByTestId('audit-past-run').count()).toBe(2);
    expect(await group.locator('[data-testid=audit-past-run][data-current=true]').count()).toBe(1);
    await group.getByTestId('audit-past-result').click();
    await expect.poll(() => page().getByTestId('audit-summary').textContent(), { timeout: 30_000 }).toMatch(/doublons exacts/);
  });
  // The table is copied into its file in one statement and served from it in place (Engine.attachTableCopy):
  // every row must come back, each in its place — which the table's digest, a sum, cannot tell.
  it('brings back a table of several row groups whole and in order, from its one file', { timeout: 300_000 }, async () => {
    const rows = 250_000;
    expect(await importFile(page(), 'numerotees.csv', numberedCsv(rows))).toBe('numerotees');
    await expect
      .poll(
        async () =>
          (await cachedTables(page()))
            .find((t) => t.table === 'numerotees')
            ?.files.map((f) => f.rows)
            .reduce((a, b) => a + b),
        { timeout: 120_000, interval: 1000 },
      )
      .toBe(rows);
    expect((await cachedTables(page())).find((t) => t.table === 'numerotees')!.files).toHaveLength(1);
    // Only the cache can bring the table back.
    await removeProjectFile(
      page(),
      (await projectFiles(page())).find((f) => /^sources\/numerotees/.test(f))!,
    );

    await page().reload();
    await item('numerotees').waitFor({ timeout: 120_000 });
    await openTab(page(), 'sql');
    const editor = page().locator('[data-testid=sql-editor] .cm-content');
    await editor.click();
    await page().keyboard.press('Control+A');
    await page().keyboard.insertText(
      "SELECT format('{} lignes, {} hors de leur place', count(*), count(*) FILTER (WHERE n <> pos)) AS bilan " +
        'FROM (SELECT n, row_number() OVER (ORDER BY rowid) - 1 AS pos FROM numerotees)',
    );
    await page().keyboard.press('Escape');
    await page().keyboard.press('Control+Enter');
    const first = page().locator('[data-testid=grid-row][data-row-index="0"]');
    await expect.poll(() => first.textContent(), { timeout: 60_000 }).toMatch(/250000 lignes, 0 hors de leur place/);
  });
});
