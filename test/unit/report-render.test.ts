// Reports and citations: self-contained HTML with the finding, its chart, its source hashes and the
// journal entries behind it; nothing from data or users becomes live markup.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/core/ops/all.ts';
import { main } from '../../src/cli/main.ts';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import {
  attachEvidence,
  chartEvidence,
  createFinding,
  createInvestigation,
  evidenceFromResult,
  fileFinding,
  sourceEvidence,
  submitForReview,
  signOff,
  summarizeInvestigation,
  type Finding,
} from '../../src/core/findings/index.ts';
import { nodeFileResolver } from '../../src/node/node-source.ts';
import { getOperation } from '../../src/core/ops/registry.ts';
import { NodeProjectStore } from '../../src/node/node-store.ts';
import { Session } from '../../src/core/project/session.ts';
import { citeResult } from '../../src/core/report/cite.ts';
import { renderReport } from '../../src/core/report/report.ts';
import { sanitizeSvg } from '../../src/core/report/sanitize-svg.ts';

let dir: string;
let engine: Engine;
let s: Session;
let f1: Finding;
let f2: Finding;
let sha: string;
const project = () => join(dir, 'proj');

const EVIL = '<script>alert(1)</script>';
const EVIL_SVG = `<?xml version="1.0"?><!DOCTYPE svg><svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10" onload="alert(1)">
<script>alert(2)</script><style>@import url(http://evil.example/x.css);</style>
<a href="javascript:alert(3)"><text>lien</text></a><image href="http://evil.example/x.png"/>
<rect x="1" y="2" width="3" height="4" fill="url(http://evil.example/#g)" onclick="alert(4)"/>
<rect x="5" y="5" width="1" height="1" fill="url(#grad)" style="fill:red"/>
<use xlink:href="&#106;avascript:alert(5)"/><use href="#sym"/>
<foreignObject><div onmouseover="alert(6)">x</div></foreignObject>
<text x="1" y="9">Montants &lt;2023&gt;</text></svg>`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loupe-report-'));
  const csv = join(dir, 'versements.csv');
  await writeFile(
    csv,
    `Bénéficiaire;<img src=x onerror=alert(1)>;Montant;Date\n` +
      `${EVIL};javascript:alert(1);1234,56;15/03/2023\n` +
      `${EVIL};javascript:alert(1);1234,56;15/03/2023\n` +
      `Association Les Semeurs;"<b onmouseover=x>";800;02/04/2023\n`,
  );
  engine = await createNodeEngine();
  s = await Session.create(engine, new NodeProjectStore(project()), nodeFileResolver, 'Contrôle <des> régies');
  await s.importPath(csv);
  const t = s.catalog.list().find((x) => x.kind === 'table')!;
  sha = t.source!.sha256;
  const dup = await s.run(getOperation('duplicates')!, { table: t.name, columns: ['beneficiaire', 'montant'], amount: 'montant' });
  const alice = { by: 'Alice <Martin>' };
  f1 = await createFinding(
    s,
    {
      title: `Versement en double ${EVIL} <img src=x onerror=alert(1)> javascript:alert(1)`,
      severity: 'critique',
      criteria: 'Un versement par décision.',
      condition: 'Deux versements identiques.\n\nVoir le tableau.',
      effect: { text: 'Versement indu.', amount: 1234.56 },
      recommendation: 'Recouvrer.',
    },
    alice,
  );
  f1 = await attachEvidence(s, f1.id, await evidenceFromResult(s, dup, { title: `Doublons ${EVIL}` }), alice);
  f1 = await attachEvidence(
    s,
    f1.id,
    await chartEvidence(s, {
      title: 'Graphique',
      spec: { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', mark: 'bar' },
      svg: EVIL_SVG,
      tables: [t.name],
    }),
    alice,
  );
  f1 = await attachEvidence(s, f1.id, await sourceEvidence(s, t.name), alice);
  f1 = await submitForReview(s, f1.id, alice);
  f1 = await signOff(s, f1.id, { by: 'Bruno Roux' });
  f2 = await createFinding(
    s,
    { title: 'Régie sans inventaire', severity: 'faible', effect: { text: '', amount: 10 } },
    { by: 'Bruno Roux' },
  );
}, 120_000);
afterAll(async () => {
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Every tag of the document, to check that nothing live came from data. */
const tags = (html: string) => [...html.matchAll(/<[a-zA-Z][^>]*>/g)].map((m) => m[0]);
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

/** The one link a report holds: an evidence's full data as a CSV download, percent-encoded inside the file. */
const CSV_LINK = /<a class="csv" download="[\w.-]+\.csv" href="data:text\/csv;charset=utf-8,[^"<>\s]*">[\w.-]+\.csv<\/a>/g;

function expectInert(withLinks: string) {
  const html = withLinks.replace(CSV_LINK, '');
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<img/i);
  expect(html).not.toMatch(/<(a|image|iframe|object|embed|link|foreignObject|b)[\s>]/i);
  for (const t of tags(html)) {
    expect(t).not.toMatch(/\son[a-z]+\s*=/i);
    expect(t).not.toMatch(/javascript:/i);
    expect(t).not.toMatch(/\ssrc\s*=/i);
    for (const m of t.matchAll(/href\s*=\s*"([^"]*)"/gi)) expect(m[1]!.startsWith('#')).toBe(true);
  }
  // No external resource at all: no URL scheme, no protocol-relative URL, no CSS import.
  expect(html.replace('<meta http-equiv="Content-Security-Policy"', '')).not.toMatch(/http/i);
  expect(html).not.toContain('//');
  expect(html).not.toMatch(/@import|url\((?!#)/i);
}

describe('SVG sanitiser', () => {
  it('keeps shapes, text and local references, drops script, handlers and outside references', () => {
    const out = sanitizeSvg(EVIL_SVG);
    expect(out).toBe(
      '<svg viewBox="0 0 10 10">\n\n\n<rect x="1" y="2" width="3" height="4"></rect>\n' +
        '<rect x="5" y="5" width="1" height="1" fill="url(#grad)" style="fill:red"></rect>\n<use></use><use href="#sym"></use>\n\n' +
        '<text x="1" y="9">Montants &lt;2023&gt;</text></svg>',
    );
  });

  it('drops style URLs (image-set, url(http…)), page overlays and encoded schemes, keeps chart styles', () => {
    const out = sanitizeSvg(
      `<svg viewBox="0 0 1 1"><rect style="fill:rgb(1,2,3);position:fixed;top:0;left:0;width:100vw;height:100vh;z-index:9" width="1"/>` +
        `<g style="background:image-set('https://evil.example/a.png' 1x)"><text style="font-size:12px;fill:#333">a</text></g>` +
        `<rect style="stroke:url(https://evil.example/#a)"/><rect fill="url(&#104;ttp://evil.example/x)"/><rect style="fill:url(#g)"/></svg>`,
    );
    expect(out).toBe(
      '<svg viewBox="0 0 1 1"><rect style="fill:rgb(1,2,3)" width="1"></rect><g><text style="font-size:12px;fill:#333">a</text></g>' +
        '<rect></rect><rect></rect><rect style="fill:url(#g)"></rect></svg>',
    );
  });

  it('writes well-formed XML, empty attributes included, so the SVG draws as an image', async () => {
    const out = sanitizeSvg('<svg viewBox="0 0 1 1"><path class="foreground" d="" display="none"/><text>a &amp; b &lt; c</text></svg>');
    expect(out).toBe('<svg viewBox="0 0 1 1"><path class="foreground" d="" display="none"></path><text>a &amp; b &lt; c</text></svg>');
    const { SaxesParser } = await import('saxes');
    for (const svg of [out, sanitizeSvg(EVIL_SVG)]) expect(() => new SaxesParser().write(svg).close()).not.toThrow();
  });

  it('returns nothing for what is not an svg document', () => {
    expect(sanitizeSvg('texte <rect/>')).toBe('');
    expect(sanitizeSvg('<script>alert(1)</script>')).toBe('');
  });
});

describe('report', () => {
  it('renders the findings, the chart, the source hashes and the journal entries, in French formats', async () => {
    const html = await renderReport(s, { findingIds: [f1.id, f2.id] }, { now: new Date('2024-02-01T10:00:00Z') });
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    // A strict CSP before anything else in the head: no script runs, nothing loads, wherever the file is opened.
    expect(html).toMatch(
      /^<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">/,
    );
    expect(html).toContain('Versement en double &lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('<h3>Critère</h3>');
    expect(html).toContain('<p>Deux versements identiques.</p>\n<p>Voir le tableau.</p>');
    expect(plain(html)).toContain('Montant en jeu : 1 234,56 €');
    expect(plain(html)).toContain('1 244,56 €'); // total of both findings
    expect(html).toContain('rapport généré le 01/02/2024');
    expect(html).toMatch(/Validée par Bruno Roux le \d{2}\/\d{2}\/\d{4}\./);
    expect(html).toContain('<rect x="5" y="5" width="1" height="1" fill="url(#grad)" style="fill:red"></rect>');
    expect(html).toContain(sha);
    const snap = f1.evidence.find((e) => e.kind === 'snapshot')!;
    if (snap.kind !== 'snapshot') throw new Error('snapshot attendu');
    expect(html).toContain(snap.journal!.hash);
    expect(html).toContain(snap.digest!.digest);
    for (const step of f1.history) expect(html).toContain(step.journal.hash);
    expect(html).toContain('Chaîne d’empreintes du journal vérifiée');
    expect(html).not.toContain('absente ou modifiée');
    // Column label from the file, escaped.
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expectInert(html);
  });

  it('renders an investigation with its summary', async () => {
    const inv = await createInvestigation(s, { name: 'Versements <2023>', description: 'Subventions versées deux fois.' }, { by: 'Alice' });
    await fileFinding(s, f1.id, inv.id, { by: 'Alice' });
    await fileFinding(s, f2.id, inv.id, { by: 'Alice' });
    const sum = await summarizeInvestigation(s, inv.id);
    expect(sum).toMatchObject({
      count: 2,
      totalAmount: 1244.56,
      byStatus: { draft: 1, 'in-review': 0, final: 1 },
      bySeverity: { critique: 1, faible: 1 },
      evidence: 3,
    });
    expect(s.journal.all().at(-1)).toMatchObject({ op: 'finding-update', params: expect.objectContaining({ action: 'investigation' }) });
    const html = await renderReport(s, { investigationId: inv.id });
    expect(html).toContain('<title>Versements &lt;2023&gt;</title>');
    expect(html).toContain('2 constatation(s) : 1 brouillon(s), 0 en relecture, 1 définitive(s)');
    expectInert(html);
  });

  it('is written by `loupe report` the same way', async () => {
    const out = join(dir, 'rapport.html');
    let err = '';
    const code = await main(['report', '--project', project(), '--out', out, '--findings', `${f1.id},${f2.id}`], {
      out: () => {},
      err: (x) => void (err += x),
    });
    expect(code, err).toBe(0);
    const file = await readFile(out, 'utf8');
    const now = await renderReport(s, { findingIds: [f1.id, f2.id] });
    const undate = (x: string) => x.replace(/généré le [^—]+—/, '').replace(/intactes au [^.]+\./, '');
    // The CLI's session re-read the journal, which the app's session has since extended by nothing.
    expect(undate(file)).toBe(undate(now));
    expectInert(file);
  }, 120_000);
});

describe('citation', () => {
  it('cites a result with dataset, file, SHA-256, import date, SQL, journal entry and sample rows', async () => {
    const t = s.catalog.list().find((x) => x.kind === 'table')!;
    const res = await s.run(getOperation('duplicates')!, { table: t.name, columns: ['beneficiaire', 'montant'], amount: 'montant' });
    const c = await citeResult(s, res, { label: 'Montant versé en double', value: '1 234,56 €', datasetTitle: 'Subventions versées' });
    expect(c.text).toContain('« Montant versé en double : 1 234,56 € »');
    expect(c.text).toContain(`Source : Subventions versées — fichier versements.csv, SHA-256 ${sha}, importé le `);
    expect(c.text).toMatch(/importé le \d{2}\/\d{2}\/\d{4}\./);
    expect(c.text).toContain(`Requête : ${res.sql[0]}`);
    expect(c.text).toContain(`entrée n° ${res.entry.seq} (duplicates)`);
    expect(c.text).toContain(res.digest!.digest);
    expect(c.text).toContain('Extrait (1 ligne(s) sur 1) :');
    expect(c.text).toContain(EVIL); // plain text keeps the value as it is…
    expect(c.html).not.toContain(EVIL); // …HTML escapes it
    expect(c.html).toContain('&lt;script&gt;');
    expect(tags(c.html).every((x) => !/\son[a-z]+=|javascript:/i.test(x))).toBe(true);
  });

  it('cites a query by running it through the journal first', async () => {
    const before = s.journal.all().length;
    const c = await citeResult(s, { sql: 'SELECT count(*) AS n FROM versements' }, { sampleRows: 1 });
    expect(s.journal.all().length).toBe(before + 1);
    expect(c.text).toContain('fichier versements.csv');
    expect(c.text).toMatch(/n\n3$/);
  });
});
