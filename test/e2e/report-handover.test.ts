// The report one can hand over, in Chromium on a Paris clock: a finding made from a 36-column result
// (an audit sample of an imported export), its report printing only the columns the finding is about
// plus one the author ticks, the full data attached as CSV, times that read as the app shows them with
// their zone, and a map figure that names the GeoJSON it is drawn on, with its SHA-256.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { appSession } from './session.ts';

// The browser reads the zone from TZ when it starts: Paris, where « UTC vs local » is one hour.
process.env.TZ = 'Europe/Paris';
const app = appSession();
const page = () => app.page;
const tab = (view: string) => page().locator(`[data-testid=view-tab][data-view=${view}]`);

/** A wide export as portals give them: a key, a name, an amount, a date-time, a JSON column and 31 more. */
function wideCsv(): string {
  const extra = Array.from({ length: 30 }, (_, i) => `champ_${String(i + 1).padStart(2, '0')}`);
  const head = ['numero_dossier', 'beneficiaire', 'montant_verse', 'date_versement', 'details_json', 'arrondissement', ...extra];
  const lines = [head.join(';')];
  for (let r = 0; r < 6; r++) {
    const json = `"{""adresse"": {""voie"": ""${r + 1} rue de Rivoli"", ""cp"": ""75004""}}"`;
    lines.push(
      [
        `D-${1000 + r}`,
        `Association ${r}`,
        `${1000 + r * 100},50`,
        `2023-03-1${r} 14:05:00`,
        json,
        String(75101 + r),
        ...extra.map((_, i) => `v${r}_${i}`),
      ].join(';'),
    );
  }
  return lines.join('\n') + '\n';
}
const CSV = wideCsv();

async function pick(select: Locator, text: RegExp): Promise<void> {
  const options = await select
    .locator('option')
    .evaluateAll((els) => els.map((e) => ({ value: (e as HTMLOptionElement).value, text: e.textContent ?? '' })));
  const o = options.find((x) => text.test(x.text.trim()));
  if (!o) throw new Error(`no option ${text} in ${options.map((x) => x.text).join(', ')}`);
  await select.selectOption(o.value);
}

/** Waits for `done`, going through the personal-data check (names of beneficiaries) as a user would. */
async function throughPrivacyCheck<T>(done: Promise<T>): Promise<T> {
  let over = false;
  const anyway = page().getByTestId('report-export-anyway');
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

async function exportReport(): Promise<string> {
  const download = page().waitForEvent('download', { timeout: 60_000 });
  await page().getByTestId('report-export-html').click();
  const file = await throughPrivacyCheck(download);
  return readFile((await file.path())!, 'utf8');
}

/** Header cells of the evidence table of the report (its label, before an optional <br><code>name). */
function printedColumns(html: string): string[] {
  const head = /<table class="preuve"[^>]*>(?:<colgroup>.*?<\/colgroup>)?<thead><tr>(.*?)<\/tr><\/thead>/.exec(html)?.[1] ?? '';
  return [...head.matchAll(/<th>(.*?)(?:<br>|<\/th>)/g)].map((m) => m[1]!.replace(/<wbr>/g, ''));
}

const INSTANT = /\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2} UTC(?:[+−-]\d{1,2}(?::\d{2})?)?/;
let wallClock = '';
let frozenAt = '';

describe('a report one can hand over', () => {
  it('imports a 36-column export and reads its date-time in the grid as written', async () => {
    await page()
      .getByTestId('file-input')
      .setInputFiles({ name: 'versements.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
    await page().getByTestId('import-dialog').waitFor({ timeout: 30_000 });
    await page().getByTestId('import-confirm').click();
    const item = page().locator('[data-testid=catalog-item][data-table="versements"]');
    await item.waitFor({ timeout: 60_000 });
    await item.click();
    await tab('table').click();
    const cell = page()
      .getByTestId('grid')
      .getByText(/^10\/03\/2023 14:05/)
      .first();
    await cell.waitFor({ timeout: 30_000 });
    wallClock = ((await cell.textContent()) ?? '').trim();
    expect(wallClock).toMatch(/^10\/03\/2023 14:05(:00)?$/);
  });

  it('makes a finding from an audit sample of the whole table, citing two columns', async () => {
    await tab('audit').click();
    await page().locator('[data-testid=audit-test][data-op=sample]').click();
    await page().locator('[data-testid=audit-form][data-op=sample]').waitFor();
    await pick(page().locator('[data-testid=audit-field][data-field=table] select'), /^versements$/);
    await page().locator('[data-testid=audit-field][data-field=n] input').fill('6');
    await page().getByTestId('audit-run').click();
    await page().getByTestId('audit-create-finding').waitFor({ timeout: 60_000 });
    await page().getByTestId('audit-create-finding').click();
    const editor = page().getByTestId('finding-editor');
    await editor.waitFor({ timeout: 60_000 });
    await page().getByTestId('finding-title').fill('Versements sans pièce justificative');
    await page().getByTestId('finding-criteria').fill('Chaque versement, à sa date_versement, a une pièce justificative.');
    await page().getByTestId('finding-condition').fill('Aucune pièce pour ces versements : voir le bénéficiaire de chacun.');
    await page().getByTestId('finding-amount').fill('1 000,50');
    await page().getByTestId('finding-save').click();
    const snap = page().locator('[data-testid=finding-evidence][data-kind=snapshot]');
    await snap.waitFor({ timeout: 30_000 });
    // The time the app shows for the frozen evidence: local (Paris), its zone named.
    frozenAt = INSTANT.exec((await snap.textContent()) ?? '')?.[0] ?? '';
    expect(frozenAt).toMatch(/ UTC\+[12]$/);
  });

  it('prints only the cited, amount and key columns plus the one the author ticks; the rest goes to the CSV', async () => {
    await page().getByTestId('report-columns').locator('summary').click();
    const choice = page().getByTestId('report-columns-evidence').first();
    // The default, as proposed: what the finding cites, its amount, a key.
    const ticked = async () =>
      choice.locator('[data-testid=report-column]:checked').evaluateAll((els) => els.map((e) => e.getAttribute('data-column')));
    expect(await ticked()).toEqual(['numero_dossier', 'beneficiaire', 'montant_verse', 'date_versement']);
    await choice.locator('[data-testid=report-column][data-column=arrondissement]').check();
    const html = await exportReport();
    expect(printedColumns(html)).toEqual(['numero_dossier', 'beneficiaire', 'montant_verse', 'date_versement', 'arrondissement']);
    expect(html).not.toMatch(/<th>champ_(<wbr>)?\d\d/);
    expect(html).not.toMatch(/<th>details_(<wbr>)?json/);
    // Everything else is in the attached CSV: every column, every row.
    const link = /<a class="csv" download="([^"]+\.csv)" href="data:text\/csv;charset=utf-8,([^"]+)">/.exec(html);
    expect(link).not.toBeNull();
    const csv = decodeURIComponent(link![2]!.replace(/&amp;/g, '&')).replace(/^\uFEFF/, '');
    const [header, ...rows] = csv.trim().split('\r\n');
    expect(header!.split(';')).toEqual(expect.arrayContaining(['numero_dossier', 'details_json', 'champ_30']));
    expect(rows).toHaveLength(6);

    // Times: the date-time column as the grid shows it, the evidence's instant as the app shows it.
    expect(html).toContain(`<td>${wallClock}</td>`);
    expect(html).toContain(`figée le ${frozenAt}`);
    expect(html).not.toMatch(/10\/03\/2023 (à )?15:05/);
    expect(html).toMatch(/<footer>[\s\S]*Tête du journal : [\d\s\u202f]+ entrée\(s\)[\s\S]*Europe\/Paris[\s\S]*<\/footer>/);
  });

  it('names the GeoJSON of a map figure, with its SHA-256, in the figure and in the annex', async () => {
    await tab('charts').click();
    await page().getByTestId('charts-mode-builder').click();
    await page().getByTestId('chart-table').selectOption('projets');
    await page().locator('[data-testid=chart-field][data-field="arrondissement"]').waitFor();
    await page().locator('[data-testid=chart-mark][data-mark=tiles]').click();
    await page().locator('[data-testid=chart-mark][data-mark=choropleth]').click();
    await expect
      .poll(() => page().locator('[data-testid=chart-preview] svg .mark-shape.role-mark path').count(), { timeout: 30_000 })
      .toBe(20);
    await page().getByTestId('chart-save-name').fill('Carte des projets');
    await page().getByTestId('chart-save').click();

    await tab('findings').click();
    await page().getByTestId('finding-editor').waitFor({ timeout: 30_000 });
    const saved = page().getByTestId('finding-saved-chart');
    await expect
      .poll(() => saved.locator('option').allTextContents(), { timeout: 30_000 })
      .toContainEqual(expect.stringMatching(/Carte des projets/));
    await pick(saved, /Carte des projets/);
    await page().getByTestId('finding-attach-saved-chart').click();
    await page().locator('[data-testid=finding-evidence][data-kind=chart]').waitFor({ timeout: 60_000 });

    const html = await exportReport();
    const figure = /<figure class="chart">([\s\S]*?)<\/figure>/.exec(html)?.[1] ?? '';
    const geo = createHash('sha256')
      .update(await readFile('static/demo/referentiels/arrondissements.geojson'))
      .digest('hex');
    expect(figure).toMatch(
      new RegExp(
        `fond de carte \\(GeoJSON\\) : table <code>[^<]+</code> ← fichier <strong>arrondissements\\.geojson</strong>.*SHA-256 <span class="hash">${geo}</span>`,
      ),
    );
    expect(figure).toMatch(
      /données : table <code>projets<\/code> ← fichier <strong>[^<]+<\/strong>.*SHA-256 <span class="hash">[0-9a-f]{64}<\/span>/,
    );
    const annex = /Annexe A — Fichiers sources([\s\S]*?)Annexe B/.exec(html)?.[1] ?? '';
    expect(annex).toContain(geo);
  });
});
