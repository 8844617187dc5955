// The anomalies planted in the demo workspace are found by the audit operations.
import { describe, expect, it } from 'vitest';
import '../../src/core/audit/index.ts';
import { DUPLICATE_PAYMENT, SPLIT_CONTRACTS } from '../../src/demo/anomalies.ts';
import { getOperation } from '../../src/core/ops/registry.ts';
import { openDemoSession, records, suite } from './helpers.ts';

const demo = suite(() =>
  openDemoSession('loupe-audit-demo-', 'Démo', {
    versees: 'subventions/subventions-versees.csv',
    marches: 'marches/marches-publics.csv',
  }),
);

const rows = (table: string) => records(demo.engine, `SELECT * FROM "${table}"`);

/** The demo table whose name holds `part`, and `pick`, its first column whose name matches. */
function demoTable(part: string) {
  const t = demo.session.catalog.list().find((x) => x.name.includes(part))!;
  const cols = t.columns.map((c) => c.name);
  return { name: t.name, pick: (re: RegExp) => cols.find((c) => re.test(c))! };
}

describe('audit on the demo workspace', () => {
  it('duplicates finds the subsidy paid twice', async () => {
    const { name, pick } = demoTable('versees');
    const r = await demo.session.run(getOperation('duplicates')!, {
      table: name,
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
    const { name, pick } = demoTable('marches');
    const r = await demo.session.run(getOperation('thresholds')!, {
      table: name,
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
