// The column roles the participatory budget and the subsidies share: guessed from headers, the
// user's choice kept, and '' saying « this table has no such column » so nothing is guessed for it.
import { describe, expect, it } from 'vitest';
import { columnRoles, proposeColumns } from '../../src/core/budget/columns.ts';
import { participatoryBudget, ProjectColumns, proposeProjectColumns } from '../../src/core/budget/participatory.ts';
import { proposeSubsidyColumns, subsidiesReconcile, SubsidyColumns } from '../../src/core/budget/subsidies.ts';
import { runOperation } from '../../src/core/ops/registry.ts';
import {
  addTable,
  cleanProjects,
  cleanSubsidies,
  PROJECT_HEADER,
  S1,
  scratchEngine,
  SUB_PAID_HEADER,
  SUB_VOTE_HEADER,
} from '../fixtures/budget-fixtures.ts';
import { headers, suite } from './helpers.ts';

describe('column roles', () => {
  it('describe every role in the schema, each optional, and refuse a role the schema does not know', () => {
    const s = columnRoles({ name: 'Colonne du nom', amount: 'Colonne du montant' });
    expect(s.safeParse({}).success).toBe(true);
    expect(s.safeParse({ name: 'a', amount: '' }).success).toBe(true);
    expect(s.safeParse({ other: 'a' }).success).toBe(false);
    expect(s.shape.name.description).toBe('Colonne du nom');
  });

  it('find a column by its header, accents and case ignored, one column per role', () => {
    const rules = { year: [/^annee$/], amount: [/^montant\b/, /\bmontant\b/], other: [/\bmontant\b/] };
    expect(proposeColumns(headers(['Année', 'Montant voté', 'Autre montant']), rules)).toEqual({ year: 'c0', amount: 'c1', other: 'c2' });
  });

  it('keep what the user chose, and guess nothing for a role left empty on purpose', () => {
    const t = headers(['Nom du bénéficiaire', 'SIRET', 'Direction', 'Montant voté']);
    expect(proposeSubsidyColumns(t)).toMatchObject({ beneficiary: 'c0', siret: 'c1', direction: 'c2', amount: 'c3' });
    expect(proposeSubsidyColumns(t, { direction: '', amount: 'c2' })).toEqual({
      beneficiary: 'c0',
      siret: 'c1',
      direction: '',
      amount: 'c2',
    });
  });

  it('are the same shape for the projects and the subsidies', () => {
    expect(Object.keys(ProjectColumns.shape)).toEqual([
      'id',
      'edition',
      'scale',
      'arrondissement',
      'title',
      'amount',
      'status',
      'planned',
      'delivered',
      'workingClass',
      'schools',
    ]);
    expect(Object.keys(SubsidyColumns.shape)).toEqual(['beneficiary', 'siret', 'amount', 'year', 'direction', 'dossier']);
    expect(proposeProjectColumns(headers(PROJECT_HEADER))).toMatchObject({ edition: 'c1', amount: 'c4', status: 'c5', workingClass: 'c8' });
  });
});

describe('a role left empty when the check runs', () => {
  const bench = suite(scratchEngine);

  it('no working-class column: no working-class flag, even below the target', async () => {
    await addTable(bench.ctx, 'bp', PROJECT_HEADER, cleanProjects());
    const guessed = await runOperation(bench.ctx, participatoryBudget, { table: 'bp', workingClassTarget: 0.9 });
    expect(guessed.detail?.flags.quartiers_populaires_sous_cible).toBe(1);
    const none = await runOperation(bench.ctx, participatoryBudget, {
      table: 'bp',
      workingClassTarget: 0.9,
      columns: { workingClass: '' },
    });
    expect(none.detail?.flags.quartiers_populaires_sous_cible).toBe(0);
    expect(none.detail?.columns.workingClass).toBe('');
  });

  it('no direction column: no beneficiary funded by several directions', async () => {
    const c = cleanSubsidies();
    c.vote.push(['2022_00006', 2022, 'Association Les Amis du Square', S1, 'DJS', 'Tournoi', 100]);
    c.paid.push(['M7', 2022, 'Les Amis du Square', S1, 100]);
    await addTable(bench.ctx, 'sv', SUB_VOTE_HEADER, c.vote);
    await addTable(bench.ctx, 'sp', SUB_PAID_HEADER, c.paid);
    const guessed = await runOperation(bench.ctx, subsidiesReconcile, { voted: 'sv', paid: 'sp' });
    expect(guessed.detail?.flags.plusieurs_directions).toBe(1);
    const none = await runOperation(bench.ctx, subsidiesReconcile, { voted: 'sv', paid: 'sp', votedColumns: { direction: '' } });
    expect(none.detail?.flags.plusieurs_directions).toBe(0);
  });

  it('a required role left empty stops the check with its name', async () => {
    await expect(runOperation(bench.ctx, participatoryBudget, { table: 'bp', columns: { status: '' } })).rejects.toThrow(
      /« status » introuvable/,
    );
  });
});
