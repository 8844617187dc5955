// The Budget view's forms for the participatory budget and the subsidies, read from the operations'
// schemas: every parameter has its place and its label, numbers are typed in their unit the French
// way, and what cannot run is said on its field.
import { describe, expect, it } from 'vitest';
import { ParticipatoryParams } from '../../src/core/budget/participatory.ts';
import { SubsidiesParams } from '../../src/core/budget/subsidies.ts';
import type { TableEntry } from '../../src/core/catalog/catalog.ts';
import { fr } from '../../src/i18n/fr.ts';
import { PROJECT_HEADER } from '../fixtures/budget-fixtures.ts';
import {
  checkDraft,
  checkFields,
  draftOf,
  fromText,
  numberHint,
  PARTICIPATORY_FORM,
  SUBSIDIES_FORM,
  toText,
  withUnit,
  type CheckDraft,
  type CheckField,
} from '../../src/ui/budget/check-form.ts';

const entry = (name: string, labels: string[]): TableEntry => ({
  name,
  kind: 'table',
  rows: 1,
  columns: labels.map(
    (label) => ({ name: label.toLowerCase().replace(/\W+/g, '_'), label, type: 'VARCHAR' }) as TableEntry['columns'][number],
  ),
});

const projets = entry('projets', PROJECT_HEADER);
const votees = entry('votees', ['Numéro de dossier', 'Année budgétaire', 'Nom du bénéficiaire', 'SIRET', 'Direction', 'Montant voté']);
const versees = entry('versees', ['Numéro de mandat', 'Exercice', 'Nom du bénéficiaire', 'SIRET', 'Montant versé']);
const tables: Record<string, TableEntry> = { projets, votees, versees };
const tableOf = (n: string) => tables[n];

const pbFields = checkFields(PARTICIPATORY_FORM);
const subFields = checkFields(SUBSIDIES_FORM);
const pbDraft = (params: Record<string, unknown> = { table: 'projets' }) => draftOf(PARTICIPATORY_FORM, pbFields, params, tableOf);
const subDraft = () => draftOf(SUBSIDIES_FORM, subFields, { voted: 'votees', paid: 'versees' }, tableOf);
const field = (fields: CheckField[], name: string) => fields.find((f) => f.name === name)!;
/** French spacing (no-break, narrow no-break) differs between ICU builds: compared as plain spaces. */
const sp = (x: unknown): unknown =>
  typeof x === 'string'
    ? x.replace(/[\u00a0\u202f]/g, ' ')
    : x && typeof x === 'object'
      ? Object.fromEntries(Object.entries(x).map(([k, v]) => [k, sp(v)]))
      : x;

describe('the budget check forms', () => {
  it('place every parameter of both schemas, and label each one and each column role', () => {
    expect(pbFields.map((f) => [f.name, f.kind])).toEqual([
      ['table', 'table'],
      ['columns', 'columns'],
      ['lateYears', 'number'],
      ['envelope', 'number'],
      ['envelopes', 'per-edition'],
      ['workingClassTarget', 'number'],
      ['workingClassTargets', 'per-edition'],
      ['workingClassFrom', 'number'],
    ]);
    expect(subFields.map((f) => f.name)).toEqual(Object.keys(SubsidiesParams.shape));
    expect(pbFields.map((f) => f.name)).toEqual(Object.keys(ParticipatoryParams.shape));
    for (const [spec, fields] of [
      [PARTICIPATORY_FORM, pbFields],
      [SUBSIDIES_FORM, subFields],
    ] as const) {
      for (const f of fields) {
        expect(fr, f.name).toHaveProperty([`budget.${spec.prefix}.param.${f.name}`]);
        if (f.kind === 'columns') for (const r of f.roles) expect(fr, r.name).toHaveProperty([`budget.${spec.prefix}.col.${r.name}`]);
      }
    }
  });

  it('read bounds and defaults from the schema, and the per-edition bounds from its values', () => {
    expect(field(pbFields, 'workingClassTarget')).toMatchObject({ unit: 'percent', min: 0, max: 1, default: 0.3 });
    expect(field(pbFields, 'workingClassTargets')).toMatchObject({ kind: 'per-edition', unit: 'percent', min: 0, max: 1 });
    expect(field(subFields, 'top')).toMatchObject({ unit: 'count', integer: true, min: 1, max: 1000 });
    expect(field(pbFields, 'columns')).toMatchObject({
      roles: expect.arrayContaining([
        { name: 'edition', required: true },
        { name: 'schools', required: false },
      ]),
    });
  });

  it('show the payments without the columns only the votes have', () => {
    const paid = field(subFields, 'paidColumns') as Extract<CheckField, { kind: 'columns' }>;
    expect(paid.roles.map((r) => r.name)).toEqual(['beneficiary', 'siret', 'amount', 'year']);
  });

  it('type shares as percentages and amounts with French spaces', () => {
    expect(toText(0.3, 'percent')).toBe('30');
    expect(toText(0.07, 'percent')).toBe('7');
    expect(sp(toText(100_000_000, 'euros'))).toBe('100 000 000');
    expect(toText(1.5, 'years')).toBe('1,5');
    expect(fromText('30', 'percent')).toBe(0.3);
    expect(fromText('14,5 %', 'percent')).toBe(0.145);
    expect(fromText('50 000 000 €', 'euros')).toBe(50_000_000);
    expect(fromText('trente', 'percent')).toBeNull();
    expect(sp(withUnit(0.3, 'percent'))).toBe('30 %');
    expect(sp(withUnit(100_000_000, 'euros'))).toBe('100 000 000 €');
    expect(withUnit(2, 'years')).toBe('2 ans');
    expect(withUnit(1.5, 'years')).toBe('1,5 an');
    expect(sp(numberHint(field(pbFields, 'workingClassTarget') as Extract<CheckField, { kind: 'number' }>))).toBe(
      'Entre 0 % et 100 % · par défaut 30 %',
    );
  });

  it('start from the defaults and the columns the check recognises in the table', () => {
    const d = pbDraft();
    expect(sp(d.numbers)).toEqual({ lateYears: '2', envelope: '100 000 000', workingClassTarget: '30', workingClassFrom: '2016' });
    expect(d.columns.columns).toMatchObject({ edition: 'edition', amount: 'budget_alloue', workingClass: 'quartier_populaire' });
    expect(d.perEdition).toEqual({ envelopes: [], workingClassTargets: [] });
    expect(subDraft().columns.paidColumns).toEqual({
      beneficiary: 'nom_du_b_n_ficiaire',
      siret: 'siret',
      amount: 'montant_vers_',
      year: 'exercice',
    });
  });

  it('reopen saved parameters as they were, a column left empty on purpose included', () => {
    const d = pbDraft({ table: 'projets', columns: { schools: '' }, workingClassTarget: 0.15, envelopes: { '2017': 40_000_000 } });
    expect(d.columns.columns!.schools).toBe('');
    expect(d.columns.columns!.edition).toBe('edition');
    expect(d.numbers.workingClassTarget).toBe('15');
    expect(sp(d.perEdition.envelopes![0])).toEqual({ edition: '2017', value: '40 000 000' });
  });

  it('give the parameters exactly as they will run: units converted, every column named, defaults written out', () => {
    const d = pbDraft();
    d.numbers.workingClassTarget = '15';
    d.numbers.envelope = '50 000 000';
    d.perEdition.envelopes = [
      { edition: '2016', value: '60 000 000' },
      { edition: '', value: '' },
    ];
    d.columns.columns!.schools = '';
    const { params, errors } = checkDraft(PARTICIPATORY_FORM, pbFields, d, tableOf);
    expect(errors).toEqual({});
    expect(params).toMatchObject({
      table: 'projets',
      workingClassTarget: 0.15,
      envelope: 50_000_000,
      envelopes: { '2016': 60_000_000 },
      lateYears: 2,
      workingClassTargets: {},
    });
    expect((params!.columns as Record<string, string>).schools).toBe('');
    expect(params!.columns).toMatchObject({ edition: 'edition', status: 'statut' });
  });

  it('say what is wrong on each field, in the unit typed, and give no parameters', () => {
    const d: CheckDraft = pbDraft();
    d.numbers.envelope = '-5';
    d.numbers.workingClassTarget = '130';
    d.numbers.lateYears = 'deux';
    d.perEdition.workingClassTargets = [
      { edition: '2016', value: '20' },
      { edition: '16', value: '20' },
      { edition: '2016', value: '25' },
    ];
    d.columns.columns!.status = '';
    d.columns.columns!.title = 'intitule';
    const { params, errors } = checkDraft(PARTICIPATORY_FORM, pbFields, d, tableOf);
    expect(params).toBeNull();
    expect(sp(errors)).toEqual({
      envelope: 'Saisissez au moins 0 €.',
      workingClassTarget: 'Saisissez au plus 100 %.',
      lateYears: '« deux » n’est pas un nombre.',
      'workingClassTargets.1': 'Une édition s’écrit sur quatre chiffres (ex. 2016).',
      'workingClassTargets.2': 'L’édition 2016 est déjà saisie plus haut.',
      'columns.status': 'Choisissez cette colonne : le contrôle ne peut pas s’en passer.',
      'columns.title': 'La colonne « intitule » n’existe pas dans la table « projets ».',
    });
  });

  it('refuse a similarity outside its bounds, a count that is not whole, an empty number and an unknown table', () => {
    const d = subDraft();
    d.numbers.minSimilarity = '40';
    d.numbers.top = '2,5';
    d.numbers.tolerance = '';
    d.tables.paid = 'disparue';
    const { params, errors } = checkDraft(SUBSIDIES_FORM, subFields, d, tableOf);
    expect(params).toBeNull();
    expect(sp(errors)).toEqual({
      minSimilarity: 'Saisissez au moins 50 %.',
      top: 'Saisissez un nombre entier.',
      tolerance: 'Saisissez une valeur (par défaut 1 €).',
      paid: 'La table « disparue » n’est pas dans le projet.',
    });
  });
});
