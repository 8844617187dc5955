// Which files outside a project this machine's user agreed to let that project read. Kept per machine,
// outside every project (a project from someone else cannot approve its own sources), keyed by the
// project's real path, the source's path and its SHA-256: a file changed since is asked about again.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

const FILE = 'approved-sources.json';

/** The user's Loupe folder: LOUPE_HOME, else the platform's config folder. */
export function loupeHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LOUPE_HOME) return env.LOUPE_HOME;
  if (process.platform === 'win32' && env.APPDATA) return join(env.APPDATA, 'Loupe');
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'loupe');
}

interface Approval {
  project: string;
  path: string;
  sha256: string;
  at: string;
}

export class SourceApprovals {
  private constructor(
    private readonly file: string,
    private entries: Approval[],
  ) {}

  static async load(home = loupeHome()): Promise<SourceApprovals> {
    const file = join(home, FILE);
    let entries: Approval[] = [];
    try {
      const raw = JSON.parse(await readFile(file, 'utf8')) as { entries?: unknown };
      if (Array.isArray(raw.entries)) {
        entries = raw.entries.filter(
          (e): e is Approval => !!e && typeof e.project === 'string' && typeof e.path === 'string' && typeof e.sha256 === 'string',
        );
      }
    } catch {
      // None yet, or unreadable: nothing is approved, which only means being asked again.
    }
    return new SourceApprovals(file, entries);
  }

  has(project: string, path: string, sha256: string): boolean {
    return this.entries.some((e) => e.project === project && e.path === path && e.sha256 === sha256);
  }

  /** Approved at some hash: replay compares the hash itself and reports a changed file. */
  hasPath(project: string, path: string): boolean {
    return this.entries.some((e) => e.project === project && e.path === path);
  }

  async add(project: string, items: readonly { path: string; sha256: string }[]): Promise<void> {
    const fresh = items.filter((i) => !this.has(project, i.path, i.sha256));
    if (!fresh.length) return;
    // Another command may have approved something since this one read the file: start from its copy.
    this.entries = (await SourceApprovals.load(join(this.file, '..'))).entries;
    const at = new Date().toISOString();
    // One approval per project and path: the newest hash replaces the old one.
    this.entries = [
      ...this.entries.filter((e) => !(e.project === project && fresh.some((i) => i.path === e.path))),
      ...fresh.map((i) => ({ project, path: i.path, sha256: i.sha256, at })),
    ];
    await mkdir(join(this.file, '..'), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify({ format: 'loupe-approved-sources', version: 1, entries: this.entries }, null, 2) + '\n', {
      mode: 0o600,
    });
    await rename(tmp, this.file);
  }
}
