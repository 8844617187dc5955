// Nested imports at size: a DECP-like JSON array of contracts with nested holders (`import_json_ms`)
// and an XML of HATVP-like declarations with sections of items (`import_xml_ms`), each imported by
// Loupe's own readers (the Session, in Node, on the wasm engine), against native DuckDB reading the
// same data from its equivalent flat CSV files (`_native_ms`, `_ratio`). Each side runs in a child
// process of its own, so its peak RSS is its own; `_mem_ratio` is Loupe's peak over the file size.
// Files are generated deterministically into test/bench/data and reused while the generator is the same.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATA_DIR } from './generate.ts';
import { seeded } from '../fixtures/hostile/corpus.ts';
import { ratio, setFigure } from './figures.ts';

const GENERATOR_VERSION = 1;

const siret = (r: () => number) => String(Math.floor(r() * 1e14)).padStart(14, '0');
const OBJETS = [
  'Travaux de voirie',
  'Entretien des espaces verts',
  'Fournitures scolaires',
  'Maintenance informatique',
  'Nettoyage des locaux',
  'Restauration collective',
];

interface Files {
  json: string;
  jsonCsv: [string, string];
  xml: string;
  xmlCsv: [string, string];
}

async function writeLines(path: string, lines: Iterable<string>): Promise<void> {
  const out = createWriteStream(path);
  for (const l of lines) if (!out.write(l)) await new Promise<void>((r) => out.once('drain', () => r()));
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
}

/** Writes the four files for about `mb` megabytes each of JSON and XML; reused when already there. */
export async function ensureNestedFiles(mb: number): Promise<Files> {
  const dir = join(DATA_DIR, `nested-${mb}mb-v${GENERATOR_VERSION}`);
  const f: Files = {
    json: join(dir, 'decp.json'),
    jsonCsv: [join(dir, 'decp_marches.csv'), join(dir, 'decp_titulaires.csv')],
    xml: join(dir, 'declarations.xml'),
    xmlCsv: [join(dir, 'declarations.csv'), join(dir, 'declarations_items.csv')],
  };
  const marker = join(dir, 'done');
  if (existsSync(marker)) return f;
  mkdirSync(dir, { recursive: true });
  const target = mb * 1e6;

  // JSON: one contract per line inside one array; the CSVs hold the same values, holders apart.
  {
    const r = seeded(0x5eed);
    const json: string[] = ['['];
    const marches: string[] = ['id;montant;acheteur_id;objet;date_notification\n'];
    const titulaires: string[] = ['parent;position;parent_id;typeidentifiant;id\n'];
    let size = 0;
    for (let i = 1; size < target; i++) {
      const n = 1 + Math.floor(r() * 3);
      const holders = Array.from({ length: n }, () => ({ titulaire: { typeIdentifiant: 'SIRET', id: siret(r) } }));
      const rec = {
        id: `2024-${String(i).padStart(7, '0')}`,
        montant: Math.round(r() * 1e8) / 100,
        acheteur: { id: '21750001600019' },
        objet: OBJETS[Math.floor(r() * OBJETS.length)],
        dateNotification: `2024-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`,
        titulaires: holders,
      };
      const line = `${i > 1 ? ',\n' : ''}${JSON.stringify(rec)}`;
      json.push(line);
      size += line.length;
      marches.push(`${rec.id};${rec.montant};${rec.acheteur.id};${rec.objet};${rec.dateNotification}\n`);
      holders.forEach((h, k) => titulaires.push(`${i};${k + 1};${rec.id};SIRET;${h.titulaire.id}\n`));
    }
    json.push(']\n');
    await writeLines(f.json, json);
    await writeLines(f.jsonCsv[0], marches);
    await writeLines(f.jsonCsv[1], titulaires);
  }
  // XML: declarations with two sections of items, items/items lists as the HATVP writes them.
  {
    const r = seeded(0xdec1);
    const xml: string[] = ["<?xml version='1.0' encoding='utf-8'?>\n<declarations>\n"];
    const decl: string[] = ['uuid;nom;date_depot\n'];
    const items: string[] = ['parent;position;parent_id;section;nomsociete;montant\n'];
    let size = 0;
    for (let i = 1; size < target; i++) {
      const uuid = `d-${String(i).padStart(8, '0')}`;
      const dir = Array.from({ length: Math.floor(r() * 5) }, () => ({
        societe: `Société ${Math.floor(r() * 1e6)}`,
        montant: Math.floor(r() * 1e5),
      }));
      const fin = Array.from({ length: Math.floor(r() * 3) }, () => ({
        societe: `Participation ${Math.floor(r() * 1e6)}`,
        montant: Math.floor(r() * 1e4),
      }));
      const sec = (name: string, xs: { societe: string; montant: number }[]) =>
        `<${name}><items>${xs.map((x) => `<items><nomSociete>${x.societe}</nomSociete><montant>${x.montant}</montant></items>`).join('')}</items><neant>${xs.length ? 'false' : 'true'}</neant></${name}>`;
      const chunk = `<declaration><uuid>${uuid}</uuid><dateDepot>0${1 + (i % 9)}/07/2020 17:53:45</dateDepot>${sec('participationDirigeantDto', dir)}${sec('participationFinanciereDto', fin)}<general><declarant><nom>Nom ${i}</nom></declarant></general></declaration>\n`;
      xml.push(chunk);
      size += chunk.length;
      decl.push(`${uuid};Nom ${i};2020-07-0${1 + (i % 9)} 17:53:45\n`);
      dir.forEach((x, k) => items.push(`${i};${k + 1};${uuid};participationDirigeantDto;${x.societe};${x.montant}\n`));
      fin.forEach((x, k) => items.push(`${i};${k + 1};${uuid};participationFinanciereDto;${x.societe};${x.montant}\n`));
    }
    xml.push('</declarations>\n');
    await writeLines(f.xml, xml);
    await writeLines(f.xmlCsv[0], decl);
    await writeLines(f.xmlCsv[1], items);
  }
  writeFileSync(marker, new Date().toISOString());
  return f;
}

interface ChildResult {
  ms: number;
  peakRssMb: number;
  rows: Record<string, number>;
}

function runChild(mode: string, args: string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--max-old-space-size=8192', '--import', 'tsx', fileURLToPath(import.meta.url), mode, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last) as ChildResult);
      else reject(new Error(`${mode} a échoué (code ${code}) : ${out.slice(-500)}`));
    });
  });
}

const peakMb = () => (process.resourceUsage().maxRSS * 1024) / 1e6;

async function childLoupe(file: string): Promise<void> {
  const { createNodeEngine } = await import('../../src/node/engine.ts');
  const { MemoryProjectStore } = await import('../../src/core/project/store.ts');
  const { Session } = await import('../../src/core/project/session.ts');
  const { nodeFileResolver } = await import('../../src/node/node-source.ts');
  const engine = await createNodeEngine();
  const s = await Session.create(engine, new MemoryProjectStore(), nodeFileResolver, 'bench');
  const t = performance.now();
  await s.importPath(file);
  const ms = performance.now() - t;
  const rows = Object.fromEntries(s.catalog.list().map((x) => [x.name, x.rows]));
  await engine.close();
  console.log(JSON.stringify({ ms, peakRssMb: peakMb(), rows }));
}

async function childNative(files: string[]): Promise<void> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const t = performance.now();
  const rows: Record<string, number> = {};
  for (const [i, f] of files.entries()) {
    await conn.run(`CREATE TABLE t${i} AS SELECT * FROM read_csv('${f.replaceAll("'", "''")}', delim=';', header=true)`);
    rows[`t${i}`] = Number((await (await conn.runAndReadAll(`SELECT count(*) FROM t${i}`)).getRows())[0]![0]);
  }
  const ms = performance.now() - t;
  conn.closeSync();
  console.log(JSON.stringify({ ms, peakRssMb: peakMb(), rows }));
}

/** Runs both imports and both baselines; sets the figures; returns a line per format for the log. */
export async function runNestedBench(mb: number): Promise<string[]> {
  const f = await ensureNestedFiles(mb);
  const lines: string[] = [];
  for (const [key, file, csvs] of [
    ['json', f.json, f.jsonCsv],
    ['xml', f.xml, f.xmlCsv],
  ] as const) {
    const fileMb = statSync(file).size / 1e6;
    const loupe = await runChild('loupe', [file]);
    const native = await runChild('native', [...csvs]);
    setFigure(`import_${key}_ms`, Math.round(loupe.ms));
    setFigure(`import_${key}_native_ms`, Math.round(native.ms));
    setFigure(`import_${key}_ratio`, ratio(loupe.ms, native.ms));
    setFigure(`import_${key}_file_mb`, Math.round(fileMb));
    setFigure(`import_${key}_peak_mb`, Math.round(loupe.peakRssMb));
    setFigure(`import_${key}_mem_ratio`, ratio(loupe.peakRssMb, fileMb));
    lines.push(
      `import_${key.padEnd(4)}  ${Math.round(fileMb)} MB: loupe ${(loupe.ms / 1000).toFixed(2)} s (peak RSS ${Math.round(loupe.peakRssMb)} MB, ` +
        `${Object.entries(loupe.rows)
          .map(([t, n]) => `${t} ${n}`)
          .join(', ')}), native flat CSV ${(native.ms / 1000).toFixed(2)} s, ratio ${ratio(loupe.ms, native.ms)}`,
    );
  }
  return lines;
}

// As a child process: `tsx nested.ts loupe FILE` or `tsx nested.ts native CSV…`.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === 'loupe') await childLoupe(rest[0]!);
  else if (mode === 'native') await childNative(rest);
  else if (mode === 'run') for (const l of await runNestedBench(Number(rest[0] ?? 200))) console.log(l);
  else {
    console.error('usage: nested.ts loupe FILE | native CSV… | run MB');
    process.exitCode = 2;
  }
}
