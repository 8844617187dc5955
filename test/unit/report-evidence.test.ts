// A finding citing a passage of a published report (#18): the quote is frozen verbatim with the report's
// SHA-256 and page, the HTML report prints it with the standard reference, and a quote changed by hand
// in findings.json — even resealed — is caught against the library's text.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/core/ops/all.ts';
import type { Engine } from '../../src/core/engine/engine.ts';
import {
  attachEvidence,
  checkFindings,
  checkPassages,
  createFinding,
  createInvestigation,
  evidenceIntact,
  fileFinding,
  gatherInInvestigation,
  summarizeInvestigation,
  passageCitation,
  passageEvidence,
  passageReference,
  readFindingsFile,
  sealEvidence,
  type PassageEvidence,
} from '../../src/core/findings/index.ts';
import type { Session } from '../../src/core/project/session.ts';
import { escapeHtml } from '../../src/core/report/format.ts';
import { renderReport } from '../../src/core/report/report.ts';
import { importReports, searchReports, type SearchDetail } from '../../src/core/reports/index.ts';
import { REPORT_A, reportsCorpus } from '../fixtures/pdf-reports.ts';
import { closeDiskSession, openDiskSession } from './helpers.ts';

let dir: string;
let engine: Engine;
let s: Session;
const shaOf: Record<string, string> = {};

beforeAll(async () => {
  ({ dir, engine, session: s } = await openDiskSession('loupe-passage-', 'Rapports'));
  await mkdir(join(dir, 'rapports'));
  for (const f of await reportsCorpus()) {
    await writeFile(join(dir, 'rapports', f.name), f.bytes);
    shaOf[f.name] = createHash('sha256').update(f.bytes).digest('hex');
  }
  await s.run(importReports, { path: join(dir, 'rapports') });
}, 120_000);
afterAll(() => closeDiskSession({ dir, engine }));

async function searchHit(query: string) {
  const res = await s.run(searchReports, { query, limit: 20 });
  const detail = res.detail as SearchDetail;
  return { res, hits: detail.hits };
}

describe('report passage as evidence', () => {
  it('freezes the quote verbatim with the report, page and the search that found it', async () => {
    const { res, hits } = await searchHit('pluriannuelles');
    const hit = hits.find((h) => h.fichier === REPORT_A.file);
    expect(hit, 'the recommendation on conventions is found in report A').toBeDefined();
    const quote = REPORT_A.recommendations[0]!.text;
    const ev = await passageEvidence(s, { blocId: hit!.bloc_id, quote, entry: res.entry, query: 'pluriannuelles', by: 'Alice Martin' });
    expect(ev.kind).toBe('passage');
    expect(ev.page).toBe(REPORT_A.recommendations[0]!.page);
    expect(ev.report.sha256).toBe(shaOf[REPORT_A.file]);
    expect(ev.report.fileName).toBe(REPORT_A.file);
    expect(ev.quote).toBe(quote);
    expect(ev.journal).toEqual({ seq: res.entry.seq, op: 'search-reports', hash: res.entry.hash, at: res.entry.at });
    expect(await evidenceIntact(ev)).toBe(true);
    const ref = passageReference(ev);
    expect(ref.startsWith('Inspection générale, ')).toBe(true);
    expect(ref).toContain(`p. ${ev.page}`);
    expect(ref).toContain(`SHA-256 ${shaOf[REPORT_A.file]}`);
    if (ev.report.number) expect(ref).toContain(`rapport n° ${ev.report.number}`);
    expect(passageCitation(ev).startsWith(`« ${quote} »\n`)).toBe(true);
  });

  it('refuses a quote the page does not contain', async () => {
    const { hits } = await searchHit('pluriannuelles');
    await expect(passageEvidence(s, { blocId: hits[0]!.bloc_id, quote: 'Supprimer toutes les subventions.' })).rejects.toThrow(
      /n’est pas dans le texte de la page/,
    );
    await expect(passageEvidence(s, { blocId: 987_654 })).rejects.toThrow(/introuvable/);
  });

  it('prints the quote and its reference in the HTML report, and the register checks clean', async () => {
    const { res, hits } = await searchHit('"comptes rendus financiers"');
    const hit = hits.find((h) => h.fichier === REPORT_A.file)!;
    expect(hit).toBeDefined();
    const quote = REPORT_A.recommendations[1]!.text;
    const ev = await passageEvidence(s, { blocId: hit.bloc_id, quote, entry: res.entry, query: '"comptes rendus financiers"' });
    const f = await createFinding(s, { title: 'Contrôle des comptes rendus' }, { by: 'Alice Martin' });
    await attachEvidence(s, f.id, ev, { by: 'Alice Martin' });
    const file = await readFindingsFile(s.store);
    expect((await checkFindings(file, s.journal.all(), [], engine)).problems).toEqual([]);
    const html = await renderReport(s, { findingIds: [f.id] });
    expect(html).toContain(`<blockquote class="citation-rapport"><p>${escapeHtml(quote)}</p></blockquote>`);
    expect(html).toContain(`p. ${REPORT_A.recommendations[1]!.page}`);
    expect(html).toContain(shaOf[REPORT_A.file]!);
    expect(html).not.toContain('ALTÉRÉ</strong> — cette constatation');
  });

  it('flags a quote edited in findings.json, even when the edit is resealed', async () => {
    const { res, hits } = await searchHit('format ouvert');
    const hit = hits.find((h) => h.fichier === REPORT_A.file)!;
    const ev = await passageEvidence(s, { blocId: hit.bloc_id, quote: REPORT_A.recommendations[2]!.text, entry: res.entry });
    const f = await createFinding(s, { title: 'Publication des subventions' }, { by: 'Alice Martin' });
    await attachEvidence(s, f.id, ev, { by: 'Alice Martin' });
    const file = await readFindingsFile(s.store);
    expect(await checkPassages(engine, file)).toEqual([]);

    const forged = structuredClone(file);
    const target = forged.findings.find((x) => x.id === f.id)!;
    const i = target.evidence.findIndex((e) => e.id === ev.id);
    const { sha256: _s, ...rest } = target.evidence[i] as PassageEvidence;
    target.evidence[i] = await sealEvidence<PassageEvidence>({ ...rest, quote: 'Ne plus publier la liste des subventions versées.' });
    const quoteProblems = await checkPassages(engine, forged);
    expect(quoteProblems.map((p) => [p.code, p.findingId, p.evidenceId])).toEqual([['evidence-quote-mismatch', f.id, ev.id]]);
    const check = await checkFindings(forged, s.journal.all(), [], engine);
    expect(check.altered.has(f.id)).toBe(true);
    expect(check.problems.some((p) => p.code === 'evidence-quote-mismatch')).toBe(true);

    // The right words at another page are a wrong citation too.
    const moved = structuredClone(file);
    const t2 = moved.findings.find((x) => x.id === f.id)!;
    const { sha256: _s2, ...rest2 } = t2.evidence[i] as PassageEvidence;
    t2.evidence[i] = await sealEvidence<PassageEvidence>({ ...rest2, page: rest2.page + 1 });
    expect((await checkPassages(engine, moved)).map((p) => p.code)).toEqual(['evidence-quote-mismatch']);
  });
});

describe('an investigation gathering reports and passages', () => {
  it('says what was found where: passages kept on the topic and quoted by its findings, per report and page', async () => {
    const before = await readFindingsFile(s.store);
    const inv = await createInvestigation(s, { name: 'Subventions culturelles' }, { by: 'Alice Martin' });
    const { res, hits } = await searchHit('pluriannuelles');
    const hit = hits.find((h) => h.fichier === REPORT_A.file)!;
    const ev = await passageEvidence(s, { blocId: hit.bloc_id, quote: REPORT_A.recommendations[0]!.text, entry: res.entry });
    const f = await createFinding(s, { title: 'Conventions absentes' }, { by: 'Alice Martin' });
    await attachEvidence(s, f.id, ev, { by: 'Alice Martin' });
    await fileFinding(s, f.id, inv.id, { by: 'Alice Martin' });
    const other = (await searchHit('crèche')).hits.find((h) => h.fichier !== REPORT_A.file)!;
    expect(other).toBeDefined();
    const kept = { sha256: other.sha256, fileName: other.fichier, page: other.page, blocId: other.bloc_id, quote: other.texte };
    await gatherInInvestigation(
      s,
      inv.id,
      { reports: [{ sha256: other.sha256, fileName: other.fichier, title: other.titre }], passages: [kept] },
      { by: 'Alice Martin' },
    );
    // The same passage twice is kept once.
    await gatherInInvestigation(s, inv.id, { passages: [kept] }, { by: 'Alice Martin' });
    const sum = await summarizeInvestigation(s, inv.id);
    const a = sum.reports.find((r) => r.sha256 === shaOf[REPORT_A.file]);
    expect(a).toMatchObject({ quoted: 1, kept: 0, findings: [f.id], pages: [REPORT_A.recommendations[0]!.page] });
    const b = sum.reports.find((r) => r.sha256 === other.sha256);
    expect(b).toMatchObject({ quoted: 0, kept: 1, findings: [], pages: [other.page] });
    // Journaled: the register still checks clean, and the investigations saved before keep their hash.
    const file = await readFindingsFile(s.store);
    expect((await checkFindings(file, s.journal.all(), [], engine)).problems).toEqual([]);
    expect(before.investigations.every((x) => x.reports === undefined)).toBe(true);
  });
});
