// A finding goes draft → in review → final → reopened; every step is journaled and the chain holds.
import { describe, expect, it } from 'vitest';
import '../../src/core/ops/all.ts';
import {
  attachEvidence,
  chartEvidence,
  commentFinding,
  createFinding,
  detachEvidence,
  evidenceFromResult,
  evidenceIntact,
  readFindingsFile,
  reopenFinding,
  signOff,
  sourceEvidence,
  submitForReview,
  updateFinding,
} from '../../src/core/findings/index.ts';
import { nodeFileResolver } from '../../src/node/node-source.ts';
import { getOperation } from '../../src/core/ops/registry.ts';
import { Session } from '../../src/core/project/session.ts';
import { replayJournal } from '../../src/core/project/replay.ts';
import { chainResolvers } from '../../src/core/ingest/source.ts';
import { openDiskSession, suite, withFreshEngine } from './helpers.ts';

const fx = suite(
  () =>
    openDiskSession('loupe-findings-', 'Contrôle', {
      'paiements.csv':
        'Bénéficiaire;Montant payé;Date de paiement\n' +
        'Association Les Semeurs;12000,50;15/03/2023\n' +
        'Association Les Semeurs;12000,50;15/03/2023\n' +
        'Régie Piscine Keller;800;02/04/2023\n' +
        'SARL Bâtir;45000;10/05/2023\n',
    }),
  60_000,
);

const alice = { by: 'Alice Martin' };
const bob = { by: 'Bruno Roux' };

/** The imported payments table and the duplicates found in it: the subsidy paid twice. */
async function paidTwice(s: Session) {
  const t = s.catalog.list().find((x) => x.kind === 'table')!;
  const dup = await s.run(getOperation('duplicates')!, {
    table: t.name,
    columns: ['beneficiaire', 'montant_paye'],
    amount: 'montant_paye',
  });
  return { t, dup };
}

describe('findings lifecycle', () => {
  it('freezes an audit result as evidence: rows, labels, SQL, journal entry, digest, source hash', async () => {
    const s = fx.session;
    const { t, dup } = await paidTwice(s);
    const ev = await evidenceFromResult(s, dup, { title: 'Paiement en double', by: alice.by });
    expect(ev.kind).toBe('snapshot');
    expect(ev.journal).toMatchObject({ seq: dup.entry.seq, hash: dup.entry.hash, op: 'duplicates' });
    expect(ev.digest).toEqual({ rows: dup.digest!.rows, digest: dup.digest!.digest });
    expect(ev.sql).toEqual(dup.sql);
    expect(ev.totalRows).toBe(dup.digest!.rows);
    expect(ev.rows.length).toBeGreaterThan(0);
    expect(ev.columns.find((c) => c.name === 'beneficiaire')?.label).toBe('Bénéficiaire');
    expect(ev.sources).toEqual([expect.objectContaining({ fileName: 'paiements.csv', sha256: t.source!.sha256 })]);
    expect(await evidenceIntact(ev)).toBe(true);
  });

  it('caps a snapshot at maxRows and says it is truncated; a bare query is journaled first', async () => {
    const s = fx.session;
    const before = s.journal.all().length;
    const ev = await evidenceFromResult(s, { sql: 'SELECT * FROM paiements ORDER BY montant_paye' }, { maxRows: 2 });
    expect(s.journal.all().length).toBe(before + 1);
    expect(ev.journal?.op).toBe('sql');
    expect(ev.rows).toHaveLength(2);
    expect(ev.totalRows).toBe(4);
    expect(ev.truncated).toBe(true);
    expect(ev.sources[0]?.fileName).toBe('paiements.csv');
  });

  it('runs create → update → evidence → review → comment → sign-off → reopen, each journaled', async () => {
    const s = fx.session;
    const { t, dup } = await paidTwice(s);
    const snap = await evidenceFromResult(s, dup, { by: alice.by });
    const start = s.journal.all().length;

    let f = await createFinding(s, { title: 'Subvention versée deux fois', severity: 'élevée', tags: ['subventions'] }, alice);
    expect(f).toMatchObject({ id: 'C-0001', status: 'draft', owner: 'Alice Martin' });
    f = await updateFinding(
      s,
      f.id,
      {
        criteria: 'Une subvention votée est versée une fois.',
        condition: 'Deux versements identiques le 15/03/2023.',
        cause: 'Absence de contrôle de doublon avant mandatement.',
        effect: { text: 'Versement indu.', amount: 12000.5 },
        recommendation: 'Recouvrer le trop-versé.',
      },
      alice,
    );
    f = await updateFinding(s, f.id, { severity: 'critique' }, alice);
    expect(f).toMatchObject({
      severity: 'critique',
      criteria: 'Une subvention votée est versée une fois.',
      effect: { amount: 12000.5 },
      tags: ['subventions'],
    });
    f = await attachEvidence(s, f.id, snap, alice);
    const chart = await chartEvidence(s, {
      title: 'Montants',
      spec: { mark: 'bar' },
      svg: '<svg><script>alert(1)</script><rect width="2" height="3" onclick="x()"/></svg>',
    });
    // Sanitised when frozen: the shape kept, the script and the handler gone (the exact markup is the sanitiser's).
    expect(chart.svg).toMatch(/^<svg[^>]*><rect width="2" height="3"\s*(\/>|><\/rect>)<\/svg>$/);
    f = await attachEvidence(s, f.id, chart, alice);
    f = await attachEvidence(s, f.id, await sourceEvidence(s, t.name), alice);
    f = await detachEvidence(s, f.id, chart.id, alice);
    f = await submitForReview(s, f.id, alice);
    expect(f.status).toBe('in-review');
    f = await commentFinding(s, f.id, { ...bob, text: 'Joindre le second mandat.' });
    await expect(signOff(s, f.id, alice)).rejects.toThrow(/un autre relecteur/);
    f = await signOff(s, f.id, bob);
    expect(f).toMatchObject({ status: 'final', signedOff: { by: 'Bruno Roux' } });

    const ops = s.journal
      .all()
      .slice(start)
      .map((e) => e.op);
    expect(ops).toEqual([
      'finding-create',
      'finding-update',
      'finding-update',
      'finding-evidence',
      'finding-evidence',
      'finding-evidence',
      'finding-evidence',
      'finding-update',
      'finding-comment',
      'finding-sign-off',
    ]);
    for (const e of s.journal.all().slice(start)) expect((e.params as { findingId: string }).findingId).toBe('C-0001');
    const attach = s.journal.all()[start + 3]!;
    expect(attach.inputs).toEqual([expect.objectContaining({ sha256: t.source!.sha256 })]);
    expect(f.history.map((h) => h.action)).toEqual([
      'create',
      'update',
      'update',
      'attach',
      'attach',
      'attach',
      'detach',
      'submit',
      'comment',
      'sign-off',
    ]);
    expect(f.history.map((h) => h.journal.seq)).toEqual(
      s.journal
        .all()
        .slice(start)
        .map((e) => e.seq),
    );
    expect(f.comments).toEqual([expect.objectContaining({ by: 'Bruno Roux', text: 'Joindre le second mandat.' })]);

    // Final: evidence and content are frozen.
    await expect(attachEvidence(s, f.id, await sourceEvidence(s, t.name), alice)).rejects.toThrow(/définitive.*rouvrir/);
    await expect(detachEvidence(s, f.id, snap.id, alice)).rejects.toThrow(/définitive/);
    await expect(updateFinding(s, f.id, { title: 'autre' }, alice)).rejects.toThrow(/définitive/);
    expect((await s.findings()).get(f.id).evidence).toHaveLength(2);

    await expect(reopenFinding(s, f.id, { ...alice, reason: ' ' })).rejects.toThrow(/motif/);
    f = await reopenFinding(s, f.id, { ...alice, reason: 'Nouveau mandat découvert' });
    expect(f).toMatchObject({ status: 'draft', signedOff: null });
    expect(s.journal.all().at(-1)).toMatchObject({
      op: 'finding-reopen',
      params: expect.objectContaining({ reason: 'Nouveau mandat découvert', by: 'Alice Martin' }),
    });
    f = await detachEvidence(s, f.id, snap.id, alice);
    expect(f.evidence).toHaveLength(1);
  });

  it('refuses evidence altered after it was frozen', async () => {
    const s = fx.session;
    const ev = await evidenceFromResult(s, { sql: 'SELECT 1 AS n' });
    const forged = { ...ev, rows: [[2]] };
    const f = await createFinding(s, { title: 'Essai' }, alice);
    await expect(attachEvidence(s, f.id, forged, alice)).rejects.toThrow(/empreinte/);
  });

  it('keeps findings across a reopen of the project, and the journal chain verifies and replays', async () => {
    const s = fx.session;
    const saved = await readFindingsFile(s.store);
    expect(saved.findings.map((f) => f.id)).toEqual(['C-0001', 'C-0002']);
    expect(saved.findings[0]!.evidence).toHaveLength(1);
    const v = await s.journal.verify();
    expect(v.ok).toBe(true);
    expect(v.count).toBe(s.journal.all().length);

    await withFreshEngine(async (engine2) => {
      const { session } = await Session.open(engine2, s.store, nodeFileResolver);
      expect((await session.findings()).get('C-0001').history.at(-1)?.action).toBe('detach');
    });
    await withFreshEngine(async (engine3) => {
      const report = await replayJournal(s.journal.all(), engine3, chainResolvers(s.store.files(), nodeFileResolver));
      expect(report.differences).toEqual([]);
    });
  }, 60_000);
});
