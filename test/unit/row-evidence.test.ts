// A finding from the row one is looking at: the row is frozen with its table, the columns that
// select it, its values, the SQL that selects it (journaled) and the digest of what that SQL returns.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/core/ops/all.ts';
import { attachEvidence, createFinding, evidenceIntact, readFindingsFile, rowEvidence, rowKey } from '../../src/core/findings/index.ts';
import type { Session } from '../../src/core/project/session.ts';
import { ledgerWithCopiesCsv, numberedPaymentsCsv } from '../fixtures/row-fixtures.ts';
import { closeDiskSession, openDiskSession, type DiskSession } from './helpers.ts';
import { importFiles } from './helpers-io.ts';

let t: DiskSession;
let s: Session;

beforeAll(async () => {
  t = await openDiskSession('loupe-row-ev-', 'Lignes');
  s = t.session;
  await importFiles(t, { 'paiements.csv': numberedPaymentsCsv(300), 'grand_livre.csv': ledgerWithCopiesCsv() });
}, 60_000);
afterAll(() => closeDiskSession(t));

/** A row as the grid reads it: every column of the table, from the engine. */
async function rowOf(table: string, where: string): Promise<Record<string, unknown>> {
  const r = await t.engine.query(`SELECT * FROM "${table}" WHERE ${where}`);
  expect(r.rows).toHaveLength(1);
  return Object.fromEntries(r.columns.map((c, i) => [c.name, r.rows[0]![i]]));
}

describe('evidence from one row', () => {
  it('names the row by its unique number, freezes its values and journals the SQL that selects it', async () => {
    const values = await rowOf('paiements', `numero = 'P0042'`);
    const before = s.journal.all().length;
    const ev = await rowEvidence(s, { table: 'paiements', values, by: 'Alice Martin' });
    expect(ev.row).toEqual({ table: 'paiements', key: ['numero'] });
    expect(ev.sql).toHaveLength(1);
    expect(ev.sql[0]).toMatch(/WHERE "numero" = 'P0042'/);
    expect(ev.rows).toEqual([Object.values(values)]);
    expect(ev.columns.map((c) => c.label)).toEqual(['Numéro', 'Bénéficiaire', 'Montant payé', 'Date de paiement']);
    expect(ev.totalRows).toBe(1);
    expect(ev.truncated).toBe(false);
    // One journaled query, whose digest covers the one row it returns.
    expect(s.journal.all().length).toBe(before + 1);
    expect(ev.journal?.op).toBe('sql');
    expect(ev.digest?.rows).toBe(1);
    const [again] = (await t.engine.query(ev.sql[0]!)).rows;
    expect(again).toEqual(ev.rows[0]);
    expect(ev.sources.map((x) => x.fileName)).toEqual(['paiements.csv']);
    expect(await evidenceIntact(ev)).toBe(true);
  });

  it('keeps the row key when the finding is saved and read back', async () => {
    const values = await rowOf('paiements', `numero = 'P0007'`);
    const ev = await rowEvidence(s, { table: 'paiements', values });
    const f = await createFinding(s, { title: 'Paiement P0007' }, { by: 'Alice Martin' });
    await attachEvidence(s, f.id, ev, { by: 'Alice Martin' });
    const file = await readFindingsFile(s.store);
    const back = file.findings.find((x) => x.id === f.id)!.evidence[0]!;
    expect(back.kind === 'snapshot' && back.row).toEqual({ table: 'paiements', key: ['numero'] });
    expect(await evidenceIntact(back)).toBe(true);
  });

  it('falls back on the whole row when no column is unique, and says how many identical rows it selects', async () => {
    const values = await rowOf('grand_livre', `rowid = (SELECT min(rowid) FROM grand_livre WHERE beneficiaire = 'SARL Bâtir')`);
    const k = await rowKey(s, { table: 'grand_livre', values });
    expect(k.key).toEqual(['beneficiaire', 'montant', 'date']);
    expect(k.count).toBe(2);
    const ev = await rowEvidence(s, { table: 'grand_livre', values });
    expect(ev.totalRows).toBe(2);
    expect(ev.title).toMatch(/2 lignes identiques/);
  });

  it('compares an empty cell as NULL, so the row with no label is found', async () => {
    const values = await rowOf('grand_livre', `beneficiaire IS NULL`);
    const ev = await rowEvidence(s, { table: 'grand_livre', values });
    expect(ev.sql[0]).toMatch(/"beneficiaire" IS NULL/);
    expect(ev.totalRows).toBe(1);
    expect(ev.rows[0]).toEqual(Object.values(values));
  });
});
