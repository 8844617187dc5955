// The report handed over as is: a wide result prints only the columns the finding is about (the rest in
// an attached CSV), nested values read as « clé : valeur », a TIMESTAMP reads as the grid shows it,
// instants carry their zone, every figure names its files (the GeoJSON of a map included), and the
// footer pins the journal head.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/core/ops/all.ts';
import { main } from '../../src/cli/main.ts';
import type { Engine } from '../../src/core/engine/engine.ts';
import { attachEvidence, chartEvidence, createFinding, evidenceFromResult, type Finding } from '../../src/core/findings/index.ts';
import { journalHeadLine } from '../../src/core/journal/journal.ts';
import type { Session } from '../../src/core/project/session.ts';
import { chooseColumns, readableValue, snapshotCsv } from '../../src/core/report/evidence-table.ts';
import { formatDateTime, formatWallClock } from '../../src/core/report/format.ts';
import { renderReport } from '../../src/core/report/report.ts';
import { closeDiskSession, openDiskSession } from './helpers.ts';
import { importFiles } from './helpers-io.ts';

/** A 36-column export as open-data portals give them: codes, names, an amount, a date-time, one JSON column. */
function wideCsv(rows: number): string {
  const extra = Array.from({ length: 31 }, (_, i) => `champ_${String(i + 1).padStart(2, '0')}`);
  const head = ['numero_dossier', 'beneficiaire', 'montant_verse', 'date_versement', 'details_json', ...extra];
  const lines = [head.join(';')];
  for (let r = 0; r < rows; r++) {
    const json = `"{""adresse"": {""voie"": ""${r + 1} rue de Rivoli"", ""cp"": ""75004""}, ""tags"": [""culture"", ""sport""]}"`;
    lines.push(
      [
        `D-${1000 + r}`,
        `Association ${r}`,
        `${1000 + r * 10},50`,
        `2023-03-${String(10 + r).padStart(2, '0')} 14:05:00`,
        json,
        ...extra.map((_, i) => `v${r}_${i}`),
      ].join(';'),
    );
  }
  return lines.join('\n') + '\n';
}

/** Two schematic zones whose code joins an arrondissement column. */
const GEOJSON = JSON.stringify({
  type: 'FeatureCollection',
  features: [1, 2].map((n) => ({
    type: 'Feature',
    properties: { c_ar: n, nom: `${n}e arrondissement` },
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [2.3 + n / 100, 48.8],
          [2.31 + n / 100, 48.8],
          [2.31 + n / 100, 48.81],
          [2.3 + n / 100, 48.8],
        ],
      ],
    },
  })),
});

let dir: string;
let engine: Engine;
let s: Session;
let f: Finding;
let table: string;
let geoTable: string;
let geoSha: string;

beforeAll(async () => {
  const t = await openDiskSession('loupe-report-layout-', 'Contrôle des versements');
  ({ dir, engine, session: s } = t);
  const tables = await importFiles(t, { 'versements.csv': wideCsv(4), 'zones.geojson': GEOJSON });
  table = tables['versements.csv']!;
  geoTable = tables['zones.geojson']!;
  geoSha = s.catalog.get(geoTable)!.source!.sha256;
  const by = { by: 'Alice' };
  f = await createFinding(
    s,
    {
      title: 'Versements sans pièce',
      criteria: 'Chaque versement (colonne date_versement) doit avoir une pièce justificative.',
      condition: 'Quatre versements au bénéficiaire n’en ont pas.',
      effect: { text: 'Dépense non justifiée.', amount: 1010.5 },
    },
    by,
  );
  f = await attachEvidence(
    s,
    f.id,
    await evidenceFromResult(s, { sql: `SELECT * FROM "${table}" ORDER BY numero_dossier` }, { title: 'Versements' }),
    by,
  );
  const spec = { source: { table }, mark: 'geoshape', map: { kind: 'choropleth', key: 'c_ar', geoTable, geoKey: 'c_ar' } };
  f = await attachEvidence(
    s,
    f.id,
    await chartEvidence(s, {
      title: 'Carte des versements',
      spec,
      svg: '<svg viewBox="0 0 1 1"><rect width="1" height="1"></rect></svg>',
      tables: [table],
    }),
    by,
  );
}, 120_000);
afterAll(() => closeDiskSession({ dir, engine }));

const snapshotOf = (x: Finding) => {
  const e = x.evidence.find((y) => y.kind === 'snapshot');
  if (e?.kind !== 'snapshot') throw new Error('snapshot attendu');
  return e;
};
const plain = (x: string) => x.replace(/[\u00a0\u202f]/g, ' ');
/** The header cells of the evidence table of one snapshot. */
function printedColumns(html: string, evidenceId: string): string[] {
  const table =
    new RegExp(`<table class="preuve" data-evidence="${evidenceId}">(?:<colgroup>.*?</colgroup>)?<thead><tr>(.*?)</tr></thead>`).exec(
      html,
    )?.[1] ?? '';
  return [...table.matchAll(/<th>(.*?)(<br>|<\/th>)/g)].map((m) => m[1]!.replace(/<wbr>/g, ''));
}

describe('evidence columns', () => {
  it('defaults to the columns the finding cites, its amount column and a key, never the nested JSON', () => {
    const e = snapshotOf(f);
    expect(e.columns.length).toBeGreaterThanOrEqual(36);
    const choice = chooseColumns(f, e);
    expect(choice.total).toBe(e.columns.length);
    expect(Object.fromEntries(choice.shown.map((x) => [x.column.name, x.reason]))).toEqual({
      numero_dossier: 'key',
      beneficiaire: 'cited',
      montant_verse: 'amount',
      date_versement: 'cited',
    });
  });

  it('takes the author’s choice over the default, by name or label, in the snapshot’s order', () => {
    const e = snapshotOf(f);
    const choice = chooseColumns(f, e, ['champ_02', 'beneficiaire', 'pas_une_colonne']);
    expect(choice.shown.map((x) => [x.column.name, x.reason])).toEqual([
      ['beneficiaire', 'chosen'],
      ['champ_02', 'chosen'],
    ]);
  });

  it('prints a narrow snapshot whole, and falls back to its first plain columns when nothing is cited', () => {
    const narrow = { columns: ['a', 'b', 'c'].map((n) => ({ name: n, label: n, type: 'VARCHAR' })), rows: [['1', '2', '3']] };
    const blank = { title: 'x', criteria: '', condition: '', cause: '', effect: { text: '', amount: null }, recommendation: '' };
    expect(chooseColumns(blank, narrow).shown.map((x) => x.column.name)).toEqual(['a', 'b', 'c']);
    const wide = { columns: Array.from({ length: 12 }, (_, i) => ({ name: `z${i}`, label: `z${i}`, type: 'VARCHAR' })), rows: [] };
    expect(chooseColumns(blank, wide).shown.map((x) => x.column.name)).toEqual(['z0', 'z1', 'z2', 'z3', 'z4']);
  });
});

describe('evidence values', () => {
  it('reads a nested value as « clé : valeur » pairs, cut when long', () => {
    expect(readableValue({ adresse: { voie: '1 rue de Rivoli', cp: '75004' }, tags: ['culture', 'sport'] }, String)).toBe(
      'adresse : (voie : 1 rue de Rivoli ; cp : 75004) ; tags : culture, sport',
    );
    const long = readableValue({ texte: 'x'.repeat(1000) }, String);
    expect(long.length).toBeLessThanOrEqual(240);
    expect(long.endsWith('…')).toBe(true);
  });

  it('writes every frozen column and row to a French CSV, formulas neutralised', () => {
    const csv = snapshotCsv({
      columns: [
        { name: 'a', label: 'Montant', type: 'DOUBLE' },
        { name: 'b', label: 'Note', type: 'VARCHAR' },
        { name: 'c', label: 'Détail', type: 'JSON' },
      ],
      rows: [
        [1234.5, '=1+1', { k: 'v;w' }],
        [null, 'a"b', null],
      ],
    });
    expect(csv).toBe('\uFEFFMontant;Note;Détail\r\n1234,5;\'=1+1;"{""k"":""v;w""}"\r\n;"a""b";\r\n');
  });

  it('shows a TIMESTAMP as written (never shifted) and an instant in the asked zone, named', () => {
    expect(formatWallClock('2023-03-15T14:05:00.000Z')).toBe('15/03/2023 14:05:00');
    expect(plain(formatDateTime('2024-02-01T10:00:00Z', 'Europe/Paris'))).toBe('01/02/2024 11:00:00 UTC+1');
    expect(plain(formatDateTime('2024-07-01T10:00:00Z', 'UTC'))).toBe('01/07/2024 10:00:00 UTC');
  });
});

describe('report layout', () => {
  it('prints only the chosen columns, readable values, the local times with zone, and attaches the full CSV', async () => {
    const html = await renderReport(s, { findingIds: [f.id] }, { timeZone: 'Europe/Paris', now: new Date('2024-02-01T10:00:00Z') });
    const e = snapshotOf(f);
    expect(printedColumns(html, e.id)).toEqual(['numero_dossier', 'beneficiaire', 'montant_verse', 'date_versement']);
    // Widths follow content on a fixed layout: a short code gets less room than a date-time, and they add up to the page.
    const widths = [...(/<colgroup>(.*?)<\/colgroup>/.exec(html)?.[1] ?? '').matchAll(/width:([\d.]+)%/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(4);
    expect(Math.abs(widths.reduce((a, b) => a + b, 0) - 100)).toBeLessThan(0.5);
    expect(widths[0]!).toBeLessThan(widths[3]!); // « D-1000 » under a 14-letter name, « 10/03/2023 14:05:00 » longer
    expect(html).not.toMatch(/champ_(<wbr>)?07<\/th>/);
    expect(plain(html)).toContain(`Colonnes affichées : 4 sur ${e.columns.length}`);
    // The date-time column is the grid's wall clock, not moved one hour to Paris time.
    expect(html).toContain('<td>10/03/2023 14:05:00</td>');
    // The evidence's own instant: in the asked zone, with the zone's name.
    expect(plain(html)).toContain(`figée le ${plain(formatDateTime(e.createdAt, 'Europe/Paris'))}`);
    expect(plain(formatDateTime(e.createdAt, 'Europe/Paris'))).toMatch(/UTC\+[12]$/);
    const link = /<a class="csv" download="([^"]+)" href="data:text\/csv;charset=utf-8,([^"]+)">/.exec(html);
    expect(link?.[1]).toBe(`${f.id}-${e.id}.csv`);
    const csv = decodeURIComponent(link![2]!.replace(/&amp;/g, '&'));
    expect(csv).toBe(snapshotCsv(e));
    expect(csv.split('\r\n')[0]!.split(';')).toHaveLength(e.columns.length);
    expect(csv).toContain('champ_31');
    const other = await renderReport(
      s,
      { findingIds: [f.id] },
      { timeZone: 'America/New_York', columns: { [e.id]: ['details_json', 'beneficiaire'] } },
    );
    expect(printedColumns(other, e.id)).toEqual(['beneficiaire', 'details_json']);
    expect(other).toContain('<td>adresse : (voie : 1 rue de Rivoli ; cp : 75004) ; tags : culture, sport</td>');
    expect(plain(other)).toMatch(/figée le \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2} UTC−[45]/);
  });

  it('cites the GeoJSON behind a map, and the data file, with their SHA-256', async () => {
    const html = await renderReport(s, { findingIds: [f.id] });
    const chart = /<figure class="chart">([\s\S]*?)<\/figure>/.exec(html)![1]!;
    const dataSha = s.catalog.get(table)!.source!.sha256;
    expect(chart).toMatch(
      new RegExp(
        `données : table <code>${table}</code> ← fichier <strong>versements.csv</strong>.*SHA-256 <span class="hash">${dataSha}</span>`,
      ),
    );
    expect(chart).toMatch(
      new RegExp(
        `fond de carte \\(GeoJSON\\) : table <code>${geoTable}</code> ← fichier <strong>zones.geojson</strong>, SHA-256 <span class="hash">${geoSha}</span>`,
      ),
    );
    // The annex of source files lists the map's geometry file too.
    const annex = /Annexe A — Fichiers sources([\s\S]*?)Annexe B/.exec(html)![1]!;
    expect(annex).toContain('<td>zones.geojson</td>');
    expect(annex).toContain(geoSha);
  });

  it('ends on a footer with the journal head and the zone of its times', async () => {
    const html = await renderReport(s, { findingIds: [f.id] }, { timeZone: 'Europe/Paris' });
    const footer = /<footer>([\s\S]*?)<\/footer>/.exec(html)![1]!;
    const { verifyProject } = await import('../../src/core/project/verify.ts');
    const head = (await verifyProject(s.store, { checks: [] })).head;
    expect(footer).toContain(journalHeadLine(head).replace(/[\u00a0\u202f]/g, (c) => c));
    expect(footer).toContain('Europe/Paris');
    expect(html).toContain('@page{size:A4');
  });

  it('is written by `loupe report` with the author’s columns, the asked zone and the CSV beside it', async () => {
    const e = snapshotOf(f);
    const out = join(dir, 'rapport.html');
    let err = '';
    let said = '';
    const code = await main(
      ['report', '--project', join(dir, 'proj'), '--out', out, '--columns', `${e.id}=champ_02,montant_verse`, '--tz', 'UTC'],
      {
        out: (x) => void (said += x),
        err: (x) => void (err += x),
      },
    );
    expect(code, err).toBe(0);
    const html = await readFile(out, 'utf8');
    expect(printedColumns(html, e.id)).toEqual(['montant_verse', 'champ_02']);
    expect(plain(html)).toContain(`figée le ${plain(formatDateTime(e.createdAt, 'UTC'))}`);
    const beside = join(dir, `rapport.${f.id}-${e.id}.csv`);
    expect(said).toContain(beside);
    expect(await readFile(beside, 'utf8')).toBe(snapshotCsv(e));
    let bad = '';
    expect(
      await main(['report', '--project', join(dir, 'proj'), '--out', out, '--columns', 'sans-egal'], {
        out: () => {},
        err: (x) => void (bad += x),
      }),
    ).not.toBe(0);
    expect(bad).toContain('--columns attend PREUVE=colonne1,colonne2');
  }, 120_000);
});
