// The budget checks on real public files (/work/shared/data, reached as ../shared/data from the repo
// root), imported through the CLI as a user would. Skipped, with the reason, where the files are absent.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loupe } from '../fixtures/cli.ts';

const DATA = resolve(process.cwd(), '../shared/data');
const GIRONDE = join(DATA, 'cedi_2014_CA.csv');
const PARIS = join(DATA, 'seed_pdf_budget_vote_2023.csv');
const present = existsSync(GIRONDE) && existsSync(PARIS);
if (!present) console.warn(`budget-real-files : ignoré, ${GIRONDE} ou ${PARIS} absent (données publiques de ../shared/data)`);

let dir: string;
const project = () => join(dir, 'projet');

interface RunJson {
  summary: string;
  detail: Record<string, unknown> & {
    orderChecks: { source: string; ran: boolean; pairs: number; unbalanced: number; reason?: string }[];
    normalisations: {
      executed: { field: string; values: number; rows: number; rules: string[]; examples: { from: string; to: string }[] }[];
    };
    rate: number | null;
    population: { read: number; used: number };
    mappings: { executed: Record<string, string> };
  };
  rows: Record<string, unknown>[];
}

async function run(op: string, params: unknown): Promise<RunJson> {
  const res = await loupe('run', op, '--project', project(), '--params', JSON.stringify(params), '--format', 'json');
  expect(res.code, res.err).toBe(0);
  return JSON.parse(res.out) as RunJson;
}

/** The Gironde file read independently of Loupe: comma-separated, no quotes, every field space-padded. */
function gironde(): Record<string, string>[] {
  const [head, ...lines] = readFileSync(GIRONDE, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim());
  const names = head!.split(',').map((h) => h.trim());
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i]!, v])));
}

describe.skipIf(!present)('budget checks on real files', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loupe-budget-real-'));
    const imp = await loupe('import', GIRONDE, PARIS, '--project', project());
    expect(imp.code, imp.err).toBe(0);
  }, 120_000);
  afterAll(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));

  it('Gironde 2014 (M52): the prefixed, padded codes are read, shown, and the order operations checked', async () => {
    // Paris' 2023 voted budget against Gironde's 2014 account: nothing can match, and no rate is given.
    const res = await run('budget-reconcile', { voted: { table: 'seed_pdf_budget_vote_2023' }, executed: { table: 'cedi_2014_ca' } });
    expect(res.detail.mappings.executed).toMatchObject({
      opType: 'reel_ordre_id_ordre_diff',
      chapter: 'chapitre',
      nature: 'article',
      function: 'rubrique_fonctionnelle',
    });
    expect(res.summary.startsWith('Population — ')).toBe(true);
    expect(res.detail.population.used).toBe(0);
    expect(res.detail.rate).toBeNull();
    expect(res.summary).toContain('Aucun exercice commun : voté 2023, réalisé 2014.');

    const lines = gironde();
    const by = Object.fromEntries(res.detail.normalisations.executed.map((n) => [n.field, n]));
    const distinct = (col: string) => new Set(lines.map((l) => l[col])).size;
    expect(by.chapter).toMatchObject({ values: distinct('Chapitre'), rows: lines.length });
    expect(by.chapter!.rules).toContain('préfixe C retiré');
    expect(by.nature).toMatchObject({ values: distinct('Article') });
    expect(by.nature!.rules).toEqual(expect.arrayContaining(['préfixe A retiré', 'espaces retirés']));
    expect(by.function!.rules).toEqual(expect.arrayContaining(['préfixe R retiré', 'espaces retirés']));
    expect(by.function!.examples.some((e) => /^R\d+␣+$/.test(e.from) && e.to === e.from.replace(/^R|␣/g, ''))).toBe(true);
    expect(by.opType!.examples.map((e) => `${e.from}→${e.to}`).sort()).toEqual(['OE→O', 'OI→O', 'OR→R']);

    // The executed side's order operations, summed here from the file itself: each pair is found and balanced.
    const total = (sens: string, chapter: string) =>
      lines
        .filter((l) => l['Dépense/Recette'] === sens && l['Chapitre']!.trim() === chapter)
        .reduce((a, l) => a + Math.round(Number(l['Montant']) * 100), 0) / 100;
    const pairs = res.rows
      .filter((r) => r.portee === 'ordre' && r.source === 'realise')
      .map((r) => [r.chapitre, Number(r.depenses), Number(r.recettes), r.flag]);
    expect(pairs.sort()).toEqual([
      ['040 ↔ 042', total('D', 'C040'), total('R', 'C042'), null],
      ['041 ↔ 041', total('D', 'C041'), total('R', 'C041'), null],
      ['042 ↔ 040', total('D', 'C042'), total('R', 'C040'), null],
    ]);
    expect(total('D', 'C042')).toBeGreaterThan(0);
    expect(res.detail.orderChecks).toEqual([
      expect.objectContaining({ source: 'vote', ran: false }),
      { source: 'realise', ran: true, pairs: 3, unbalanced: 0 },
    ]);
    // Paris votes by function (chapters 9xx): its order operations are elsewhere, and the summary says so.
    expect(res.detail.orderChecks[0]!.reason).toMatch(/présentation fonctionnelle \(chapitres 9xx\)/);
    expect(res.summary).toContain('réalisé contrôlé (3 paires, toutes équilibrées)');
  }, 120_000);
});
