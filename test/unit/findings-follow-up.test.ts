// The follow-up of audit recommendations gives known answers on a small hand-made table and on the demo.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../../src/core/ops/all.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { recommendationsFollowUp, type FollowUpDetail } from '../../src/core/findings/follow-up.ts';
import { nodeFileResolver } from '../../src/node/node-source.ts';
import { MemoryProjectStore } from '../../src/core/project/store.ts';
import { Session } from '../../src/core/project/session.ts';
import { generateAudit, recommendationsCsv, reportsCsv } from '../../src/demo/audit.ts';
import { isoDate } from '../../src/demo/calendar.ts';
import { openTempEngine, records, registerSession, suite } from './helpers.ts';

const t = suite(() => openTempEngine('loupe-follow-up-'));

const rows = (s: Session, table: string) => records(s.engine, `SELECT * FROM "${table}"`);

describe('recommendations follow-up', () => {
  it('computes rates by report, year and entity, the overdue ones and the histories of a small table', async () => {
    const r = (id: string, rep: string, due: string, date: string, status: string) => [
      id,
      rep,
      `Texte ${id}`,
      '1',
      'DFA',
      due,
      date,
      status,
    ];
    const s = await registerSession(t.engine, t.dir, 'Suivi', {
      reports: [
        ['R1', 'Régie A', '01/03/2022', 'Entité A', 'DFA', 'Audit'],
        ['R2', 'Crèche B', '10/05/2023', 'Entité B', 'DFPE', 'Audit'],
        ['R3', 'Régie A bis', '01/09/2023', 'Entité A', 'DFA', 'Contrôle'],
      ],
      recommendations: [
        r('R1-1', 'R1', '01/03/2023', '01/03/2022', 'Non mise en œuvre'),
        r('R1-1', 'R1', '01/03/2023', '01/09/2022', 'En cours'),
        r('R1-1', 'R1', '01/03/2023', '01/03/2023', 'Mise en œuvre'),
        r('R1-2', 'R1', '01/01/2023', '01/03/2022', 'Non mise en œuvre'),
        r('R1-2', 'R1', '01/01/2023', '01/09/2022', 'Abandonnée'),
        r('R1-3', 'R1', '01/03/2023', '01/03/2022', 'Non mise en œuvre'),
        r('R1-3', 'R1', '01/03/2023', '01/09/2022', 'En cours'),
        r('R2-1', 'R2', '10/05/2024', '10/05/2023', 'Non mise en œuvre'),
        r('R2-1', 'R2', '10/05/2024', '10/01/2024', 'Mise en œuvre'),
        r('R2-1', 'R2', '10/05/2024', '01/09/2024', 'En cours'), // after the reference date: ignored
        r('R2-2', 'R2', '01/01/2025', '10/05/2023', 'Non mise en œuvre'),
        r('R3-1', 'R3', '01/03/2024', '01/09/2023', 'Non mise en œuvre'),
        r('R3-1', 'R3', '01/03/2024', '01/03/2024', 'En cours'),
        r('R3-2', 'R3', '01/03/2025', '01/09/2024', 'Non mise en œuvre'), // not issued yet at the reference date
      ],
    });
    const res = await s.run(recommendationsFollowUp, { referenceDate: '2024-06-30' });
    const d = res.detail as FollowUpDetail;
    expect(d).toMatchObject({ recommendations: 6, implemented: 2, abandoned: 1, open: 3, overdue: 2, rate: 0.4, withoutReport: 0 });
    expect(res.summary).toContain('Suivi au 30/06/2024');
    expect(res.entry.params).toMatchObject({ referenceDate: '2024-06-30', reports: 'rapports' });
    expect(res.entry.inputs.map((i) => i.table)).toEqual(['rapports', 'recommandations']);

    const pick = (x: Record<string, unknown>) => [
      x.nb_recommandations,
      x.mises_en_oeuvre,
      x.abandonnees,
      x.ouvertes,
      x.en_retard,
      x.taux_mise_en_oeuvre,
    ];
    expect((await rows(s, d.tables.byReport)).map((x) => [x.rapport, x.annee, ...pick(x)])).toEqual([
      ['R1', 2022, 3, 1, 1, 1, 1, 0.5],
      ['R2', 2023, 2, 1, 0, 1, 0, 0.5],
      ['R3', 2023, 1, 0, 0, 1, 1, 0],
    ]);
    expect((await rows(s, d.tables.byYear)).map((x) => [x.annee, x.nb_rapports, ...pick(x)])).toEqual([
      [2022, 1, 3, 1, 1, 1, 1, 0.5],
      [2023, 2, 3, 1, 0, 2, 1, 1 / 3],
    ]);
    expect((await rows(s, d.tables.byEntity)).map((x) => [x.entite, ...pick(x)])).toEqual([
      ['Entité A', 4, 1, 1, 2, 2, 1 / 3],
      ['Entité B', 2, 1, 0, 1, 0, 0.5],
    ]);
    expect((await rows(s, d.tables.overdue)).map((x) => [x.recommandation, x.jours_de_retard, x.dernier_statut])).toEqual([
      ['R1-3', 487, 'En cours'],
      ['R3-1', 121, 'En cours'],
    ]);
    const hist = await rows(s, d.tables.history);
    expect(hist.find((x) => x.recommandation === 'R1-1')).toMatchObject({
      nb_statuts: 3,
      parcours: '01/03/2022 Non mise en œuvre → 01/09/2022 En cours → 01/03/2023 Mise en œuvre',
    });
    expect(hist.find((x) => x.recommandation === 'R2-1')?.nb_statuts).toBe(2);
    expect(hist.some((x) => x.recommandation === 'R3-2')).toBe(false);
  }, 60_000);

  it('matches an independent count on the demo files', async () => {
    const audit = generateAudit();
    await writeFile(join(t.dir, 'demo-rapports.csv'), reportsCsv(audit.reports));
    await writeFile(join(t.dir, 'demo-recommandations.csv'), recommendationsCsv(audit.followUps));
    // A fresh engine: the first test's tables hold the default names.
    await t.engine.close();
    t.engine = await createNodeEngine();
    const s = await Session.create(t.engine, new MemoryProjectStore(), nodeFileResolver, 'Démo');
    await s.importPath(join(t.dir, 'demo-rapports.csv'), { table: 'rapports' });
    await s.importPath(join(t.dir, 'demo-recommandations.csv'), { table: 'recommandations' });
    const ref = '2023-12-31';
    const res = await s.run(recommendationsFollowUp, { referenceDate: ref });
    const d = res.detail as FollowUpDetail;

    // The same answer computed in plain TypeScript from the generator's own records.
    const last = new Map<string, (typeof audit.followUps)[number]>();
    for (const f of audit.followUps) {
      if (isoDate(f.date) > ref) continue;
      const prev = last.get(f.id);
      if (!prev || f.date > prev.date || (f.date === prev.date && f.status > prev.status)) last.set(f.id, f);
    }
    const all = [...last.values()];
    const impl = all.filter((f) => f.status === 'Mise en œuvre').length;
    const aband = all.filter((f) => f.status === 'Abandonnée').length;
    const late = all.filter((f) => f.status !== 'Mise en œuvre' && f.status !== 'Abandonnée' && isoDate(f.due) < ref).length;
    expect(d).toMatchObject({ recommendations: all.length, implemented: impl, abandoned: aband, overdue: late, withoutReport: 0 });
    expect(d.rate).toBeCloseTo(impl / (all.length - aband), 12);

    const byYear = new Map<number, { n: number; i: number; a: number }>();
    const reportYear = new Map(audit.reports.map((r) => [r.id, Number(isoDate(r.date).slice(0, 4))]));
    for (const f of all) {
      const y = reportYear.get(f.report)!;
      const e = byYear.get(y) ?? { n: 0, i: 0, a: 0 };
      e.n++;
      if (f.status === 'Mise en œuvre') e.i++;
      if (f.status === 'Abandonnée') e.a++;
      byYear.set(y, e);
    }
    const got = await rows(s, d.tables.byYear);
    expect(got.map((x) => x.annee)).toEqual([...byYear.keys()].sort());
    for (const x of got) {
      const e = byYear.get(x.annee as number)!;
      expect([x.nb_recommandations, x.mises_en_oeuvre, x.abandonnees]).toEqual([e.n, e.i, e.a]);
    }
    expect((await rows(s, d.tables.overdue)).length).toBe(late);
  }, 60_000);
});
