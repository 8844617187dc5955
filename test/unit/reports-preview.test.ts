// The page preview's two inputs: where a passage stands on its page (the block's box, computed at import
// from pdf.js's text transforms) and the report's PDF, read back from the project's own copy only, and
// refused when that copy is missing or is no longer the file imported (its SHA-256) — on the real engine,
// from PDFs written by code with text at known positions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import '../../src/core/ops/all.ts';
import type { Engine } from '../../src/core/engine/engine.ts';
import { extractPdf } from '../../src/core/ingest/pdf.ts';
import { bytesSourceFile, MemoryFileResolver } from '../../src/core/ingest/source.ts';
import { MemoryProjectStore } from '../../src/core/project/store.ts';
import { Session } from '../../src/core/project/session.ts';
import { BLOCKS_TABLE, importReports } from '../../src/core/reports/index.ts';
import { passageLocation, reportPdf } from '../../src/core/reports/preview.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { reportB } from '../fixtures/pdf-reports.ts';

const PLACED = [
  { text: 'Premier passage placé à une position connue.', x: 72, y: 700, size: 11 },
  { text: 'Second passage, plus bas et plus à droite.', x: 200, y: 300, size: 14 },
];

/** A page with each text drawn at its own place, and the box each must get (width from the font's metrics). */
async function placedPdf(): Promise<{ bytes: Uint8Array; boxes: { x0: number; y0: number; x1: number; y1: number }[] }> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([595, 842]);
  for (const p of PLACED) page.drawText(p.text, { x: p.x, y: p.y, size: p.size, font });
  const bytes = await doc.save({ useObjectStreams: false });
  // From the baseline to one font size above it: the box import stores (descenders aside).
  const boxes = PLACED.map((p) => ({ x0: p.x, y0: p.y, x1: p.x + font.widthOfTextAtSize(p.text, p.size), y1: p.y + p.size }));
  return { bytes, boxes };
}

let engine: Engine;

beforeAll(async () => {
  engine = await createNodeEngine();
}, 120_000);
afterAll(async () => {
  await engine?.close();
});

describe('the box of a block', () => {
  it('is where the text was drawn: x from the first glyph to the advance of the last, y from the baseline to one size above', async () => {
    const { bytes, boxes } = await placedPdf();
    const x = await extractPdf(bytes);
    const blocks = x.pages[0]!.blocks;
    expect(blocks.map((b) => b.text)).toEqual(PLACED.map((p) => p.text));
    for (const [i, b] of blocks.entries()) {
      const want = boxes[i]!;
      expect(b.x0).toBeCloseTo(want.x0, 1);
      expect(b.y0).toBeCloseTo(want.y0, 1);
      expect(b.x1).toBeCloseTo(want.x1, 0);
      expect(b.y1).toBeCloseTo(want.y1, 1);
    }
    expect(x.pages[0]).toMatchObject({ width: 595, height: 842 });
  });
});

describe('the preview source: the project copy, checked', () => {
  let store: MemoryProjectStore;
  let session: Session;
  let bytes: Uint8Array;

  beforeAll(async () => {
    bytes = (await placedPdf()).bytes;
    store = new MemoryProjectStore();
    // Kept in the project, as the app keeps every imported file (host.keepSource).
    await store.writeBytes('sources/place.pdf', bytes);
    const outside = new MemoryFileResolver();
    outside.add(bytesSourceFile(await reportB(), 'dehors.pdf', '/ailleurs/dehors.pdf'));
    session = await Session.create(engine, store, outside, 'Aperçu');
    await session.run(importReports, { path: 'sources/place.pdf' });
    await session.run(importReports, { path: '/ailleurs/dehors.pdf' });
  }, 120_000);

  const blocOf = async (text: string) =>
    Number((await engine.query(`SELECT bloc_id FROM ${BLOCKS_TABLE} WHERE texte = '${text.replace(/'/g, "''")}'`)).rows[0]![0]);

  it('locates a passage: its report, its page and the box stored at import', async () => {
    const { boxes } = await placedPdf();
    const loc = (await passageLocation(engine, await blocOf(PLACED[1]!.text)))!;
    expect(loc).toMatchObject({ chemin: 'sources/place.pdf', fichier: 'place.pdf', page: 1 });
    expect(loc.box!.x0).toBeCloseTo(boxes[1]!.x0, 1);
    expect(loc.box!.y1).toBeCloseTo(boxes[1]!.y1, 1);
    expect(await passageLocation(engine, 987654)).toBeNull();
  });

  it('gives the bytes of the project copy when its SHA-256 is the report’s', async () => {
    const loc = (await passageLocation(engine, await blocOf(PLACED[0]!.text)))!;
    const pdf = await reportPdf(store, loc);
    expect(pdf.ok).toBe(true);
    if (pdf.ok) expect(pdf.bytes).toEqual(bytes);
  });

  it('does not read a report kept outside the project: no copy, no preview', async () => {
    const r = await engine.query(`SELECT min(bloc_id) FROM ${BLOCKS_TABLE} WHERE fichier = 'dehors.pdf'`);
    const loc = (await passageLocation(engine, Number(r.rows[0]![0])))!;
    expect(loc.chemin).toBe('/ailleurs/dehors.pdf');
    const pdf = await reportPdf(store, loc);
    expect(pdf).toMatchObject({ ok: false, reason: 'missing' });
  });

  it('refuses a copy changed since import (tampered or replaced), then says a removed one is missing', async () => {
    const loc = (await passageLocation(engine, await blocOf(PLACED[0]!.text)))!;
    const tampered = bytes.slice();
    tampered[tampered.length - 10] = tampered.at(-10)! ^ 0x20;
    await store.writeBytes('sources/place.pdf', tampered);
    const changed = await reportPdf(store, loc);
    expect(changed).toMatchObject({ ok: false, reason: 'changed' });
    if (!changed.ok) expect(changed.detail).not.toBe(loc.sha256);
    await store.remove('sources/place.pdf');
    expect(await reportPdf(store, loc)).toMatchObject({ ok: false, reason: 'missing' });
    await store.writeBytes('sources/place.pdf', bytes);
  });

  it('reads a library from before boxes were stored: the passage is located, without a box', async () => {
    await engine.exec(`CREATE TABLE blocs_avant AS SELECT * FROM ${BLOCKS_TABLE}`);
    try {
      await engine.exec(`ALTER TABLE ${BLOCKS_TABLE} DROP COLUMN x0`);
      const loc = (await passageLocation(engine, await blocOf(PLACED[0]!.text)))!;
      expect(loc).toMatchObject({ page: 1, box: null, chemin: 'sources/place.pdf' });
    } finally {
      await engine.exec(`CREATE OR REPLACE TABLE ${BLOCKS_TABLE} AS SELECT * FROM blocs_avant`);
      await engine.exec(`DROP TABLE blocs_avant`);
    }
  });
});
