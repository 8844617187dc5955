// The threshold and identifier checks on real public files (../shared/data), when they are there.
// Expected values are computed here from the raw files in plain JS, independently of the SQL.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/core/audit/index.ts';
import type { ThresholdsDetail } from '../../src/core/audit/thresholds.ts';
import type { ValidateIdsDetail } from '../../src/core/audit/validate-ids.ts';
import type { Engine } from '../../src/core/engine/engine.ts';
import { getOperation } from '../../src/core/ops/registry.ts';
import type { Session } from '../../src/core/project/session.ts';
import { luhnValid } from '../../src/demo/siret.ts';
import { closeDiskSession, openDiskSession } from './helpers.ts';

const DECP = resolve('../shared/data/decp_2024_paris.json');
const SIRENE = resolve('../shared/data/ParisSubsidies_SIRENE.csv');
const present = existsSync(DECP) && existsSync(SIRENE);

/** INSEE's rule, La Poste included (its NIC go past what Luhn allows: digit sum multiple of 5). */
const siretValid = (s: string) =>
  /^\d{14}$/.test(s) && (s.startsWith('356000000') ? [...s].reduce((t, c) => t + Number(c), 0) % 5 === 0 : luhnValid(s));

let dir: string;
let engine: Engine;
let s: Session;

beforeAll(async () => {
  if (!present) return;
  ({ dir, engine, session: s } = await openDiskSession('loupe-audit-real-', 'réel'));
  await s.importPath(DECP);
  await s.importPath(SIRENE);
  // DECP keeps its holders nested (titulaires[{titulaire{id}}]): the first one, as an analyst would —
  // from the linked table the import makes of the list, or from the JSON text when it keeps one.
  const linked = s.catalog.get('decp_2024_paris__titulaires');
  await s.saveQuery(
    'decp_titulaires',
    linked
      ? `SELECT d.id, d.montant, d.datenotification, t.titulaire_id FROM (SELECT rowid + 1 AS ligne, * FROM decp_2024_paris) d
           LEFT JOIN decp_2024_paris__titulaires t ON t.parent = d.ligne AND t.position = 1 ORDER BY d.ligne`
      : `SELECT id, montant, datenotification, json_extract_string(titulaires, '$[0].titulaire.id') AS titulaire_id FROM decp_2024_paris`,
  );
  // A spreadsheet round trip: the SIRET column read as a number loses its leading zeros.
  await s.saveQuery('sirene_tableur', `SELECT CAST(siret AS BIGINT) AS siret FROM parissubsidies_sirene`);
}, 120_000);
afterAll(() => closeDiskSession({ dir, engine }));

interface Decp {
  montant?: number | null;
  dateNotification?: string | null;
  titulaires?: { titulaire?: { id?: string } }[];
}

describe.skipIf(!present)('real files (../shared/data): DECP 2024 Paris, Paris subsidies SIRENE', () => {
  const decp = () =>
    (JSON.parse(readFileSync(DECP, 'utf8')) as Decp[]).map((x) => ({ ...x, tid: (x.titulaires?.[0]?.titulaire?.id ?? '').trim() }));

  it('thresholds on DECP as imported: no flat supplier column, so the split test is skipped and said to be, the others run', async () => {
    const r = await s.run(getOperation('thresholds')!, { table: 'decp_2024_paris', amount: 'montant', date: 'datenotification' });
    const d = r.detail as ThresholdsDetail;
    expect(d.skipped.map((x) => x.check)).toEqual(['split']);
    expect(r.summary).toMatch(/Test « fractionnement » non fait/);
    expect(d.population.read).toBe(decp().length);
    expect(Object.keys(d.byReason)).toEqual(expect.arrayContaining(['juste sous le seuil', 'montant rond']));
  });

  it('thresholds on DECP holders: blank and tiny ids (« », « 1 », « 00001 ») set apart with their counts, never a split purchase', async () => {
    const r = await s.run(getOperation('thresholds')!, {
      table: 'decp_titulaires',
      amount: 'montant',
      date: 'datenotification',
      siret: 'titulaire_id',
      checks: ['split'],
    });
    const d = r.detail as ThresholdsDetail;
    const rows = decp().filter((x) => x.montant !== null && x.montant !== undefined && x.dateNotification);
    const placeholder = (t: string) => t === '' || (/^\d+$/.test(t) && t.replace(/^0+/, '').length < 5);
    const expected = new Map<string, number>();
    for (const x of rows) if (placeholder(x.tid)) expected.set(x.tid || '(vide)', (expected.get(x.tid || '(vide)') ?? 0) + 1);
    expect(expected.size).toBeGreaterThan(1); // the trap is in the file
    expect(new Map(d.setApartSuppliers!.map((x) => [x.value, x.rows]))).toEqual(expected);
    expect(d.suppliers!.siret).toBe(rows.filter((x) => siretValid(x.tid)).length);
    expect(d.suppliers!.otherId).toBe(rows.filter((x) => !placeholder(x.tid) && !siretValid(x.tid)).length);
    const flagged = await engine.query(
      `SELECT count(*) FROM "${r.table}" WHERE precision LIKE 'fournisseur (vide)%' OR precision LIKE 'fournisseur 1,%' OR precision LIKE 'fournisseur 00001,%'`,
    );
    expect(Number(flagged.rows[0]![0])).toBe(0);
  });

  it('validate-ids on DECP holders: every 10–13-digit id is reported as the wrong length, none is padded', async () => {
    const r = await s.run(getOperation('validate-ids')!, { table: 'decp_titulaires', column: 'titulaire_id', kind: 'siret' });
    const d = r.detail as ValidateIdsDetail;
    const short = decp().flatMap((x) => (/^\d{10,13}$/.test(x.tid) ? [x.tid] : []));
    expect(short.length).toBeGreaterThan(5);
    const got = new Map((await engine.query(`SELECT valeur, probleme FROM "${r.table}"`)).rows.map((x) => [String(x[0]), String(x[1])]));
    for (const id of short) expect(got.get(id)).toMatch(new RegExp(`^longueur ${id.length} au lieu de 14`));
    const blank = decp().filter((x) => x.tid === '').length;
    expect(d.missing).toBe(blank);
    expect(d.invalid).toBe(decp().filter((x) => x.tid !== '' && !siretValid(x.tid)).length);
  });

  it('validate-ids on SIRETs that went through a spreadsheet: the lost leading zero is asked about and counted invalid', async () => {
    const csvSirets = readFileSync(SIRENE, 'utf8')
      .split('\n')
      .slice(1)
      .filter(Boolean)
      .map((l) => l.match(/,(\d{14}),(\d{14}),/)?.[2] ?? '');
    const lost = csvSirets.filter((x) => /^0[1-9]/.test(x) && siretValid(x)).length;
    expect(lost).toBeGreaterThan(0);
    const r = await s.run(getOperation('validate-ids')!, { table: 'sirene_tableur', column: 'siret', kind: 'siret' });
    const d = r.detail as ValidateIdsDetail;
    expect(d.byProblem['longueur 13 au lieu de 14 : zéro initial perdu ?']).toBe(lost);
    expect(d.invalid).toBe(csvSirets.filter((x) => !siretValid(x)).length + lost);
    expect(d.population.read).toBe(csvSirets.length);
  });
});
