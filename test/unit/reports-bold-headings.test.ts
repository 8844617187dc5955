// Headings told by weight: a report that marks « Recommandations » and « Conclusion » in bold at body
// size, on the text's own line spacing, must have them as headings — so the numbered list under the
// first is extracted and the numbered point under the second is not. Known answers from a PDF written
// by code (pdf-lib, Helvetica and Helvetica-Bold).
import { beforeAll, describe, expect, it } from 'vitest';
import { extractPdf } from '../../src/core/ingest/pdf.ts';
import { setPdfjsLoader } from '../../src/core/ingest/pdfjs-loader.ts';
import { findRecommendations } from '../../src/core/reports/index.ts';
import { loadNodePdfjs } from '../../src/node/pdfjs.ts';
import { boldHeadingsReport, REPORT_A, REPORT_BOLD, reportA } from '../fixtures/pdf-reports.ts';

beforeAll(() => {
  setPdfjsLoader(loadNodePdfjs);
});

describe('headings in bold at body size', () => {
  it('are blocks of their own, with a heading level, the body lines around them not', async () => {
    const x = await extractPdf(await boldHeadingsReport());
    expect(x.status).toBe('ok');
    expect(x.pages[1]!.blocks.map((b) => ({ text: b.text, heading: b.heading }))).toEqual(REPORT_BOLD.blocks);
  });

  it('open the recommendations list and close it: the list under « Recommandations » is found, the point under « Conclusion » is not', async () => {
    const x = await extractPdf(await boldHeadingsReport());
    const blocks = x.pages.flatMap((p) =>
      p.blocks.map((b) => ({ bloc_id: p.page * 100 + b.n, page: p.page, texte: b.text, niveau_titre: b.heading })),
    );
    expect(findRecommendations(blocks).map((r) => ({ n: r.numero, page: r.page, text: r.recommandation, forme: r.forme }))).toEqual(
      REPORT_BOLD.recommendations.map((r) => ({ ...r, forme: 'liste' })),
    );
  });

  it('leave the size-based levels as they were (bold headings in larger type keep their level)', async () => {
    const x = await extractPdf(await reportA());
    expect(x.pages[0]!.blocks[0]!.heading).toBe(1);
    expect(x.pages[1]!.blocks.map((b) => b.heading)).toEqual([2, 0, 0]);
    expect(x.pages[REPORT_A.recommendations[0]!.page - 1]!.blocks.map((b) => b.heading)).toEqual([2, 0, 0, 0]);
  });
});
