// Recent projects, and for each the outside sources the user once chose for it, kept in the app's own
// data folder — never in the project, since a project from someone else must not grant itself access.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { ProjectInfo } from './api.ts';
import { writeFileAtomic } from '../src/node/fs-atomic.ts';

const MAX_RECENT = 15;
const MAX_SOURCES = 10_000;

const Path = z
  .string()
  .min(1)
  .max(64 * 1024);
const RecentFile = z.object({
  projects: z.array(z.object({ root: Path, name: z.string().max(1000) })).max(100),
  sources: z.record(Path, z.array(Path).max(MAX_SOURCES)),
});
type RecentFile = z.infer<typeof RecentFile>;

export class RecentStore {
  private data: RecentFile = { projects: [], sources: {} };
  private loaded = false;

  constructor(private readonly file: string) {}

  private async load(): Promise<RecentFile> {
    if (!this.loaded) {
      this.loaded = true;
      try {
        const r = RecentFile.safeParse(JSON.parse(await readFile(this.file, 'utf8')));
        if (r.success) this.data = r.data;
      } catch {
        // Missing or damaged: start with an empty list.
      }
    }
    return this.data;
  }

  private save(): Promise<void> {
    return writeFileAtomic(this.file, JSON.stringify(this.data));
  }

  async projects(): Promise<ProjectInfo[]> {
    return [...(await this.load()).projects];
  }

  async has(root: string): Promise<boolean> {
    return (await this.load()).projects.some((p) => p.root === root);
  }

  async touch(project: ProjectInfo): Promise<void> {
    const d = await this.load();
    d.projects = [project, ...d.projects.filter((p) => p.root !== project.root)].slice(0, MAX_RECENT);
    const keep = new Set(d.projects.map((p) => p.root));
    for (const root of Object.keys(d.sources)) if (!keep.has(root)) delete d.sources[root];
    await this.save();
  }

  async sources(root: string): Promise<string[]> {
    return [...((await this.load()).sources[root] ?? [])];
  }

  async rememberSource(root: string, path: string): Promise<void> {
    const d = await this.load();
    const list = d.sources[root] ?? [];
    if (list.includes(path)) return;
    d.sources[root] = [...list, path].slice(-MAX_SOURCES);
    await this.save();
  }
}
