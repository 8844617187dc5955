// `loupe` — the same core as the app, from a terminal: import, tables, sql, verify, demo.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { NodeProjectStore } from '../node/node-store.ts';
import type { Session } from '../core/project/session.ts';
import { toCsv, toJson, toText } from './format.ts';
import type { AccessOptions } from './project-access.ts';
// Start-up (#15.8): each command loads only what it uses (`ops` and `--help` never load the engine), and
// a command that needs the engine starts it first, so duckdb-wasm instantiates in its worker thread
// while this thread loads the project code.
import { discardPrestartedEngine, prestartNodeEngine } from '../node/node-start.ts';

const ENGINE_COMMANDS = new Set(['import', 'tables', 'sql', 'run', 'replay', 'report', 'demo', 'import-reports', 'search-reports']);
const projectStore = async (root: string) => new (await import('../node/node-store.ts')).NodeProjectStore(root);

const USAGE = `Loupe — analyse hors ligne de données ouvertes

Utilisation :
  loupe import <fichiers ou dossiers…> --project DIR [--copy]   importe dans le projet (créé s'il n'existe pas) ;
                                                      --copy en garde une copie dans sources/ (projet transmissible)
        [--table NOM] [--option clé=valeur…] [--type colonne=type…]   pour un fichier : nom de la table, options de
                                                      lecture (delimiter=';', path=operations, recordPath=a/b, sheet…)
                                                      et types imposés (text, integer, decimal, date, month, code)
  loupe tables --project DIR                          liste les tables, leurs lignes et leur source
  loupe import-reports <PDF ou dossier> --project DIR  importe des rapports PDF (texte par page, index de recherche)
  loupe search-reports "<mots>" --project DIR [--limit N] [--from AAAA] [--to AAAA] [--service NOM…] [--format json]
                                                      cherche dans les rapports ("entre guillemets" : expression exacte)
  loupe sql --project DIR "<requête>" [--format text|csv|json]
  loupe run <opération> --project DIR --params '<json>' [--format text|json]
  loupe run <opération> --help                        décrit les paramètres de l'opération
  loupe ops                                           liste les opérations disponibles
  loupe verify --project DIR                          vérifie le journal (chaîne, tête ancrée) et son accord avec le manifeste
  loupe repair --project DIR                          met de côté une ligne de journal tronquée par une écriture interrompue
  loupe replay --project DIR                          rejoue le journal depuis les sources et compare
  loupe report --project DIR --out rapport.html [--findings C-0001,C-0002 | --investigation E-0001] [--allow-personal-data]
        [--columns PREUVE=col1,col2…] [--tz Europe/Paris]   colonnes imprimées d'une preuve (défaut : celles que la
                                                      constatation cite, le montant, les clés) ; fuseau des heures
                                                      (défaut : celui de la machine). Chaque preuve a aussi son CSV
                                                      complet, joint au rapport et écrit à côté (rapport.C-0001-P-….csv)
  loupe identity [--name "Prénom Nom"] [--out ma-cle.json]  votre identité de signature ; exporte la clé publique
  loupe keys trust FICHIER | keys list               fait confiance à la clé publique d'un collègue ; les liste
  loupe demo --out DIR                                génère l'espace de démonstration
`;

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const defaultIo: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        project: { type: 'string', short: 'p' },
        format: { type: 'string', default: 'text' },
        out: { type: 'string' },
        params: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        findings: { type: 'string' },
        investigation: { type: 'string' },
        'allow-personal-data': { type: 'boolean' },
        name: { type: 'string' },
        'allow-external-sources': { type: 'boolean' },
        copy: { type: 'boolean' },
        table: { type: 'string' },
        option: { type: 'string', multiple: true },
        type: { type: 'string', multiple: true },
        columns: { type: 'string', multiple: true },
        tz: { type: 'string' },
        limit: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        service: { type: 'string', multiple: true },
      },
    });
  } catch (e) {
    io.err(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (!command || (values.help && command !== 'run')) {
    io.out(USAGE);
    return command ? 0 : 2;
  }
  if (ENGINE_COMMANDS.has(command) && !(command === 'run' && values.help)) prestartNodeEngine();
  try {
    switch (command) {
      case 'import':
        return await withSession(
          values.project,
          true,
          io,
          (s) => cmdImport(s, rest, io, values.copy ?? false, importChoices(values, rest.length)),
          {
            write: true,
            command: 'import',
            named: values.copy ? [] : rest,
            allowExternal: values['allow-external-sources'] ?? false,
          },
        );
      case 'tables':
        return await withSession(values.project, false, io, (s) => cmdTables(s, io), {
          allowExternal: values['allow-external-sources'] ?? false,
        });
      case 'sql':
        return await withSession(values.project, false, io, (s) => cmdSql(s, rest.join(' '), values.format ?? 'text', io), {
          write: true,
          command: 'sql',
          allowExternal: values['allow-external-sources'] ?? false,
        });
      case 'import-reports':
        return await withSession(values.project, true, io, async (s) => (await import('./reports-cmd.ts')).cmdImportReports(s, rest, io), {
          write: true,
          command: 'import-reports',
          named: rest,
          allowExternal: values['allow-external-sources'] ?? false,
        });
      case 'search-reports':
        return await withSession(
          values.project,
          false,
          io,
          async (s) =>
            (await import('./reports-cmd.ts')).cmdSearchReports(
              s,
              rest.join(' '),
              {
                format: values.format ?? 'text',
                ...(values.limit ? { limit: values.limit } : {}),
                ...(values.from ? { yearFrom: values.from } : {}),
                ...(values.to ? { yearTo: values.to } : {}),
                ...(values.service ? { services: values.service } : {}),
              },
              io,
            ),
          { write: true, command: 'search-reports', allowExternal: values['allow-external-sources'] ?? false },
        );
      case 'ops':
        return await cmdOps(io);
      case 'run':
        if (values.help) return await cmdRunHelp(rest[0], io);
        return await withSession(values.project, false, io, (s) => cmdRun(s, rest[0], values.params ?? '{}', values.format ?? 'text', io), {
          write: true,
          command: 'run',
          allowExternal: values['allow-external-sources'] ?? false,
        });
      case 'verify':
        return await cmdVerify(values.project, io);
      case 'replay':
        return await cmdReplay(values.project, values.format ?? 'text', io, values['allow-external-sources'] ?? false);
      case 'repair':
        return await cmdRepair(values.project, io);
      case 'report':
        return await withSession(
          values.project,
          false,
          io,
          (s) =>
            cmdReport(s, values.out, values.findings, values.investigation, values['allow-personal-data'] ?? false, io, {
              columns: values.columns ?? [],
              ...(values.tz ? { tz: values.tz } : {}),
            }),
          {
            write: true,
            command: 'report',
            allowExternal: values['allow-external-sources'] ?? false,
          },
        );
      case 'identity':
        return await (
          await import('./identity-cmd.ts')
        ).cmdIdentity({ ...(values.name ? { name: values.name } : {}), ...(values.out ? { out: values.out } : {}) }, io);
      case 'keys':
        return await (await import('./identity-cmd.ts')).cmdKeys(rest, io);
      case 'demo': {
        const { buildDemoProject } = await import('./demo.ts');
        return await buildDemoProject(values.out ?? 'static/demo', io);
      }
      default:
        io.err(`Commande inconnue : ${command}\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    io.err(`Erreur : ${(e as Error).message}\n`);
    return 1;
  } finally {
    // A command that stopped before opening its engine (no project here…) must not leave its worker running.
    await discardPrestartedEngine();
  }
}

function requireProject(dir: string | undefined): string {
  if (!dir) throw new Error('--project DIR est requis');
  return resolve(dir);
}

/** Opens the project for one command: see project-access.ts for the lock and the approval of outside files. */
export async function withSession(
  dir: string | undefined,
  create: boolean,
  io: Io,
  fn: (s: Session) => Promise<number>,
  opts: Omit<AccessOptions, 'create'> = {},
): Promise<number> {
  const { withCliSession } = await import('./project-access.ts');
  return withCliSession(requireProject(dir), { ...opts, create }, io, fn);
}

interface ImportChoices {
  table?: string;
  options?: Record<string, unknown>;
}

/** `--option key=value` (the value read as JSON when it is JSON: numbers, booleans, lists) and `--type column=kind`. */
export function importChoices(values: { table?: string; option?: string[]; type?: string[] }, files: number): ImportChoices {
  const pairs = (list: string[] | undefined, what: string) =>
    (list ?? []).map((x) => {
      const i = x.indexOf('=');
      if (i <= 0) throw new Error(`--${what} attend clé=valeur, pas « ${x} »`);
      return [x.slice(0, i).trim(), x.slice(i + 1)] as const;
    });
  const options: Record<string, unknown> = Object.create(null);
  for (const [k, v] of pairs(values.option, 'option')) {
    try {
      options[k] = JSON.parse(v);
    } catch {
      options[k] = v;
    }
  }
  const types = pairs(values.type, 'type');
  if (types.length) options.types = Object.fromEntries(types);
  const chosen = values.table !== undefined || Object.keys(options).length > 0;
  if (chosen && files !== 1) throw new Error('--table, --option et --type valent pour un seul fichier à la fois');
  return {
    ...(values.table !== undefined ? { table: values.table } : {}),
    ...(Object.keys(options).length ? { options: { ...options } } : {}),
  };
}

async function cmdImport(session: Session, paths: string[], io: Io, copy = false, choices: ImportChoices = {}): Promise<number> {
  if (!paths.length) throw new Error('indiquez au moins un fichier ou un dossier à importer');
  let failures = 0;
  for (const p of paths) {
    const abs = resolve(p);
    if (!existsSync(abs)) {
      io.err(`Introuvable : ${p}\n`);
      failures++;
      continue;
    }
    // --copy: the project keeps the file under sources/ and records that relative path.
    const from = copy ? await (await import('./project-access.ts')).copyIntoProject((session.store as NodeProjectStore).root, abs) : abs;
    if (statSync(abs).isDirectory()) {
      const report = await session.importFolderPath(from, {
        onProgress: (pr) => io.err(`\r${pr.message.padEnd(70).slice(0, 70)}`),
      });
      io.err('\n');
      for (const i of report.imported) io.out(`importé : ${i.path} → ${i.tables.map((t) => t.name).join(', ')} (${i.rows} lignes)\n`);
      for (const f of report.failed) io.err(`échec : ${f.reason}\n`);
      for (const s of report.skipped) io.err(`ignoré : ${s.path} — ${s.reason}\n`);
      failures += report.failed.length;
    } else {
      try {
        const res = await session.importPath(from, { replace: true, ...choices });
        io.out(`importé : ${res.summary ?? abs}\n`);
        // How the file was read when it was not as asked (quotes ignored, months as dates…): said, never silent.
        for (const w of res.detail?.tables.flatMap((t) => t.provenance.warnings ?? []) ?? []) io.err(`  attention : ${w}\n`);
      } catch (e) {
        io.err(`échec : ${(e as Error).message}\n`);
        failures++;
      }
    }
  }
  return failures ? 1 : 0;
}

async function cmdTables(session: Session, io: Io): Promise<number> {
  for (const t of session.catalog.list()) {
    const src = t.source
      ? `${t.source.fileName}${t.source.part ? ` [${t.source.part}]` : ''} sha256:${t.source.sha256.slice(0, 12)}`
      : t.kind;
    io.out(`${t.name}\t${t.rows}\t${t.columns.length} col.\t${src}\n`);
  }
  return 0;
}

async function cmdSql(session: Session, sql: string, format: string, io: Io): Promise<number> {
  if (!sql.trim()) throw new Error('requête SQL manquante');
  // The workbench's path (the journaled `sql` operation): one reading statement, no file access, computed once, a journal entry.
  const { readQuery } = await import('../core/query/workbench.ts');
  const { rows: r } = await readQuery(session, sql);
  io.out(format === 'csv' ? toCsv(r) : format === 'json' ? toJson(r) : toText(r));
  return 0;
}

async function cmdVerify(dir: string | undefined, io: Io): Promise<number> {
  const store = await projectStore(requireProject(dir));
  const { verifyProject } = await import('../core/project/verify.ts');
  const { journalHeadLine } = await import('../core/journal/journal.ts');
  const res = await verifyProject(store);
  printProblems(res.problems, io);
  io.out(`${journalHeadLine(res.head)}\n`);
  const errors = res.problems.filter((p) => p.level === 'error').length;
  if (res.ok) {
    io.out(`Journal intact : ${res.count} entrée(s), chaîne d'empreintes vérifiée${res.anchored ? ', tête conforme au manifeste' : ''}.\n`);
    return 0;
  }
  io.out(`Projet altéré : ${errors} problème(s).\n`);
  return 1;
}

function printProblems(problems: readonly { level: string; message: string }[], io: Io): void {
  for (const p of problems) (p.level === 'error' ? io.out : io.err)(`${p.level === 'error' ? 'erreur' : 'attention'} : ${p.message}\n`);
}

async function cmdRepair(dir: string | undefined, io: Io): Promise<number> {
  const store = await projectStore(requireProject(dir));
  const { repairJournal } = await import('../core/project/verify.ts');
  const res = await repairJournal(store);
  if (!res.entry) {
    io.out('Rien à réparer : aucune ligne tronquée dans le journal.\n');
    return 0;
  }
  io.out(`${res.entry.summary}\nRéparation inscrite au journal (entrée n° ${res.entry.seq}).\n`);
  return 0;
}

async function cmdOps(io: Io): Promise<number> {
  const { listOperations } = await import('../core/ops/all.ts');
  for (const op of listOperations()) io.out(`${op.id.padEnd(22)} ${op.kind.padEnd(8)} ${op.description}\n`);
  return 0;
}

async function cmdRunHelp(id: string | undefined, io: Io): Promise<number> {
  const { getOperation } = await import('../core/ops/all.ts');
  const op = id ? getOperation(id) : undefined;
  if (!op) throw new Error(`opération inconnue : ${id ?? '(aucune)'} — voir « loupe ops »`);
  const { describeParams } = await import('./params-help.ts');
  io.out(`${op.id} — ${op.description}\n\nParamètres (--params '<json>') :\n${describeParams(op.params)}`);
  return 0;
}

async function cmdRun(session: Session, id: string | undefined, paramsText: string, format: string, io: Io): Promise<number> {
  const { getOperation } = await import('../core/ops/all.ts');
  const op = id ? getOperation(id) : undefined;
  if (!op) throw new Error(`opération inconnue : ${id ?? '(aucune)'} — voir « loupe ops »`);
  let params: unknown;
  try {
    params = JSON.parse(paramsText);
  } catch {
    throw new Error('--params doit être un objet JSON');
  }
  const res = await session.run(op, params);
  const { quoteIdent } = await import('../core/sql/ident.ts');
  const rows = res.table ? await session.engine.query(`SELECT * FROM ${quoteIdent(res.table)}`) : null;
  if (format === 'json') {
    io.out(
      JSON.stringify({
        operation: op.id,
        summary: res.summary ?? null,
        table: res.table ?? null,
        rows: rows ? JSON.parse(toJson(rows)) : [],
        detail: res.detail ?? null,
        journal: { seq: res.entry.seq, hash: res.entry.hash, digest: res.digest?.digest ?? null },
      }) + '\n',
    );
  } else {
    if (res.summary) io.out(`${res.summary}\n\n`);
    if (rows) io.out(toText(rows));
  }
  return 0;
}

/** The same self-contained HTML report as the app's « Exporter le rapport ». Default: every finding. */
async function cmdReport(
  session: Session,
  out: string | undefined,
  findings: string | undefined,
  investigation: string | undefined,
  allowPersonalData: boolean,
  io: Io,
  layout: { columns: string[]; tz?: string } = { columns: [] },
): Promise<number> {
  if (!out) throw new Error('--out FICHIER.html est requis');
  const columns: Record<string, string[]> = {};
  for (const c of layout.columns) {
    const m = /^([A-Za-z0-9_-]+)=(.+)$/.exec(c);
    if (!m) throw new Error(`--columns attend PREUVE=colonne1,colonne2 : « ${c} »`);
    columns[m[1]!] = m[2]!
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  }
  if (layout.tz) {
    try {
      new Intl.DateTimeFormat('fr-FR', { timeZone: layout.tz });
    } catch {
      throw new Error(`--tz : fuseau horaire inconnu « ${layout.tz} » (exemple : Europe/Paris)`);
    }
  }
  if (findings && investigation) throw new Error('--findings et --investigation ne vont pas ensemble');
  const { renderReport, reportAttachments } = await import('../core/report/report.ts');
  const book = await session.findings();
  const ids = findings
    ? findings
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : book.list().map((f) => f.id);
  const chosen = investigation ? book.list().filter((f) => f.investigationId === investigation) : ids.map((id) => book.get(id));
  // The same check as the app's report panel: a report leaves the office, personal data must not by accident.
  const { checkPersonalData } = await import('../core/privacy/behind.ts');
  const personal = await checkPersonalData(session, chosen);
  if (personal.length) {
    const lines = personal.flatMap((t) => t.columns.map((c) => `  ${t.table}.${c.column} : ${c.kind} (${c.reason})\n`));
    if (!allowPersonalData) {
      io.err(
        `Rapport non écrit : les preuves reposent sur des colonnes qui semblent contenir des données personnelles :\n${lines.join('')}` +
          `Masquez-les (loupe run privacy-mask --help) puis refigez les preuves, ou relancez avec --allow-personal-data pour les exporter telles quelles.\n`,
      );
      return 1;
    }
    io.err(`Attention : données personnelles exportées à votre demande (--allow-personal-data) :\n${lines.join('')}`);
  }
  const { trustedKeys } = await import('./identity-store.ts');
  const target = investigation ? { investigationId: investigation } : { findingIds: ids };
  const html = await renderReport(session, target, {
    trustedKeys: await trustedKeys(),
    columns,
    ...(layout.tz ? { timeZone: layout.tz } : {}),
  });
  const { writeFile } = await import('node:fs/promises');
  await writeFile(resolve(out), html, 'utf8');
  // The report carries each CSV as a link already; beside it, the same files for whoever opens the folder.
  const stem = resolve(out).replace(/\.html?$/i, '');
  for (const a of await reportAttachments(session, target)) {
    await writeFile(`${stem}.${a.name}`, a.csv, 'utf8');
    io.out(`Données complètes : ${stem}.${a.name}\n`);
  }
  io.out(
    `Rapport écrit : ${resolve(out)} (${investigation ? `enquête ${investigation}` : ids.length ? `${ids.length} constatation(s)` : 'sans constatation : sources et journal'})\n`,
  );
  return 0;
}

async function cmdReplay(dir: string | undefined, format: string, io: Io, allowExternal = false): Promise<number> {
  const store = await projectStore(requireProject(dir));
  const { parseJournal } = await import('../core/journal/journal.ts');
  const { verifyProject } = await import('../core/project/verify.ts');
  const { replayJournal } = await import('../core/project/replay.ts');
  const { chainResolvers } = await import('../core/ingest/source.ts');
  const text = await store.readText('journal.ndjson');
  if (text === null) throw new Error(`${store.label} : pas de journal`);
  const chain = await verifyProject(store);
  const { cliExternalResolver } = await import('./project-access.ts');
  const { createNodeEngine } = await import('../node/engine.ts');
  const engine = await createNodeEngine();
  try {
    const report = await replayJournal(
      parseJournal(text).entries,
      engine,
      chainResolvers(store.files(), await cliExternalResolver(store.root, allowExternal)),
    );
    if (format === 'json')
      io.out(JSON.stringify({ chain: { ok: chain.ok, head: chain.head, problems: chain.problems }, ...report }) + '\n');
    else {
      if (!chain.ok) io.out(`Attention : le journal ne se vérifie pas, le rejeu porte sur ce qu'il en reste.\n`);
      printProblems(chain.problems, io);
      io.out(`${report.replayed} opération(s) rejouée(s), ${report.identical} identique(s), ${report.differences.length} différence(s)\n`);
      for (const d of report.differences) io.out(`  #${d.seq} ${d.op} : ${d.reason}\n`);
    }
    return chain.ok && report.differences.length === 0 ? 0 : 1;
  } finally {
    await engine.close();
  }
}
