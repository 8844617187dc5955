import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeFileResolver } from '../../src/node/node-source.ts';
import { NodeProjectStore } from '../../src/node/node-store.ts';
import { Session } from '../../src/core/project/session.ts';
import { runOperation } from '../../src/core/ops/registry.ts';
import { correctWords, ruleWords, withinOneEdit } from '../../src/core/budget/columns.ts';
import {
  participatoryBudget,
  participatoryUnplaced,
  proposeProjectColumns,
  type ParticipatoryFlag,
} from '../../src/core/budget/participatory.ts';
import { addTable, cleanProjects, PROJECT_HEADER, scratchEngine, type Cell } from '../fixtures/budget-fixtures.ts';
import {
  PARIS_HEADER,
  parisProjects,
  REAL_PARIS_WIDE,
  REAL_STATUS_COUNTS,
  realSizedParisProjects,
  TRAP_STATUS_COUNTS,
  type ParisProject,
} from '../fixtures/paris-participatory.ts';
import { headers, suite } from './helpers.ts';

const bench = suite(scratchEngine);
let n = 0;

async function run(edit: (rows: Cell[][]) => void = () => {}, params: Record<string, unknown> = {}) {
  const rows = cleanProjects();
  edit(rows);
  const name = `bp${n++}`;
  await addTable(bench.ctx, name, PROJECT_HEADER, rows);
  const res = await runOperation(bench.ctx, participatoryBudget, { table: name, ...params });
  const flagged = await bench.engine.query(
    `SELECT flag, edition, numero, explication FROM "${res.table}" WHERE flag IS NOT NULL ORDER BY flag`,
  );
  return { res, flagged: flagged.rows, flags: flagged.rows.map((r) => r[0] as ParticipatoryFlag) };
}

const set = (rows: Cell[][], id: string, field: string, v: Cell) => {
  rows.find((r) => r[0] === id)![PROJECT_HEADER.indexOf(field)] = v;
};

describe('participatory-budget', () => {
  it('sums each edition and arrondissement, and finds nothing wrong in a clean set', async () => {
    const { res, flags } = await run();
    expect(flags).toEqual([]);
    const ed = await bench.engine.query(
      `SELECT edition, nb_projets, CAST(montant_alloue AS DOUBLE), nb_livres, nb_en_cours, nb_non_demarres, nb_abandonnes, delai_median_mois, round(part_qp, 4), CAST(montant_ecoles AS DOUBLE)
       FROM "${res.table}" WHERE portee = 'edition' ORDER BY edition`,
    );
    // 2016: 1 200 000 €, 400 000 in working-class neighbourhoods (33,33 %), delivered in March 2018,
    // 14 months after January 2017; 2017: delivered in June 2019, 17 months after January 2018.
    expect(ed.rows).toEqual([
      [2016, 3, 1_200_000, 1, 1, 1, 0, 14, 0.3333, 600_000],
      [2017, 1, 300_000, 1, 0, 0, 0, 17, 1, 0],
    ]);
    const arr = await bench.engine.query(`SELECT arrondissement FROM "${res.table}" WHERE portee = 'arrondissement' AND edition = 2016`);
    expect(arr.rows.map((r) => r[0])).toEqual(['11', '18', 'Tout Paris']);
    expect(res.detail?.columns).toMatchObject({
      amount: 'budget_alloue',
      planned: 'date_livraison_prevue',
      delivered: 'date_livraison_reelle',
      workingClass: 'quartier_populaire',
      schools: 'projet_ecoles',
    });
    expect(res.summary).toContain('4 projets sur 2 éditions');
  });

  it('livraison_tardive: delivered more than two years (24 months) after the planned month', async () => {
    // Planned June 2018, delivered January 2021: 31 months.
    const { flags, flagged } = await run((r) => set(r, 'BP2017-0001', 'date_livraison_reelle', '2021-01-01'));
    expect(flags).toEqual(['livraison_tardive']);
    expect(flagged[0]?.[2]).toBe('BP2017-0001');
    expect(flagged[0]?.[3]).toContain('31 mois de retard (seuil : 24 mois)');
  });

  it('abandon_apres_allocation: abandoned with an amount allocated', async () => {
    const { flags, flagged } = await run((r) => set(r, 'BP2016-0003', 'statut', 'Abandonné'));
    expect(flags).toEqual(['abandon_apres_allocation']);
    expect(flagged[0]?.[3]).toContain('200 000 €');
  });

  it('enveloppe_depassee: an edition allocated beyond its announced envelope', async () => {
    const { flags, flagged } = await run(() => {}, { envelopes: { '2016': 1_000_000 } });
    expect(flags).toEqual(['enveloppe_depassee']);
    expect(flagged[0]?.[1]).toBe(2016);
  });

  it('quartiers_populaires_sous_cible: an edition below the working-class target', async () => {
    const { flags, flagged } = await run((r) => set(r, 'BP2016-0001', 'quartier_populaire', 'Non'));
    expect(flags).toEqual(['quartiers_populaires_sous_cible']);
    expect(flagged[0]?.[3]).toMatch(/0,0 % des montants alloués, sous la cible annoncée de 30,0 %/);
  });
});

// ---------------------------------------------------------------------------------------------
// The Paris export `bp_projets_gagnants`, generated with each of its traps (test/fixtures/paris-participatory.ts).

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? null : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

async function runParis(projects: ParisProject[], params: Record<string, unknown> = {}, types?: string[]) {
  const name = `paris${n++}`;
  await addTable(
    bench.ctx,
    name,
    [...PARIS_HEADER],
    projects.map((p) => p.cells),
    types,
  );
  const res = await runOperation(bench.ctx, participatoryBudget, { table: name, ...params });
  return { res, detail: res.detail!, name };
}

describe('participatory-budget on the shape of the Paris export', () => {
  const projects = parisProjects();
  const truths = projects.map((p) => p.truth);
  const delivered = truths.filter((t) => t.stage === 'livre');

  it('recognises its columns, the misspelt « Date prévisonnelle » and the scale included', async () => {
    const { detail, name } = await runParis(projects);
    const col = (label: string) => bench.ctx.catalog.get(name)!.columns.find((c) => c.label === label)!.name;
    expect(detail.columns).toMatchObject({
      id: col('Numéro du projet'),
      edition: col('Edition'),
      scale: col('Echelle du Budget participatif'),
      arrondissement: col('Arrondissement'),
      amount: col('Budget global du projet'),
      status: col('Avancement du projet'),
      planned: col('Date prévisonnelle de livraison du projet'),
      delivered: col('Date de livraison du projet'),
      workingClass: col('Projet en quartier populaire'),
    });
  });

  it('counts each stage of the pipeline, FIN and LIVRAISON as delivered, and lists the status it does not understand', async () => {
    const { res, detail } = await runParis(projects);
    const byStage = (s: string) => truths.filter((t) => t.stage === s).length;
    expect(Object.fromEntries(detail.stages.map((s) => [s.stage, s.projects]))).toEqual({
      non_demarre: byStage('non_demarre'),
      etudes: byStage('etudes'),
      procedures: byStage('procedures'),
      travaux: byStage('travaux'),
      en_cours: 0,
      livre: byStage('livre'),
      abandonne: byStage('abandonne'),
    });
    // The pipeline is ordered; abandonment is outside it.
    expect(detail.stages.filter((s) => s.rank !== null).map((s) => s.stage)).toEqual([
      'non_demarre',
      'etudes',
      'procedures',
      'travaux',
      'livre',
    ]);
    const unknown = TRAP_STATUS_COUNTS.filter(
      ([s]) => !['FIN', 'LIVRAISON', 'TRAVAUX', 'PROCEDURES', 'ETUDES', '(non démarré)', 'ABANDONNÉ'].includes(s),
    );
    expect(detail.unknownStatuses).toEqual(unknown.map(([value, rows]) => ({ value, rows })));
    expect(detail.population).toMatchObject({ read: projects.length, used: projects.length - sum(unknown.map(([, k]) => k)) });
    expect(detail.delivered).toBe(delivered.length);
    // The population comes first, with the value not understood, then the headline.
    expect(res.summary!.indexOf('lignes lues')).toBeLessThan(res.summary!.indexOf('livrés sur'));
    expect(res.summary).toContain('statut non compris (« SUSPENDU »)');
    const ed = await bench.engine.query(
      `SELECT sum(nb_etudes), sum(nb_procedures), sum(nb_travaux), sum(nb_en_cours), sum(nb_statut_inconnu) FROM "${res.table}" WHERE portee = 'edition' AND flag IS NULL`,
    );
    expect(ed.rows[0]!.map(Number)).toEqual([
      byStage('etudes'),
      byStage('procedures'),
      byStage('travaux'),
      byStage('etudes') + byStage('procedures') + byStage('travaux'),
      unknown[0]![1],
    ]);
  });

  it('keeps the Paris-wide projects at 75004 out of the 4th, reads 75116 as the 16th and 75123 as Paris Centre, and lists an unknown code', async () => {
    const { res, detail } = await runParis(projects);
    const arr = await bench.engine.query(
      `SELECT arrondissement, sum(nb_projets), CAST(sum(montant_alloue) AS DOUBLE) FROM "${res.table}" WHERE portee = 'arrondissement' GROUP BY 1`,
    );
    const got = Object.fromEntries(arr.rows.map((r) => [r[0], [Number(r[1]), Number(r[2])]]));
    const expected = (a: string | null) => {
      const ts = truths.filter((t) => t.arrondissement === a);
      return [ts.length, sum(ts.map((t) => t.amount))];
    };
    for (const a of ['Tout Paris', '4', '16', 'Paris Centre', '11', '20', '1']) expect(got[a], a).toEqual(expected(a));
    expect(got['75999']).toEqual(expected(null));
    expect(Object.keys(got)).not.toContain('75116');
    expect(Object.keys(got)).not.toContain('75123');
    const wide = truths.filter((t) => t.parisWide);
    expect(detail.parisWide).toEqual({ projects: wide.length, allocated: sum(wide.map((t) => t.amount)) });
    expect(detail.unknownArrondissements).toEqual([{ value: '75999', rows: expected(null)[0] }]);
  });

  it('reads month dates as the first of the month: delays in months, late beyond 24 months, unreadable dates counted', async () => {
    const { res, detail } = await runParis(projects);
    const late = delivered.filter((t) => t.lateMonths !== null && t.lateMonths > 24);
    expect(late.length).toBeGreaterThan(0);
    expect(detail.flags.livraison_tardive).toBe(late.length);
    const lateRows = await bench.engine.query(`SELECT retard_mois FROM "${res.table}" WHERE flag = 'livraison_tardive' ORDER BY 1`);
    expect(lateRows.rows.map((r) => r[0])).toEqual(late.map((t) => t.lateMonths).sort((a, b) => a! - b!));
    for (const e of detail.editions) {
      expect(e.medianDelayMonths, String(e.edition)).toBe(
        median(delivered.filter((t) => t.edition === e.edition && t.monthsFromEdition !== null).map((t) => t.monthsFromEdition!)),
      );
    }
    const unreadable = truths.filter((t) => t.deliveredUnreadable);
    expect(unreadable.length).toBeGreaterThan(0);
    expect(detail.unparsedDates).toEqual([
      {
        role: 'delivered',
        column: 'Date de livraison du projet',
        rows: unreadable.length,
        examples: expect.arrayContaining([`courant ${unreadable[0]!.edition + 3}`]),
      },
    ]);
    expect(res.summary).toMatch(/date illisible dans « Date de livraison du projet »/);
    // A stricter threshold: the parameter still means something.
    const strict = await runParis(projects, { lateYears: 0.5 });
    expect(strict.detail.flags.livraison_tardive).toBe(delivered.filter((t) => t.lateMonths !== null && t.lateMonths > 6).length);
  });

  it('gives the same delays when the import made the month columns DATE', async () => {
    const asDate = projects.map((p) => ({
      ...p,
      cells: p.cells.map((c, i) =>
        i >= 7 && i <= 11 && typeof c === 'string' && /^\d{4}-\d\d$/.test(c)
          ? `${c}-01`
          : i >= 7 && i <= 11 && !/^\d{4}-\d\d$/.test(String(c))
            ? null
            : c,
      ),
    }));
    const types = PARIS_HEADER.map((_, i) => (i >= 7 && i <= 11 ? 'DATE' : i === 1 || i === 5 ? 'INTEGER' : 'VARCHAR'));
    const text = await runParis(projects);
    const dated = await runParis(asDate, {}, types);
    expect(dated.detail.flags.livraison_tardive).toBe(text.detail.flags.livraison_tardive);
    expect(dated.detail.editions.map((e) => e.medianDelayMonths)).toEqual(text.detail.editions.map((e) => e.medianDelayMonths));
    expect(dated.detail.unparsedDates).toEqual([]);
  });

  it('applies the working-class target from 2016 only, unless told otherwise', async () => {
    const share = (e: number) => {
      const ts = truths.filter((t) => t.edition === e);
      return sum(ts.filter((t) => t.workingClass).map((t) => t.amount)) / sum(ts.map((t) => t.amount));
    };
    const under = (from: number) => [2014, 2015, 2016, 2017].filter((e) => e >= from && share(e) < 0.3);
    expect(under(2014).some((e) => e < 2016)).toBe(true);
    const { res, detail } = await runParis(projects);
    const flagged = await bench.engine.query(
      `SELECT edition FROM "${res.table}" WHERE flag = 'quartiers_populaires_sous_cible' ORDER BY 1`,
    );
    expect(flagged.rows.map((r) => r[0])).toEqual(under(2016));
    expect(detail.editions.filter((e) => e.edition < 2016).map((e) => e.workingClassTarget)).toEqual([null, null]);
    const from2014 = await runParis(projects, { workingClassFrom: 2014 });
    expect(from2014.detail.flags.quartiers_populaires_sous_cible).toBe(under(2014).length);
  });

  it('on the real distribution: 843 delivered of 1 214 (69,4 %), FIN included', async () => {
    const real = realSizedParisProjects();
    expect(real).toHaveLength(sum(REAL_STATUS_COUNTS.map(([, k]) => k)));
    const { res, detail } = await runParis(real);
    const expectedDelivered = sum(REAL_STATUS_COUNTS.filter(([s]) => s === 'FIN' || s === 'LIVRAISON').map(([, k]) => k));
    expect(expectedDelivered).toBe(843);
    expect(detail.delivered).toBe(expectedDelivered);
    expect(detail.population).toMatchObject({ read: 1214, used: 1214, setAside: [] });
    expect(detail.deliveredRate).toBeCloseTo(843 / 1214, 10);
    // The 63 Paris-wide projects at 75004 stay out of the 4th.
    const wide = real.filter((p) => p.truth.parisWide);
    expect(wide).toHaveLength(REAL_PARIS_WIDE);
    expect(detail.parisWide).toEqual({ projects: REAL_PARIS_WIDE, allocated: sum(wide.map((p) => p.truth.amount)) });
    const fourth = await bench.engine.query(
      `SELECT sum(nb_projets) FROM "${res.table}" WHERE portee = 'arrondissement' AND arrondissement = '4'`,
    );
    expect(Number(fourth.rows[0]![0])).toBe(real.filter((p) => p.truth.arrondissement === '4').length);
    expect(res.summary!.replace(/[\u00a0\u202f]/g, ' ')).toMatch(
      /^Budget participatif \(« paris\d+ »\) : 1 214 lignes lues, 1 214 classées/,
    );
    expect(res.summary!.replace(/[\u00a0\u202f]/g, ' ')).toContain('843 livrés sur 1 214 projets classés (69,4 %)');
  });

  it('tells what the tile map cannot place: Tout Paris, Paris Centre and the unknown code, per edition too', async () => {
    const { res } = await runParis(projects);
    const off = (edition: number | null) => {
      const ts = truths.filter((t) => (edition === null || t.edition === edition) && !/^([1-9]|1[0-9]|20)$/.test(t.arrondissement ?? ''));
      const by = (a: string) => ts.filter((t) => (t.arrondissement ?? t.code) === a);
      return ['Tout Paris', 'Paris Centre', '75999']
        .filter((a) => by(a).length)
        .map((a) => ({ arrondissement: a, projects: by(a).length, allocated: sum(by(a).map((t) => t.amount)) }));
    };
    expect(await participatoryUnplaced(bench.engine, res.table!, null)).toEqual(off(null));
    expect(await participatoryUnplaced(bench.engine, res.table!, 2015)).toEqual(off(2015));
  });

  it('gives no delivery rate over a handful of projects', async () => {
    const { res, detail } = await runParis(
      parisProjects({
        statuses: [
          ['FIN', 2],
          ['ETUDES', 1],
        ],
      }),
    );
    expect(detail.deliveredRate).toBeNull();
    expect(res.summary).toContain('aucun taux');
  });
});

describe('header matching tolerates a misspelt word, and only that', () => {
  it('finds a role when a long word has one letter dropped, added, changed or two swapped', () => {
    expect(proposeProjectColumns(headers(['Date prévisonnelle de livraison du projet']))).toMatchObject({ planned: 'c0' });
    expect(proposeProjectColumns(headers(['Arrondisement']))).toMatchObject({ arrondissement: 'c0' });
    expect(proposeProjectColumns(headers(['Avancemnet du projet']))).toMatchObject({ status: 'c0' });
    expect(proposeProjectColumns(headers(['Projet en quartier poupulaire']))).toMatchObject({ workingClass: 'c0' });
    expect(withinOneEdit('previsonnelle', 'previsionnelle')).toBe(true);
    expect(withinOneEdit('avancemnet', 'avancement')).toBe(true);
    expect(withinOneEdit('effectif', 'effective')).toBe(false);
  });

  it('does not take short or distant words for a role, and never prefers a typo over a header written right', () => {
    expect(proposeProjectColumns(headers(['Statue', 'Effectif', 'Addition', 'Populations', 'Réalisateur']))).toEqual({});
    const both = proposeProjectColumns(headers(['Date prévisonnelle de livraison du projet', 'Date prévisionnelle']));
    expect(both.planned).toBe('c1');
    expect(correctWords('date previsonnelle', ruleWords([/\bprevisionnelle\b/]))).toBe('date previsionnelle');
  });
});

describe('participatory-budget without a scale column', () => {
  it('warns that Paris-wide projects located at 75004 would count for the 4th, and only when nothing else tells them', async () => {
    const projects = parisProjects();
    const noScale = projects.map((p) => p.cells.filter((_, i) => i !== 3));
    const header = PARIS_HEADER.filter((_, i) => i !== 3);
    const name = `noscale${n++}`;
    await addTable(bench.ctx, name, header, noScale);
    const res = await runOperation(bench.ctx, participatoryBudget, { table: name });
    expect(res.detail!.warnings.join(' ')).toMatch(/Aucune colonne d’échelle/);
    // The 4th then holds every project at 75004: the Paris-wide ones and its own.
    const at4 = projects.filter((p) => p.truth.code === '75004').length;
    const arr = await bench.engine.query(
      `SELECT sum(nb_projets) FROM "${res.table}" WHERE portee = 'arrondissement' AND arrondissement = '4'`,
    );
    expect(Number(arr.rows[0]![0])).toBe(at4);
    // The clean fixture labels its Paris-wide project « Tout Paris »: no warning.
    const { res: clean } = await run();
    expect(clean.detail!.warnings.join(' ')).not.toMatch(/Aucune colonne d’échelle/);
  });
});

// The real export, when someone has put it beside the other public files (it is not there by default).
const REAL = resolve('../shared/data/bp_projets_gagnants.csv');
describe.skipIf(!existsSync(REAL))('the real Paris export bp_projets_gagnants (../shared/data)', () => {
  it('843 delivered of 1 214, the 63 Paris-wide projects out of the 4th, no « 75116e » nor « 75123e »', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'loupe-bp-'));
    try {
      const session = await Session.create(bench.engine, new NodeProjectStore(join(dir, 'p')), nodeFileResolver, 'p');
      await session.importPath(REAL);
      const res = await session.run(participatoryBudget, { table: 'bp_projets_gagnants' });
      const d = res.detail!;
      expect(d.population.read).toBe(1214);
      expect(d.delivered).toBe(843);
      expect(d.unknownStatuses).toEqual([]);
      expect(d.parisWide.projects).toBe(63);
      const arr = await bench.engine.query(`SELECT DISTINCT arrondissement FROM "${res.table}" WHERE portee = 'arrondissement'`);
      expect(arr.rows.map((r) => r[0])).not.toContain('75116');
      expect(arr.rows.map((r) => r[0])).not.toContain('75123');
      expect(d.columns.planned).toBeTruthy();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
