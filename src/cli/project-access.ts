// How the CLI opens a project: one writer at a time (the project's lock), interrupted writes cleaned
// and reported, and files outside the project read only once this machine's user approved them —
// by naming them on the command line, by --allow-external-sources, or earlier (remembered per machine).
import { existsSync } from 'node:fs';
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { createNodeEngine } from '../node/engine.ts';
import { approvedFileResolver, nodeFileResolver } from '../node/node-source.ts';
import { MANIFEST_FILE, parseManifest, SOURCES_DIR, type Manifest } from '../core/project/manifest.ts';
import { acquireProjectLock, type ProjectLock } from '../node/node-lock.ts';
import { NodeProjectStore, realProjectPath } from '../node/node-store.ts';
import { Session } from '../core/project/session.ts';
import { SourceApprovals } from './approvals.ts';

export interface CliIo {
  out: (s: string) => void;
  err: (s: string) => void;
}

export interface AccessOptions {
  /** Create the project if the folder holds none (import). */
  create?: boolean;
  /** The command writes (journal, manifest): it takes the project's lock. */
  write?: boolean;
  /** --allow-external-sources: every source outside the project may be read (and is then remembered). */
  allowExternal?: boolean;
  /** Files and folders named on the command line: approved by being named. */
  named?: string[];
  /** For the lock's holder field. */
  command?: string;
}

function under(abs: string, dirs: readonly string[]): boolean {
  return dirs.some((d) => abs === d || abs.startsWith(d.endsWith(sep) ? d : d + sep));
}

export function externalRefusal(path: string): string {
  return (
    `source hors du projet non approuvée sur cette machine (${path}) : un projet reçu ne lit pas vos fichiers sans votre accord — ` +
    'relancez avec --allow-external-sources pour l’autoriser (ce choix est retenu pour ce projet et ce fichier), ' +
    'ou importez le fichier avec --copy pour que le projet en garde une copie'
  );
}

/** Opens (or creates) the project, runs `fn`, and always closes the engine and releases the lock. */
export async function withCliSession(root: string, opts: AccessOptions, io: CliIo, fn: (s: Session) => Promise<number>): Promise<number> {
  let lock: ProjectLock | null = null;
  // No lock in a folder that holds no project: say so, rather than fail on the lock file.
  if (!opts.create && !existsSync(join(root, MANIFEST_FILE))) throw new Error(`${root} : aucun projet Loupe ici (${MANIFEST_FILE} absent)`);
  if (opts.write) {
    if (opts.create) await mkdir(root, { recursive: true });
    lock = await acquireProjectLock(root, {
      holder: `loupe ${opts.command ?? ''}`.trim(),
      waitMs: Number(process.env.LOUPE_LOCK_WAIT_MS) || undefined,
      onWait: (h) =>
        io.err(
          `Projet en cours d’écriture par ${h ? `${h.holder} (processus ${h.pid} sur ${h.host})` : 'un autre programme'} : attente…\n`,
        ),
    });
    if (lock.tookOver)
      io.err(`Verrou abandonné repris : ${lock.tookOver.holder} (processus ${lock.tookOver.pid}, arrêté) ne l’avait pas rendu.\n`);
  }
  try {
    const store = new NodeProjectStore(root);
    if (lock) {
      for (const t of await store.cleanStrayTemporaryFiles()) {
        io.err(`Écriture interrompue trouvée et supprimée : ${t} (le fichier qu’elle remplaçait est resté tel qu’avant)\n`);
      }
    }
    const project = realProjectPath(root);
    const approvals = await SourceApprovals.load();
    const named = (opts.named ?? []).map((p) => resolve(p));
    const text = await store.readText(MANIFEST_FILE);
    let manifest: Manifest | null = null;
    try {
      manifest = text === null ? null : parseManifest(text, root);
    } catch {
      manifest = null; // Session.open reports it
    }
    const remembered = new Set(
      (manifest?.sources ?? [])
        .filter((s) => isAbsolute(s.path) && approvals.has(project, resolve(s.path), s.sha256))
        .map((s) => resolve(s.path)),
    );
    const external = approvedFileResolver((abs) => !!opts.allowExternal || under(abs, named) || remembered.has(abs), externalRefusal);
    const engine = await createNodeEngine();
    try {
      let session: Session;
      if (text === null) {
        if (!opts.create) throw new Error(`${root} : aucun projet Loupe ici (${MANIFEST_FILE} absent)`);
        session = await Session.create(engine, store, external, root.split(/[\\/]/).pop() || 'projet');
      } else {
        const opened = await Session.open(engine, store, external);
        session = opened.session;
        for (const p of opened.problems) io.err(`Source non rechargée — ${p.fileName} : ${p.reason}\n`);
        // Tables read from the project's cache are checked before a command answers from them.
        for (const p of await session.checks) io.err(`${p.kind === 'cache' ? 'Copie en cache' : 'Source'} — ${p.fileName} : ${p.reason}\n`);
      }
      const code = await fn(session);
      await session.cacheIdle();
      // What loaded from outside with the user's approval (named now, or the flag) is remembered with its hash.
      const approve = session.manifest.sources
        .filter((s) => isAbsolute(s.path) && (opts.allowExternal || under(resolve(s.path), named)) && session.catalog.has(s.table))
        .map((s) => ({ path: resolve(s.path), sha256: s.sha256 }));
      await approvals.add(project, approve).catch((e: Error) => io.err(`Approbation non retenue : ${e.message}\n`));
      return code;
    } finally {
      await engine.close();
    }
  } finally {
    await lock?.release();
  }
}

/**
 * `loupe import --copy`: the file (or folder) is copied under sources/ first and imported from there,
 * so the project can be handed over and replayed on another machine. Returns the project-relative path.
 */
export async function copyIntoProject(root: string, abs: string): Promise<string> {
  const st = await stat(abs);
  const base = basename(abs).replace(/^\.+/, '_') || 'source';
  let name = base;
  for (
    let i = 2;
    await stat(join(root, SOURCES_DIR, name)).then(
      () => true,
      () => false,
    );
    i++
  ) {
    const dot = base.lastIndexOf('.');
    name = st.isDirectory() || dot <= 0 ? `${base}-${i}` : `${base.slice(0, dot)}-${i}${base.slice(dot)}`;
  }
  const target = join(root, SOURCES_DIR, name);
  const files = st.isDirectory() ? await nodeFileResolver.list(abs) : [abs];
  for (const f of files) {
    const to = st.isDirectory() ? join(target, relative(abs, f)) : target;
    await mkdir(join(to, '..'), { recursive: true });
    await copyFile(f, to);
  }
  return `${SOURCES_DIR}/${name}`;
}

/** For commands that read sources without opening a session (replay): approved outside files only. */
export async function cliExternalResolver(root: string, allowExternal: boolean) {
  const project = realProjectPath(root);
  const approvals = await SourceApprovals.load();
  return approvedFileResolver((abs) => allowExternal || approvals.hasPath(project, abs), externalRefusal);
}
