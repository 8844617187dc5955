// The follow-up states its population: the recommendations and reports it read, those it counted, and
// those it left out with the reason — a report whose date was found nowhere (its extracted
// recommendations then have no status date) is said, not silently dropped. On the real engine, from
// PDFs written by code and from a hand-made table with one row per reason.
import { describe, expect, it } from 'vitest';
import '../../src/core/ops/all.ts';
import { recommendationsFollowUp, type FollowUpDetail } from '../../src/core/findings/follow-up.ts';
import { bytesSourceFile, MemoryFileResolver } from '../../src/core/ingest/source.ts';
import { MemoryProjectStore } from '../../src/core/project/store.ts';
import { Session } from '../../src/core/project/session.ts';
import { extractRecommendations, importReports, RECOMMENDATIONS_TABLE, REPORTS_TABLE } from '../../src/core/reports/index.ts';
import { REPORT_A, REPORT_B, REPORT_UNDATED, reportA, reportB, undatedReport } from '../fixtures/pdf-reports.ts';
import { openTempEngine, registerSession, suite } from './helpers.ts';

const t = suite(() => openTempEngine('loupe-follow-up-population-'));

describe('the follow-up says whom it counted', () => {
  it('on extracted recommendations: a report without a date is left out by name, with its reason', async () => {
    const files = new MemoryFileResolver();
    files.add(bytesSourceFile(await reportA(), REPORT_A.file, `rapports/${REPORT_A.file}`));
    files.add(bytesSourceFile(await reportB(), REPORT_B.file, `rapports/${REPORT_B.file}`));
    files.add(bytesSourceFile(await undatedReport(), REPORT_UNDATED.file, `rapports/${REPORT_UNDATED.file}`));
    const s = await Session.create(t.engine, new MemoryProjectStore(), files, 'Suivi des rapports');
    await s.run(importReports, { path: 'rapports' });
    const undated = await t.engine.query(
      `SELECT identifiant_du_rapport, date_du_rapport FROM ${REPORTS_TABLE} WHERE fichier = '${REPORT_UNDATED.file}'`,
    );
    expect(undated.rows).toEqual([[REPORT_UNDATED.number, null]]);
    await s.run(extractRecommendations, {});

    const res = await s.run(recommendationsFollowUp, {
      reports: REPORTS_TABLE,
      recommendations: RECOMMENDATIONS_TABLE,
      referenceDate: '2025-01-01',
    });
    const d = res.detail as FollowUpDetail;
    const counted = REPORT_A.recommendations.length + REPORT_B.recommendations.length;
    const left = REPORT_UNDATED.recommendations.map((r) => `${REPORT_UNDATED.number}-R${r.n}`);
    expect(d.recommendations).toBe(counted);
    expect(d.population).toEqual({
      read: counted + left.length,
      used: counted,
      usedLabel: 'suivies',
      setAside: [{ reason: 'sans date de statut (date du rapport inconnue ?)', rows: left.length, examples: left }],
    });
    expect(d.reportsPopulation).toMatchObject({
      read: 3,
      used: 2,
      setAside: [{ reason: 'sans date de rapport, aucune recommandation suivie', rows: 1, examples: [REPORT_UNDATED.number] }],
    });
    // Said first, before any rate.
    expect(res.summary).toMatch(/^7 recommandations lues, 5 suivies \(71,4\s%\) ; mis de côté : 2 sans date de statut/);
    expect(res.summary).toContain(`3 rapports lus, 2 avec des recommandations suivies`);
    expect(res.summary).toContain(`« ${REPORT_UNDATED.number} »`);
    const summary = res.summary ?? '';
    expect(summary.indexOf('mis de côté')).toBeLessThan(summary.indexOf('taux de mise en œuvre'));
  }, 120_000);

  it('on a hand-made register: one reason per recommendation left out, the rows without identifier too', async () => {
    const r = (id: string, rep: string, date: string, status: string) => [id, rep, `Texte ${id}`, '1', 'DFA', '01/01/2026', date, status];
    const s = await registerSession(t.engine, t.dir, 'Suivi', {
      reports: [
        ['R1', 'Régie A', '01/03/2022', 'Entité A', 'DFA', 'Audit'],
        ['R2', 'Crèche B', '', 'Entité B', 'DFPE', 'Audit'],
        ['R3', 'Voirie C', '01/06/2021', 'Entité C', 'DVD', 'Audit'],
      ],
      recommendations: [
        r('A-1', 'R1', '01/03/2022', 'En cours'),
        r('A-2', 'R1', 'bientôt', 'En cours'),
        r('A-3', 'R1', '', 'En cours'),
        r('A-4', 'R1', '01/01/2030', 'En cours'),
        r('A-5', 'R1', '01/03/2022', ''),
        r('', 'R1', '01/03/2022', 'En cours'),
        r('B-1', 'R2', '01/03/2023', 'Mise en œuvre'),
      ],
    });
    const res = await s.run(recommendationsFollowUp, { referenceDate: '2024-06-30', prefix: 'suivi_main' });
    const d = res.detail as FollowUpDetail;
    expect(d).toMatchObject({ recommendations: 2, implemented: 1, open: 1, rate: 0.5, reportsWithoutDate: 1 });
    expect(d.population.read).toBe(7);
    expect(d.population.used).toBe(2);
    expect(Object.fromEntries(d.population.setAside.map((a) => [a.reason, [a.rows, a.examples]]))).toEqual({
      'date de statut illisible': [1, ['bientôt']],
      'sans date de statut (date du rapport inconnue ?)': [1, ['A-3']],
      'statut(s) tous postérieurs à la date de référence': [1, ['A-4']],
      'statut vide': [1, ['A-5']],
      'ligne(s) sans identifiant de recommandation': [1, []],
    });
    expect(d.reportsPopulation).toMatchObject({
      read: 3,
      used: 2,
      setAside: [{ reason: 'sans recommandation', rows: 1, examples: ['R3'] }],
    });
    // R2 has no date but a dated status: counted, and the summary says its year is unknown.
    expect(res.summary).toContain('1 rapport(s) suivi(s) sans date (année inconnue)');
  }, 120_000);
});
