import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanBudget,
  cleanProjects,
  cleanSubsidies,
  EXEC_HEADER,
  PROJECT_HEADER,
  siret,
  SUB_PAID_HEADER,
  SUB_VOTE_HEADER,
  VOTE_HEADER,
  type Cell,
} from '../fixtures/budget-fixtures.ts';
import { loupe } from '../fixtures/cli.ts';

let dir: string;
const project = () => join(dir, 'projet');

const csv = (header: string[], rows: Cell[][]) =>
  '\uFEFF' + [header, ...rows].map((r) => r.map((v) => (v === null ? '' : String(v))).join(';')).join('\r\n') + '\r\n';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loupe-budget-cli-'));
  const data = join(dir, 'donnees');
  await mkdir(data);
  const b = cleanBudget();
  // 2022, chapter 011: 1 250 executed for 1 000 of credits.
  b.exec.find((r) => r[0] === 2022 && r[4] === '011')![8] = 1250;
  const s = cleanSubsidies();
  s.paid.push(['M9', 2022, 'Collectif Horizon Solidaire', siret('3120456780001'), 24000]);
  const projects = cleanProjects().map((r) => Object.fromEntries(PROJECT_HEADER.map((h, i) => [h, r[i] ?? null])));
  await writeFile(join(data, 'budget-vote.csv'), csv(VOTE_HEADER, b.vote));
  await writeFile(join(data, 'compte-administratif.csv'), csv(EXEC_HEADER, b.exec));
  await writeFile(join(data, 'subventions-votees.csv'), csv(SUB_VOTE_HEADER, s.vote));
  await writeFile(join(data, 'subventions-versees.csv'), csv(SUB_PAID_HEADER, s.paid));
  await writeFile(join(data, 'projets.json'), JSON.stringify(projects));
  const imp = await loupe('import', data, '--project', project());
  expect(imp.code, imp.err).toBe(0);
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

async function run(op: string, params: unknown) {
  const res = await loupe('run', op, '--project', project(), '--params', JSON.stringify(params), '--format', 'json');
  expect(res.code, res.err).toBe(0);
  return JSON.parse(res.out) as {
    summary: string;
    rows: { flag: string | null }[];
    detail: { flags: Record<string, number> };
    journal: { seq: number };
  };
}

describe('loupe run, budget operations', () => {
  it('budget-reconcile from the command line, on imported CSV files', async () => {
    const out = await run('budget-reconcile', { voted: { table: 'budget_vote' }, executed: { table: 'compte_administratif' } });
    expect(out.rows.filter((r) => r.flag).map((r) => r.flag)).toEqual(['depassement_chapitre']);
    expect(out.summary).toContain('chapitre 011 en 2022');
  });

  it('subsidies-reconcile from the command line', async () => {
    const out = await run('subsidies-reconcile', { voted: 'subventions_votees', paid: 'subventions_versees' });
    expect(out.detail.flags).toMatchObject({ verse_sans_vote: 1, vote_jamais_verse: 0, verse_superieur_vote: 0, siret_invalide: 0 });
  });

  it('participatory-budget from the command line, with its parameters documented', async () => {
    const out = await run('participatory-budget', { table: 'projets', envelopes: { '2016': 1000000 } });
    expect(out.rows.filter((r) => r.flag).map((r) => r.flag)).toEqual(['enveloppe_depassee']);
    const help = await loupe('run', 'participatory-budget', '--help');
    expect(help.out).toContain('Enveloppe annoncée par édition');
  });
});
