// The anomalies planted in the demo workspace are found by the audit operations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/core/audit/index.ts';
import { DUPLICATE_PAYMENT, SPLIT_CONTRACTS } from '../../src/demo/anomalies.ts';
import type { Engine } from '../../src/core/engine/engine.ts';
import { getOperation } from '../../src/core/ops/registry.ts';
import type { Session } from '../../src/core/project/session.ts';
import { closeDiskSession, openDemoSession } from './helpers.ts';

let dir: string;
let engine: Engine;
let s: Session;

beforeAll(async () => {
  ({
    dir,
    engine,
    session: s,
  } = await openDemoSession('loupe-audit-demo-', 'Démo', {
    versees: 'subventions/subventions-versees.csv',
    marches: 'marches/marches-publics.csv',
  }));
});
afterAll(() => closeDiskSession({ dir, engine }));

const rows = async (table: string) => {
  const r = await s.engine.query(`SELECT * FROM "${table}"`);
  return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c.name, row[i]])));
};

describe('audit on the demo workspace', () => {
  it('duplicates finds the subsidy paid twice', async () => {
    const t = s.catalog.list().find((x) => x.name.includes('versees'))!;
    const cols = t.columns.map((c) => c.name);
    const pick = (re: RegExp) => cols.find((c) => re.test(c))!;
    const r = await s.run(getOperation('duplicates')!, {
      table: t.name,
      columns: [pick(/siret/), pick(/montant/), pick(/^date/)],
      amount: pick(/montant/),
    });
    const found = (await rows(r.table!)).filter(
      (x) => String(x[pick(/siret/)]).replace(/\D/g, '').padStart(14, '0') === DUPLICATE_PAYMENT.siret,
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ nb: 2, montant_en_jeu: DUPLICATE_PAYMENT.amount });
  });

  it('thresholds finds the contracts split under 40 000 €', async () => {
    const t = s.catalog.list().find((x) => x.name.includes('marches'))!;
    const cols = t.columns.map((c) => c.name);
    const pick = (re: RegExp) => cols.find((c) => re.test(c))!;
    const r = await s.run(getOperation('thresholds')!, {
      table: t.name,
      amount: pick(/montant/),
      date: pick(/^date/),
      supplier: pick(/titulaire$/),
      siret: pick(/siret/),
      checks: ['split'],
    });
    const split = (await rows(r.table!)).filter((x) => x.seuil === SPLIT_CONTRACTS.threshold);
    expect(split.map((x) => x[pick(/montant/)]).sort()).toEqual([...SPLIT_CONTRACTS.amounts]);
  });
});
