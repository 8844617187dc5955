// The reports library as a person uses it, in Chromium under the app's CSP: a folder of PDF reports
// (generated here, with known pages) imported through the import entry, a word searched, a passage
// opened, a finding created that quotes page N of a report, and the HTML report citing that report,
// that page and the file's SHA-256. pdf.js has to run in the built app without eval for any of it.
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractPdf } from '../../src/core/ingest/pdf.ts';
import { setPdfjsLoader } from '../../src/core/ingest/pdfjs-loader.ts';
import { loadNodePdfjs } from '../../src/node/pdfjs.ts';
import { REPORT_A, REPORT_B, REPORT_C, reportsCorpus } from '../fixtures/pdf-reports.ts';
import { appSession } from './session.ts';

const app = appSession();
const page = () => app.page;
const tab = (view: string) => page().locator(`[data-testid=view-tab][data-view=${view}]`);

let dir: string;
let folder: string;
const sha: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loupe-e2e-reports-'));
  folder = join(dir, 'rapports-ig');
  await mkdir(folder);
  for (const f of await reportsCorpus()) {
    await writeFile(join(folder, f.name), f.bytes);
    sha[f.name] = createHash('sha256').update(f.bytes).digest('hex');
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const reco = REPORT_A.recommendations[1]!;
const flat = (t: string) => t.replace(/\s+/g, ' ').trim();

describe('reports library, from a folder of PDF files to a finding citing a page', () => {
  it('imports the folder through the import entry: readable reports listed, the traps with their reason', async () => {
    await page().getByTestId('folder-input').setInputFiles(folder);
    await tab('reports').click();
    const rows = page().getByTestId('reports-row');
    await expect.poll(() => rows.count(), { timeout: 120_000 }).toBe(6);
    const statuses = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-status')).sort());
    expect(statuses).toEqual(['chiffré', 'illisible', 'ok', 'ok', 'ok', 'sans texte'].sort());
    const a = rows.filter({ hasText: REPORT_A.title });
    await expect.poll(() => a.count()).toBe(1);
    expect(await a.textContent()).toContain(String(REPORT_A.pages));
  });

  it('searches a word and shows ranked passages with the word marked and the page', async () => {
    await page().getByTestId('reports-search').fill('financiers');
    await page().getByTestId('reports-search-go').click();
    const hit = page().locator(`[data-testid=reports-hit][data-file="${REPORT_A.file}"][data-page="${reco.page}"]`).first();
    await hit.waitFor({ timeout: 60_000 });
    expect((await hit.locator('mark').allTextContents()).map((s) => s.toLowerCase())).toContain('financiers');
    expect(await page().getByTestId('reports-total').textContent()).toMatch(/passage/);
  });

  it('filters by year: from 2023 on, only the 2023 report answers; the filter cleared, the others come back', async () => {
    const files = async () =>
      [
        ...new Set(
          await page()
            .getByTestId('reports-hit')
            .evaluateAll((els) => els.map((e) => e.dataset.file)),
        ),
      ].sort();
    await page().getByTestId('reports-search').fill('direction');
    await page().getByTestId('reports-year-from').selectOption('2023');
    await page().getByTestId('reports-search-go').click();
    await expect.poll(files, { timeout: 60_000 }).toEqual([REPORT_A.file]);
    await page().getByTestId('reports-year-from').selectOption({ label: '—' });
    await page().getByTestId('reports-search-go').click();
    await expect.poll(files, { timeout: 60_000 }).toEqual([REPORT_A.file, REPORT_B.file, REPORT_C.file].sort());
    await page().getByTestId('reports-search').fill('financiers');
    await page().getByTestId('reports-search-go').click();
    await expect.poll(files, { timeout: 60_000 }).toContain(REPORT_A.file);
  });

  it('opens the passage and creates a finding that quotes it', async () => {
    const hit = page().locator(`[data-testid=reports-hit][data-file="${REPORT_A.file}"][data-page="${reco.page}"]`).first();
    await hit.getByTestId('reports-hit-open').click();
    const passage = page().getByTestId('reports-passage');
    await passage.waitFor();
    await page().getByTestId('reports-quote').fill(reco.text);
    await page().getByTestId('reports-cite').click();
    const citation = (await page().getByTestId('reports-citation').textContent()) ?? '';
    expect(citation).toContain(`« ${reco.text} »`);
    expect(citation).toContain(`p. ${reco.page}`);
    expect(citation).toContain(`SHA-256 ${sha[REPORT_A.file]}`);
    await page().getByTestId('reports-create-finding').click();
    await page().getByTestId('reports-done').waitFor({ timeout: 60_000 });
  });

  it('shows the passage on its page: drawn by pdf.js from the project copy, the passage framed where import placed it', async () => {
    const preview = page().getByTestId('reports-preview');
    await expect.poll(() => preview.getAttribute('data-state'), { timeout: 60_000 }).toBe('drawn');
    // The box import stored for this block, computed again here in Node from the same file.
    setPdfjsLoader(loadNodePdfjs);
    const text = flat((await page().getByTestId('reports-passage').locator('.texte').textContent()) ?? '');
    const bytes = (await reportsCorpus()).find((f) => f.name === REPORT_A.file)!.bytes;
    const pdfPage = (await extractPdf(bytes)).pages[reco.page - 1]!;
    const block = pdfPage.blocks.find((b) => flat(b.text) === text)!;
    expect(block, text).toBeTruthy();
    const drawn = await page().evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('[data-testid=reports-preview-canvas]')!;
      const m = document.querySelector<HTMLElement>('[data-testid=reports-preview-mark]')!;
      const cr = c.getBoundingClientRect();
      const mr = m.getBoundingClientRect();
      // Dark pixels (ink) on the whole canvas and inside the frame: the page is drawn, and the frame is on text.
      const ctx = c.getContext('2d')!;
      const ink = (x: number, y: number, w: number, h: number) => {
        const d = ctx.getImageData(Math.max(0, Math.floor(x)), Math.max(0, Math.floor(y)), Math.ceil(w), Math.ceil(h)).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i + 3]! > 0 && d[i]! + d[i + 1]! + d[i + 2]! < 384) n++;
        return n;
      };
      const sx = c.width / cr.width;
      const sy = c.height / cr.height;
      return {
        canvas: { left: cr.left, top: cr.top, width: cr.width, height: cr.height },
        mark: { left: mr.left - cr.left, top: mr.top - cr.top, width: mr.width, height: mr.height },
        inkAll: ink(0, 0, c.width, c.height),
        inkIn: ink((mr.left - cr.left) * sx, (mr.top - cr.top) * sy, mr.width * sx, mr.height * sy),
      };
    });
    expect(drawn.inkAll).toBeGreaterThan(500);
    expect(drawn.inkIn).toBeGreaterThan(100);
    // The stored box in CSS pixels (PDF origin bottom-left, page unrotated): the frame covers it, a few pixels around.
    const k = drawn.canvas.width / pdfPage.width;
    const want = { left: block.x0 * k, top: (pdfPage.height - block.y1) * k, right: block.x1 * k, bottom: (pdfPage.height - block.y0) * k };
    const got = {
      left: drawn.mark.left,
      top: drawn.mark.top,
      right: drawn.mark.left + drawn.mark.width,
      bottom: drawn.mark.top + drawn.mark.height,
    };
    expect(got.left).toBeLessThanOrEqual(want.left + 0.5);
    expect(got.top).toBeLessThanOrEqual(want.top + 0.5);
    expect(got.right).toBeGreaterThanOrEqual(want.right - 0.5);
    expect(got.bottom).toBeGreaterThanOrEqual(want.bottom - 0.5);
    expect(got.right - got.left).toBeLessThan(want.right - want.left + 12);
    expect(got.bottom - got.top).toBeLessThan(want.bottom - want.top + 12);
    expect(await page().getByTestId('reports-preview-nobox').count()).toBe(0);
  });

  it('exports the HTML report citing that report, its page and its SHA-256', async () => {
    await tab('findings').click();
    const ev = page().locator('[data-testid=finding-evidence][data-kind=passage]');
    await ev.waitFor({ timeout: 60_000 });
    expect(await ev.getByTestId('finding-evidence-reference').textContent()).toContain(`p. ${reco.page}`);
    const download = page().waitForEvent('download', { timeout: 60_000 });
    await page().getByTestId('report-export-html').click();
    const anyway = page().getByTestId('report-export-anyway');
    void anyway.waitFor({ timeout: 30_000 }).then(
      () => anyway.click(),
      () => undefined,
    );
    const html = await readFile((await (await download).path())!, 'utf8');
    expect(html).toContain('<blockquote class="citation-rapport">');
    expect(html).toContain(reco.text);
    expect(html).toMatch(
      new RegExp(
        `Inspection générale, [^<]*p\\. ${reco.page}, fichier ${REPORT_A.file.replace(/\./g, '\\.')}, SHA-256 ${sha[REPORT_A.file]}`,
      ),
    );
    expect(html).not.toContain('ALTÉRÉ</strong> — cette constatation');
  });

  it('extracts the recommendations into the follow-up register, each with its report, page and passage', async () => {
    await page().locator('nav.panels button', { hasText: /Suivi/ }).click();
    await page().getByTestId('reports-recos-extract').click();
    await page().getByTestId('reports-recos-summary').waitFor({ timeout: 60_000 });
    const items = page().getByTestId('reports-reco');
    await expect.poll(() => items.count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(REPORT_A.recommendations.length);
    const second = items.filter({ hasText: reco.text }).first();
    expect(await second.getAttribute('data-page')).toBe(String(reco.page));
    // Where it came from: the passage, the recommendation marked in it.
    await second.locator('summary').click();
    expect(((await second.locator('mark').textContent()) ?? '').replace(/\s+/g, ' ')).toContain(reco.text);
    // And its page, drawn once the item is opened, the block framed.
    const preview = second.getByTestId('reports-preview');
    await expect.poll(() => preview.getAttribute('data-state'), { timeout: 60_000 }).toBe('drawn');
    expect(await second.getByTestId('reports-preview-mark').count()).toBe(1);
  });
});
