// The reports library at size (#18): N generated audit reports of 60 pages (default 200, i.e. 12 000
// pages; `--reports-count N`) imported by `import-reports` on the wasm engine in Node, then searched.
//   pdf_import_ms        reading every PDF with pdf.js, storing the blocks, building the term index
//   pdf_pages_per_s      pages / import time
//   search_ms            median of 20 `search-reports` queries (words, phrases, filters); aim ≤ 100 ms
//   recommendations_ms   `extract-recommendations` over the whole library
// In run.ts: `--reports 0` leaves it out. Alone: `npx tsx test/bench/reports.ts --reports-count 20`.
import '../../src/core/ops/all.ts';
import { Engine, type QueryOptions } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { bytesSourceFile, MemoryFileResolver } from '../../src/core/ingest/source.ts';
import { MemoryProjectStore } from '../../src/core/project/store.ts';
import { Session } from '../../src/core/project/session.ts';
import { extractRecommendations, importReports, searchReports } from '../../src/core/reports/index.ts';
import { reportPdf, type Element } from '../fixtures/pdf-reports.ts';
import { median, printFiguresLine, setFigure } from './figures.ts';

const PAGES = 60;
const SERVICES = [
  'Direction des Finances et des Achats',
  'Direction de la Voirie et des Déplacements',
  'Direction des Affaires culturelles',
  'Direction des Familles et de la Petite Enfance',
  'Direction du Logement et de l’Habitat',
];
const WORDS = (
  'contrôle subvention association marché public régie avance recette dépense budget crédit paiement fournisseur convention ' +
  'délibération conseil arrondissement service direction agent effectif procédure contrat avenant pénalité délai travaux voirie ' +
  'crèche école logement social bailleur loyer charge patrimoine immobilier inventaire comptabilité engagement mandatement trésorerie ' +
  'risque fraude conformité performance indicateur objectif suivi évaluation rapport recommandation observation analyse montant ' +
  'exercice annuel pluriannuel gestion organisation pilotage système information donnée publication transparence usager'
).split(' ');
const GLUE = 'le la les de des du et en à pour sur dans par avec une un ce cette qui que'.split(' ');

function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

// A report's vocabulary is Zipfian: a few words everywhere, most rare. Pseudo-words fill a vocabulary of
// 4 000, drawn log-uniformly by rank (≈ Zipf), with the real words above spread over the ranks, so the
// queries meet terms from very common to rare, as in real reports.
const SYLL = ['ba', 'de', 'li', 'mo', 'ru', 'ta', 'ne', 'so', 'ver', 'cal', 'pon', 'gri'];
const VOCAB: string[] = Array.from({ length: 4000 }, (_, i) => {
  if (i % 50 === 0 && i / 50 < WORDS.length) return WORDS[i / 50]!;
  let w = '';
  for (let n = i + 7; n > 0; n = Math.floor(n / SYLL.length)) w += SYLL[n % SYLL.length];
  return w + (i % 3 === 0 ? 'ment' : i % 3 === 1 ? 'tion' : 'age');
});

function word(r: () => number): string {
  return VOCAB[Math.min(VOCAB.length - 1, Math.floor(Math.exp(r() * Math.log(VOCAB.length + 1))) - 1)]!;
}

function sentence(r: () => number, n: number): string {
  const w: string[] = [];
  for (let i = 0; i < n; i++) w.push(i % 3 === 1 ? GLUE[Math.floor(r() * GLUE.length)]! : word(r));
  const s = w.join(' ');
  return s.charAt(0).toUpperCase() + s.slice(1) + '.';
}

export function reportPages(i: number): Element[][] {
  const r = rng(i + 1);
  const year = 2015 + (i % 10);
  const pages: Element[][] = [
    [
      { kind: 'heading', level: 1, text: `Rapport sur ${sentence(r, 6).toLowerCase().replace(/\.$/, '')}` },
      { kind: 'para', text: `Rapport n° ${year}-${String(i + 1).padStart(3, '0')} — ${1 + (i % 28)} mars ${year}` },
      { kind: 'para', text: `Service audité : ${SERVICES[i % SERVICES.length]}` },
    ],
  ];
  for (let p = 2; p < PAGES - 1; p++) {
    const els: Element[] = [{ kind: 'heading', text: `${p - 1}. ${sentence(r, 5).replace(/\.$/, '')}` }];
    // About 350 words a page, in paragraphs of three sentences: a real report's density.
    for (let k = 0; k < 6; k++) els.push({ kind: 'para', text: [sentence(r, 20), sentence(r, 20), sentence(r, 18)].join(' ') });
    pages.push(els);
  }
  pages.push([
    { kind: 'heading', text: 'Recommandations' },
    ...Array.from({ length: 8 }, (_, k): Element => ({ kind: 'para', text: `Recommandation n° ${k + 1} : ${sentence(r, 16)}` })),
  ]);
  pages.push([
    { kind: 'heading', text: 'Annexe : Réponse du service' },
    ...Array.from({ length: 5 }, (_, k): Element => ({ kind: 'para', text: `Recommandation n° ${k + 1} : Acceptée. ${sentence(r, 12)}` })),
  ]);
  return pages;
}

export const QUERIES: Record<string, unknown>[] = [
  { query: 'subvention' },
  { query: 'régies d’avances' },
  { query: 'marchés publics avenants' },
  { query: '"contrôle de la régie"' },
  { query: 'fraude' },
  { query: 'pénalités de retard', yearFrom: 2020 },
  { query: 'crèches', services: [SERVICES[3]] },
  { query: 'logement social bailleur' },
  { query: '"suivi des recommandations"' },
  { query: 'trésorerie' },
  { query: 'comptabilité engagement mandatement' },
  { query: 'inventaire du patrimoine immobilier' },
  { query: 'transparence publication données' },
  { query: 'délibération du conseil', yearTo: 2018 },
  { query: 'indicateurs de performance' },
  { query: 'conventions pluriannuelles' },
  { query: '"budget annuel"' },
  { query: 'risque conformité' },
  { query: 'système d’information' },
  { query: 'effectifs des agents' },
];

// Where a search's time goes: each engine call made while `session.run` runs is put in one part by its SQL
// (the ranking query, writing the result table, the journal's digest, the project copy in the background);
// what is left is JS (parsing, snippets, the journal's append).
type Part = 'index lookup' | 'ranking' | 'result table' | 'digest' | 'cache (background)' | 'other SQL';
function partOf(sql: string, priority: string | undefined): Part {
  if (priority === 'background') return 'cache (background)';
  const s = sql.trimStart();
  if (/^WITH\b/i.test(s)) return 'ranking';
  if (s.includes('loupe_recherche')) return 'index lookup';
  if (/res_search_reports/.test(s)) return /^(DESCRIBE|SELECT count\(\*\) AS n)/.test(s) ? 'digest' : 'result table';
  if (/loupe_rows_\d+_res_search_reports/.test(s)) return 'result table';
  return 'other SQL';
}
function timeParts(): { spent: Map<Part, number>; stop: () => void } {
  const spent = new Map<Part, number>();
  const proto = Engine.prototype as unknown as { query: (sql: string, o?: QueryOptions) => Promise<unknown> };
  const query = proto.query;
  proto.query = async function (this: { defaults?: QueryOptions }, sql: string, o: QueryOptions = {}) {
    const t0 = performance.now();
    try {
      return await query.call(this, sql, o);
    } finally {
      const part = partOf(sql, o.priority ?? this.defaults?.priority);
      spent.set(part, (spent.get(part) ?? 0) + performance.now() - t0);
    }
  };
  return { spent, stop: () => (proto.query = query) };
}

export async function runReportsBench(count: number): Promise<string[]> {
  const files = new MemoryFileResolver();
  const g0 = performance.now();
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const pdf = await reportPdf({ pages: reportPages(i) });
    bytes += pdf.length;
    files.add(bytesSourceFile(pdf, `rapport-${String(i + 1).padStart(3, '0')}.pdf`, `bench/rapport-${String(i + 1).padStart(3, '0')}.pdf`));
  }
  const genMs = performance.now() - g0;
  const engine = await createNodeEngine();
  try {
    const session = await Session.create(engine, new MemoryProjectStore(), files, 'Bench rapports');
    const t0 = performance.now();
    const imp = await session.run(importReports, { path: 'bench' });
    const importMs = performance.now() - t0;
    const pages = count * PAGES;
    // As in the app: a result's copy for the project cache is written after the answer, not before it.
    await session.cacheIdle();
    session.cacheInBackground = true;
    const times: number[] = [];
    // Process CPU (the engine's worker included) as well as wall time: on a loaded machine the wall time
    // mostly measures the wait for a core.
    const cpu: number[] = [];
    let hits = 0;
    const parts = timeParts();
    for (const q of QUERIES) {
      const s0 = performance.now();
      const c0 = process.cpuUsage();
      const res = await session.run(searchReports, { limit: 20, ...q });
      times.push(performance.now() - s0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
      hits += res.detail?.hits.length ?? 0;
    }
    parts.stop();
    const total = times.reduce((a, b) => a + b, 0);
    const sqlMs = [...parts.spent].filter(([k]) => k !== 'cache (background)').reduce((a, [, v]) => a + v, 0);
    const breakdown = [...parts.spent, ['JS (parse, snippets, journal append)', total - sqlMs] as const]
      .map(([k, v]) => `${k} ${(v / QUERIES.length).toFixed(1)}`)
      .join(', ');
    const r0 = performance.now();
    const rec = await session.run(extractRecommendations, {});
    const recMs = performance.now() - r0;
    const pps = pages / (importMs / 1000);
    setFigure('pdf_reports', count);
    setFigure('pdf_pages', pages);
    setFigure('pdf_import_ms', Math.round(importMs));
    setFigure('pdf_pages_per_s', Math.round(pps));
    setFigure('search_ms', Math.round(median(times) * 10) / 10);
    setFigure('recommendations_ms', Math.round(recMs));
    return [
      `reports    ${count} PDF reports × ${PAGES} pages (${(bytes / 1e6).toFixed(1)} MB, generated in ${Math.round(genMs)} ms): ` +
        `import ${Math.round(importMs)} ms (${Math.round(pps)} pages/s; ${imp.detail?.terms.toLocaleString('fr-FR')} terms), ` +
        `search median ${median(times).toFixed(1)} ms (max ${Math.max(...times).toFixed(1)} ms, ${hits} passages over 20 queries), ` +
        `recommendations ${Math.round(recMs)} ms (${rec.detail?.recommendations} found)`,
      `reports    search, mean ms per query: ${breakdown}; CPU median ${median(cpu).toFixed(1)} ms (max ${Math.max(...cpu).toFixed(1)} ms)`,
    ];
  } finally {
    await engine.close();
  }
}

// Run alone: `npx tsx test/bench/reports.ts [--reports-count N]`.
if (process.argv[1] && /reports\.ts$/.test(process.argv[1])) {
  const i = process.argv.indexOf('--reports-count');
  const n = i > 0 ? Number(process.argv[i + 1]) : 200;
  void runReportsBench(n).then((lines) => {
    for (const l of lines) console.log(l);
    printFiguresLine();
  });
}
