// One writer per project folder: an exclusive lock file (who, which process, which machine, since
// when). Two `loupe import` at once would otherwise both number their journal entry 1 and the last
// manifest written would drop the other's table. A lock left by a process that died on this machine
// is taken over; one held by a live process, or by another machine, is waited for, then refused.
import { constants } from 'node:fs';
import { link, lstat, open, readFile, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeNewFile } from './fs-atomic.ts';

export const LOCK_FILE = 'loupe.lock';

export interface LockInfo {
  holder: string;
  pid: number;
  host: string;
  at: string;
}

export class ProjectLockedError extends Error {
  constructor(
    readonly root: string,
    readonly info: LockInfo | null,
    waitedMs: number,
  ) {
    const who = info
      ? `${info.holder} (processus ${info.pid} sur ${info.host}, depuis ${info.at})`
      : 'un autre programme (verrou illisible)';
    super(
      `${root} : le projet est déjà ouvert en écriture par ${who} ; attendu ${Math.round(waitedMs / 100) / 10} s. ` +
        `Réessayez quand il aura fini${info && info.host !== hostname() ? ` — si ${info.host} n’écrit plus dans ce projet, supprimez ${LOCK_FILE}` : ''}.`,
    );
    this.name = 'ProjectLockedError';
  }
}

export interface ProjectLock {
  readonly info: LockInfo;
  /** A lock taken over from a process that died, for the caller to report. */
  readonly tookOver: LockInfo | null;
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readLock(path: string): Promise<LockInfo | null | 'missing'> {
  const st = await lstat(path).catch(() => null);
  if (!st) return 'missing';
  // A link in place of the lock is not read: it could point at any file.
  if (!st.isFile() || st.isSymbolicLink()) return null;
  try {
    const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    const text = await fh.readFile('utf8').finally(() => fh.close());
    const v = JSON.parse(text.slice(0, 4096)) as Partial<LockInfo>;
    if (typeof v.pid !== 'number' || typeof v.host !== 'string') return null;
    return { holder: String(v.holder ?? '?').slice(0, 200), pid: v.pid, host: v.host.slice(0, 200), at: String(v.at ?? '?').slice(0, 40) };
  } catch {
    return null;
  }
}

/**
 * Takes the project's lock, waiting up to `waitMs` for a live holder to finish. `onWait` is told once
 * who holds it, so a person knows why nothing happens yet.
 */
export async function acquireProjectLock(
  root: string,
  opts: {
    holder: string;
    waitMs?: number;
    onWait?: (info: LockInfo | null) => void;
    /** A lock this very process holds is taken again (the desktop app reopening its own project). */
    reentrant?: boolean;
  },
): Promise<ProjectLock> {
  const path = join(root, LOCK_FILE);
  const info: LockInfo = { holder: opts.holder, pid: process.pid, host: hostname(), at: new Date().toISOString() };
  const text = JSON.stringify(info) + '\n';
  const waitMs = opts.waitMs ?? 60_000;
  const t0 = Date.now();
  let told = false;
  let tookOver: LockInfo | null = null;
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    try {
      await writeNewFile(path, text);
      return {
        info,
        tookOver,
        async release() {
          const now = await readFile(path, 'utf8').catch(() => null);
          if (now === text) await unlink(path).catch(() => undefined);
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const held = await readLock(path);
    if (held === 'missing') continue;
    if (held && held.host === hostname() && (!alive(held.pid) || (opts.reentrant && held.pid === process.pid))) {
      // Dead holder on this machine: move its lock aside, and put it back if another process
      // replaced it in the meantime (then that one is alive and holds the project).
      const aside = `${path}.${process.pid}.stale`;
      try {
        await rename(path, aside);
        const moved = await readLock(aside);
        if (moved !== 'missing' && moved && moved.pid === held.pid && moved.at === held.at) {
          tookOver = held;
          await unlink(aside).catch(() => undefined);
        } else {
          await link(aside, path).catch(() => undefined);
          await unlink(aside).catch(() => undefined);
        }
      } catch {
        // Someone else moved it first: try again.
      }
      continue;
    }
    if (Date.now() - t0 >= waitMs) throw new ProjectLockedError(root, held, Date.now() - t0);
    if (!told) {
      told = true;
      opts.onWait?.(held);
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}
