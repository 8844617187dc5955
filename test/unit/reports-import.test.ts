// Importing PDF reports: every page's text with its page number, headings by font size, a two-column
// page read column by column, and the scanned, encrypted and truncated files reported as such while
// the others load — on the real engine, from PDFs written by code with known text.
import { describe, expect, it } from 'vitest';
import '../../src/core/ops/all.ts';
import { extractPdf } from '../../src/core/ingest/pdf.ts';
import { bytesSourceFile, MemoryFileResolver } from '../../src/core/ingest/source.ts';
import { MemoryProjectStore } from '../../src/core/project/store.ts';
import { Session } from '../../src/core/project/session.ts';
import { BLOCKS_TABLE, importReports, REPORTS_TABLE, TERMS_TABLE } from '../../src/core/reports/index.ts';
import { sha256Hex } from '../../src/core/util/hash.ts';
import { encryptedReport, REPORT_A, REPORT_B, REPORT_C, reportA, reportsCorpus, truncatedReport } from '../fixtures/pdf-reports.ts';
import { openMemorySession, records, suite } from './helpers.ts';

let corpus: { name: string; bytes: Uint8Array }[];
const lib = suite(async () => {
  corpus = await reportsCorpus();
  return openMemorySession('Rapports', corpus);
});

const rows = (sql: string) => records(lib.engine, sql);
const flat = (s: unknown) => String(s).replace(/\s+/g, ' ').trim();

describe('extractPdf (pdf.js, no eval)', () => {
  it('reads each page with its text, headings by size, and the two-column page column by column', async () => {
    const x = await extractPdf(await reportA());
    expect(x.status).toBe('ok');
    expect(x.pageCount).toBe(REPORT_A.pages);
    expect(x.title).toBe(REPORT_A.title);
    const p1 = x.pages[0]!;
    expect(p1.blocks[0]!.heading).toBe(1);
    expect(flat(p1.blocks[0]!.text)).toBe(REPORT_A.title);
    expect(x.pages[1]!.blocks[0]).toMatchObject({ text: '1. Contexte du contrôle', heading: 2 });
    expect(x.pages[1]!.blocks.slice(1).every((b) => b.heading === 0)).toBe(true);
    const cols = x.pages[REPORT_A.columnsPage - 1]!.blocks;
    expect(cols[0]!.text).toBe('2. Observations');
    // Reading order: the heading over both columns, then the whole left column, then the right one.
    expect(cols.slice(1).map((b) => flat(b.text))).toEqual([...REPORT_A.leftColumn, ...REPORT_A.rightColumn]);
    expect(cols.slice(1).map((b) => b.column)).toEqual([1, 1, 2, 2]);
    const scanned = x.pages[REPORT_A.scannedPage - 1]!;
    expect(scanned).toMatchObject({ hasText: false, blocks: [] });
    expect(x.message).toContain(`sans texte (numérisée(s) ?) : ${REPORT_A.scannedPage}`);
  });

  it('says a password-protected file and a truncated one are unreadable, in French, without throwing', async () => {
    const enc = await extractPdf(await encryptedReport());
    expect(enc.status).toBe('chiffré');
    expect(enc.message).toMatch(/mot de passe/);
    const cut = await extractPdf(await truncatedReport());
    expect(cut.status).toBe('illisible');
    expect(cut.message).toMatch(/illisible ou tronqué : structure invalide, fichier incomplet/);
    const notPdf = await extractPdf(new TextEncoder().encode('a;b\n1;2\n'));
    expect(notPdf).toMatchObject({ status: 'illisible', message: expect.stringContaining('pas un PDF') });
  });
});

describe('import-reports', () => {
  it('imports a folder: one row per file with its state, blocks with pages, the index; journaled with every SHA-256', async () => {
    const res = await lib.session.run(importReports, { path: 'rapports' });
    expect(res.tables).toEqual([REPORTS_TABLE, BLOCKS_TABLE, TERMS_TABLE]);
    const reports = await rows(`SELECT fichier, sha256, etat, pages, pages_avec_texte, numero_rapport, identifiant_du_rapport, titre,
      CAST(date_du_rapport AS VARCHAR) AS date, annee, entite_auditee, message FROM ${REPORTS_TABLE} ORDER BY fichier`);
    expect(reports.map((r) => [r.fichier, r.etat])).toEqual([
      ['rapport-chiffre.pdf', 'chiffré'],
      [REPORT_B.file, 'ok'],
      [REPORT_C.file, 'ok'],
      ['rapport-numerise.pdf', 'sans texte'],
      [REPORT_A.file, 'ok'],
      ['rapport-tronque.pdf', 'illisible'],
    ]);
    for (const [spec, r] of [
      [REPORT_A, reports[4]],
      [REPORT_B, reports[1]],
      [REPORT_C, reports[2]],
    ] as const) {
      expect(r).toMatchObject({
        pages: spec.pages,
        numero_rapport: spec.number,
        identifiant_du_rapport: spec.number,
        date: spec.date,
        annee: Number(spec.date.slice(0, 4)),
        entite_auditee: spec.service,
      });
    }
    expect(reports[4]).toMatchObject({ titre: REPORT_A.title, pages_avec_texte: REPORT_A.pages - 1 });
    // No metadata title: the first page's largest heading.
    expect(reports[2]!.titre).toBe(REPORT_C.title);
    expect(reports[3]!.message).toMatch(/OCR/);
    expect(reports[0]!.identifiant_du_rapport).toBe(`sha256:${String(reports[0]!.sha256).slice(0, 12)}`);
    // Every file's hash is journaled, the bad ones too (the same file can be checked again later).
    const shas = await Promise.all(corpus.map(async (f) => [`rapports/${f.name}`, await sha256Hex(f.bytes)]));
    expect(res.entry.inputs.map((i) => [i.source, i.sha256]).sort()).toEqual(shas.sort());
    expect(res.summary).toMatch(/3 rapport\(s\) importé\(s\).*1 sans texte.*1 protégé\(s\) par mot de passe.*1 illisible/);

    // The text is verbatim and keeps its page.
    const recBlocks = await rows(
      `SELECT page, bloc, texte FROM ${BLOCKS_TABLE} WHERE fichier = '${REPORT_A.file}' AND texte LIKE 'Recommandation n°%' ORDER BY page, bloc`,
    );
    expect(recBlocks.map((b) => [b.page, flat(b.texte)])).toEqual([
      ...REPORT_A.recommendations.map((r) => [r.page, `Recommandation n° ${r.n} : ${r.text}`]),
      [6, `Recommandation n° 1 : ${REPORT_A.responses[1].text}`],
      [6, `Recommandation n° 2 : ${REPORT_A.responses[2].text}`],
    ]);
    const pages = await rows(`SELECT DISTINCT page FROM ${BLOCKS_TABLE} WHERE fichier = '${REPORT_A.file}' ORDER BY page`);
    expect(pages.map((p) => p.page)).toEqual([1, 2, 3, 4, 6]);
    // Terms point at their words: each term's offsets cut the word it was made from out of the block.
    const t = await rows(
      `SELECT b.texte, t.debut, t.fin FROM ${TERMS_TABLE} t JOIN ${BLOCKS_TABLE} b USING (bloc_id) WHERE t.terme = 'pluriannuel'`,
    );
    expect(t).toHaveLength(1);
    expect(String(t[0]!.texte).slice(Number(t[0]!.debut), Number(t[0]!.fin))).toBe('pluriannuelles');
  });

  it('importing the same file again replaces its rows instead of doubling them', async () => {
    const before = await rows(`SELECT count(*)::INTEGER AS n, max(bloc_id) AS m FROM ${BLOCKS_TABLE}`);
    const files = new MemoryFileResolver();
    files.add(bytesSourceFile(corpus[0]!.bytes, corpus[0]!.name, `autre/${corpus[0]!.name}`));
    const s2 = await Session.create(lib.engine, new MemoryProjectStore(), files, 'Deux');
    // Same engine, same tables: the second session imports report A again.
    await s2.run(importReports, { path: `autre/${corpus[0]!.name}` });
    const after = await rows(`SELECT count(*)::INTEGER AS n, count(DISTINCT bloc_id)::INTEGER AS d FROM ${BLOCKS_TABLE}`);
    expect(after[0]!.n).toBe(before[0]!.n);
    expect(after[0]!.d).toBe(before[0]!.n);
    expect((await rows(`SELECT count(*)::INTEGER AS n FROM ${REPORTS_TABLE} WHERE fichier = '${REPORT_A.file}'`))[0]!.n).toBe(1);
  });
});
