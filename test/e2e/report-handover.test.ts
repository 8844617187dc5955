// The report one can hand over, in Chromium on a Paris clock: a finding made from a 36-column result
// (an audit sample of an imported export), its report printing only the columns the finding is about
// plus one the author ticks, the full data attached as CSV, times that read as the app shows them with
// their zone, and a map figure that names the GeoJSON it is drawn on, with its SHA-256.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { appSession } from './session.ts';
import {
  auditField,
  catalogItem,
  exportReport,
  findingFromAudit,
  importFile,
  openAuditTest,
  openChartBuilder,
  openTab,
  pick,
  runAuditForFinding,
  saveChart,
} from './steps.ts';

// The browser reads the zone from TZ when it starts: Paris, where « UTC vs local » is one hour.
process.env.TZ = 'Europe/Paris';
const app = appSession();
const page = () => app.page;

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
    expect(await importFile(page(), 'versements.csv', CSV)).toBe('versements');
    await catalogItem(page(), 'versements').click();
    await openTab(page(), 'table');
    const cell = page()
      .getByTestId('grid')
      .getByText(/^10\/03\/2023 14:05/)
      .first();
    await cell.waitFor({ timeout: 30_000 });
    wallClock = ((await cell.textContent()) ?? '').trim();
    expect(wallClock).toMatch(/^10\/03\/2023 14:05(:00)?$/);
  });

  it('makes a finding from an audit sample of the whole table, citing two columns', async () => {
    await openAuditTest(page(), 'sample');
    await pick(auditField(page(), 'table').locator('select'), /^versements$/);
    await auditField(page(), 'n').locator('input').fill('6');
    await runAuditForFinding(page());
    await findingFromAudit(page());
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
    const html = await exportReport(page());
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
    await openChartBuilder(page(), 'projets', 'arrondissement');
    await page().locator('[data-testid=chart-mark][data-mark=tiles]').click();
    await page().locator('[data-testid=chart-mark][data-mark=choropleth]').click();
    await expect
      .poll(() => page().locator('[data-testid=chart-preview] svg .mark-shape.role-mark path').count(), { timeout: 30_000 })
      .toBe(20);
    await saveChart(page(), 'Carte des projets');

    await openTab(page(), 'findings');
    await page().getByTestId('finding-editor').waitFor({ timeout: 30_000 });
    const saved = page().getByTestId('finding-saved-chart');
    await expect
      .poll(() => saved.locator('option').allTextContents(), { timeout: 30_000 })
      .toContainEqual(expect.stringMatching(/Carte des projets/));
    await pick(saved, /Carte des projets/);
    await page().getByTestId('finding-attach-saved-chart').click();
    await page().locator('[data-testid=finding-evidence][data-kind=chart]').waitFor({ timeout: 60_000 });

    const html = await exportReport(page());
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
