// The demo workspace plants anomalies (src/demo/anomalies.ts): the budget checks must find them, and
// for the budget, find nothing else of the same kind.
import { describe, expect, it } from 'vitest';
import { budgetReconcile } from '../../src/core/budget/reconcile.ts';
import { participatoryBudget } from '../../src/core/budget/participatory.ts';
import { subsidiesReconcile } from '../../src/core/budget/subsidies.ts';
import {
  CREDIT_OVERRUN,
  DUPLICATE_PAYMENT,
  INVALID_SIRET,
  LATE_DELIVERY,
  ORDER_IMBALANCE,
  PAYMENT_WITHOUT_VOTE,
} from '../../src/demo/anomalies.ts';
import { openDemoSession, suite } from './helpers.ts';

const demo = suite(() =>
  openDemoSession('loupe-budget-demo-', 'démo', {
    vote: 'budget/budget-vote.csv',
    ca: 'budget/compte-administratif.csv',
    votees: 'subventions/subventions-votees.csv',
    versees: 'subventions/subventions-versees.csv',
    projets: 'budget-participatif/projets.json',
  }),
);

async function rows(sql: string) {
  return (await demo.engine.query(sql)).rows;
}

describe('budget checks on the demo workspace', () => {
  it('budget-reconcile finds the one chapter executed above its credits and the one order imbalance', async () => {
    const res = await demo.session.run(budgetReconcile, { voted: { table: demo.tables.vote }, executed: { table: demo.tables.ca } });
    expect(res.detail?.proposed).toEqual({ voted: true, executed: true });
    const overruns = await rows(
      `SELECT annee, section, chapitre, CAST(ecart AS DOUBLE) FROM "${res.table}" WHERE flag = 'depassement_chapitre'`,
    );
    expect(overruns).toEqual([[CREDIT_OVERRUN.year, 'F', CREDIT_OVERRUN.chapter, CREDIT_OVERRUN.excess]]);
    const orders = await rows(
      `SELECT source, annee, chapitre, CAST(ecart AS DOUBLE) FROM "${res.table}" WHERE flag = 'ordre_desequilibre'`,
    );
    expect(orders).toEqual([['realise', ORDER_IMBALANCE.year, '042 ↔ 040', ORDER_IMBALANCE.gap]]);
    // The demo votes every section in balance at every stage.
    expect(res.detail?.flags.section_desequilibree).toBe(0);
    expect(res.summary).toContain('chapitre 011 en 2022');
  });

  it('subsidies-reconcile finds the payment without a vote, the double payment and the invalid SIRET', async () => {
    const res = await demo.session.run(subsidiesReconcile, { voted: demo.tables.votees, paid: demo.tables.versees });
    const flagged = async (flag: string) => (await rows(`SELECT siret FROM "${res.table}" WHERE flag = '${flag}'`)).map((r) => r[0]);
    expect(await flagged('verse_sans_vote')).toContain(PAYMENT_WITHOUT_VOTE.siret);
    expect(await flagged('verse_superieur_vote')).toContain(DUPLICATE_PAYMENT.siret);
    expect(await flagged('siret_invalide')).toEqual([INVALID_SIRET.siret]);
    const dup = await rows(
      `SELECT CAST(montant_verse - montant_vote AS DOUBLE) FROM "${res.table}" WHERE flag = 'verse_superieur_vote' AND siret = '${DUPLICATE_PAYMENT.siret}'`,
    );
    expect(dup).toEqual([[DUPLICATE_PAYMENT.amount]]);
    expect(res.detail?.concentration.top10).toBeGreaterThan(0);
    // The demo plants one payment without a vote and no blank name, tie or year gap (the e2e counts on it).
    expect(res.detail?.flags).toMatchObject({ verse_sans_vote: 1, rapprochement_ambigu: 0, sans_nom: 0 });
    expect(res.detail?.warnings).toEqual([]);
    const strict = await demo.session.run(subsidiesReconcile, {
      voted: demo.tables.votees,
      paid: demo.tables.versees,
      minSimilarity: 0.95,
      votedColumns: { direction: '' },
    });
    expect(strict.detail?.flags).toMatchObject({ verse_sans_vote: 1, plusieurs_directions: 0 });
  });

  it('participatory-budget finds the one project delivered more than two years late', async () => {
    const res = await demo.session.run(participatoryBudget, { table: demo.tables.projets });
    const late = await rows(`SELECT numero, edition, arrondissement FROM "${res.table}" WHERE flag = 'livraison_tardive'`);
    expect(late).toEqual([[LATE_DELIVERY.id, LATE_DELIVERY.edition, LATE_DELIVERY.arrondissement]]);
    // Every status of the demo is understood, and each stage of the pipeline has projects.
    expect(res.detail?.unknownStatuses).toEqual([]);
    expect(res.detail?.population.used).toBe(res.detail?.population.read);
    for (const s of res.detail?.stages ?? []) if (s.stage !== 'en_cours') expect(s.projects, s.stage).toBeGreaterThan(0);
  });
});
