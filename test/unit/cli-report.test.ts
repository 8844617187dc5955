// `loupe report` from a terminal: the same personal-data check as the app's report panel, and a report
// of sources and journal when the project has no finding yet.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loupe } from '../fixtures/cli.ts';
import { attachEvidence, createFinding, sourceEvidence } from '../../src/core/findings/index.ts';
import { nodeFileResolver } from '../../src/node/node-source.ts';
import { NodeProjectStore } from '../../src/node/node-store.ts';
import { Session } from '../../src/core/project/session.ts';
import { withFreshEngine } from './helpers.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loupe-cli-report-'));
  await writeFile(
    join(dir, 'contacts.csv'),
    'Bénéficiaire;Courriel;Montant\n' +
      Array.from({ length: 12 }, (_, i) => `Association ${i};personne.${i}@exemple.fr;${100 + i},00`).join('\n') +
      '\n',
  );
  await writeFile(join(dir, 'budget.csv'), 'Chapitre;Montant\n011;1000,00\n012;2000,00\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('loupe report', () => {
  it('writes a report of sources and journal for a project without findings', async () => {
    const project = join(dir, 'sans');
    expect((await loupe('import', join(dir, 'budget.csv'), '--project', project)).code).toBe(0);
    const out = join(dir, 'sans.html');
    const res = await loupe('report', '--project', project, '--out', out);
    expect(res).toMatchObject({ code: 0, out: expect.stringContaining('sans constatation : sources et journal') });
    const html = await readFile(out, 'utf8');
    expect(html).toContain('Ce rapport ne contient aucune constatation');
    expect(html).toContain('budget.csv');
    const journal = (await readFile(join(project, 'journal.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    for (const e of journal) expect(html).toContain(e.hash);
  });

  it('refuses to write a report whose evidence rests on e-mail addresses, unless told to', async () => {
    const project = join(dir, 'perso');
    await withFreshEngine(async (engine) => {
      const s = await Session.create(engine, new NodeProjectStore(project), nodeFileResolver, 'Perso');
      await s.importPath(join(dir, 'contacts.csv'));
      const f = await createFinding(s, { title: 'Versements' }, { by: 'Alice' });
      await attachEvidence(s, f.id, await sourceEvidence(s, 'contacts'), { by: 'Alice' });
    });
    const out = join(dir, 'perso.html');
    // The project was made through the API, not the CLI: its outside source is approved for these runs.
    const refused = await loupe('report', '--project', project, '--out', out, '--allow-external-sources');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/Rapport non écrit.*\n\s+contacts\.courriel : email/);
    await expect(readFile(out, 'utf8')).rejects.toThrow();
    const allowed = await loupe('report', '--project', project, '--out', out, '--allow-personal-data', '--allow-external-sources');
    expect(allowed.code).toBe(0);
    expect(allowed.err).toMatch(/données personnelles exportées à votre demande/);
    expect(await readFile(out, 'utf8')).toContain('Versements');
  });
});
