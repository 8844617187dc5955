// The explore view's pure helpers: sort cycling, copying raw values, filter forms, column layout,
// the profile chart, English chips and the command palette's matching.
import { describe, expect, it } from 'vitest';
import { filteredRelation, relationSql, tableRelation } from '../../src/core/explore/window.ts';
import { filterChip, type Filter } from '../../src/core/query/filters.ts';
import { rangeOf, rawCell, toTsv } from '../../src/ui/widgets/grid/copy.ts';
import { draftOf, emptyDraft, filtersOfDraft, parseNumberInput } from '../../src/ui/table/filter-input.ts';
import { profileSpec } from '../../src/ui/table/profile-spec.ts';
import { errorPercent, profileValue, sharePercent } from '../../src/ui/table/profile-text.ts';
import { cycleSort, sortKeyOf } from '../../src/ui/widgets/grid/sort.ts';
import { matchCommands, type Command } from '../../src/ui/palette/commands.ts';
import { arrangeColumns, layoutColumns, moveName } from '../../src/ui/widgets/grid/grid-state.svelte.ts';

describe('sorting by header clicks', () => {
  it('cycles one column asc → desc → none', () => {
    let o = cycleSort([], 'montant', false);
    expect(o).toEqual([{ column: 'montant' }]);
    o = cycleSort(o, 'montant', false);
    expect(o).toEqual([{ column: 'montant', desc: true }]);
    expect(cycleSort(o, 'montant', false)).toEqual([]);
  });

  it('adds keys with shift and keeps their rank', () => {
    let o = cycleSort([], 'direction', false);
    o = cycleSort(o, 'montant', true);
    o = cycleSort(o, 'montant', true);
    expect(o).toEqual([{ column: 'direction' }, { column: 'montant', desc: true }]);
    expect(sortKeyOf(o, 'montant')).toEqual({ rank: 2, desc: true });
    expect(cycleSort(o, 'montant', true)).toEqual([{ column: 'direction' }]);
    // A plain click on another column replaces the whole order.
    expect(cycleSort(o, 'date', false)).toEqual([{ column: 'date' }]);
    expect(sortKeyOf(o, 'date')).toBeNull();
  });
});

describe('copying cells', () => {
  it('writes raw numbers with the decimal comma in French, no grouping, every decimal', () => {
    expect(rawCell(1234567.891, ',')).toBe('1234567,891');
    expect(rawCell(0.1 + 0.2, ',')).toBe('0,30000000000000004');
    expect(rawCell(1234.5, '.')).toBe('1234.5');
    expect(rawCell(-12, ',')).toBe('-12');
  });

  it('leaves NULL and empty text empty, dates ISO, and quotes tabs, line breaks and quotes', () => {
    expect(rawCell(null, ',')).toBe('');
    expect(rawCell('', ',')).toBe('');
    expect(rawCell('2024-03-01', ',')).toBe('2024-03-01');
    expect(rawCell('a\tb', ',')).toBe('"a\tb"');
    expect(rawCell('dit "oui"', ',')).toBe('"dit ""oui"""');
    expect(rawCell(true, ',')).toBe('TRUE');
    expect(
      toTsv(
        [
          [1.5, 'DAC'],
          [null, 'DASCO'],
        ],
        ',',
      ),
    ).toBe('1,5\tDAC\n\tDASCO');
  });

  it('copies text a spreadsheet would run as a formula with a leading apostrophe, numbers as numbers', () => {
    expect(rawCell('=HYPERLINK("http://x")', ',')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(rawCell(' ＋1', ',')).toBe(`' ＋1`);
    expect(rawCell('-12', ',')).toBe(`'-12`);
    expect(rawCell(-12, ',')).toBe('-12');
  });

  it('orders the corners of a selection', () => {
    expect(rangeOf({ row: 5, col: 1 }, { row: 2, col: 3 })).toEqual({ r0: 2, r1: 5, c0: 1, c1: 3 });
  });
});

describe('filter forms', () => {
  it('reads French and English numbers, refuses words', () => {
    expect(parseNumberInput('1 234,56')).toBe(1234.56);
    expect(parseNumberInput('1.234,5')).toBe(1234.5);
    expect(parseNumberInput('1234.5')).toBe(1234.5);
    expect(parseNumberInput('')).toBeUndefined();
    expect(parseNumberInput('douze')).toBeNaN();
  });

  it('turns a draft into filters and back', () => {
    const d = { ...emptyDraft(), min: '1 000', max: '2 500,5', values: ['DAC'] };
    const r = filtersOfDraft(d, 'montant', 'number');
    expect(r).toEqual({
      filters: [
        { column: 'montant', op: 'between', min: 1000, max: 2500.5 },
        { column: 'montant', op: 'in', values: ['DAC'] },
      ],
    });
    if ('filters' in r) expect(draftOf(r.filters, 'montant', 'number')).toMatchObject({ min: '1000', max: '2500,5', values: ['DAC'] });
    expect(filtersOfDraft({ ...emptyDraft(), min: 'abc' }, 'montant', 'number')).toEqual({ error: 'number' });
    expect(filtersOfDraft({ ...emptyDraft(), textOp: 'starts-with', text: 'Asso' }, 'nom', 'text')).toEqual({
      filters: [{ column: 'nom', op: 'starts-with', value: 'Asso' }],
    });
    expect(filtersOfDraft({ ...emptyDraft(), textOp: 'is-empty' }, 'nom', 'text')).toEqual({
      filters: [{ column: 'nom', op: 'is-empty' }],
    });
    expect(filtersOfDraft({ ...emptyDraft(), min: '2024-01-01' }, 'date', 'date')).toEqual({
      filters: [{ column: 'date', op: 'between', min: '2024-01-01' }],
    });
    expect(filtersOfDraft(emptyDraft(), 'nom', 'text')).toEqual({ filters: [] });
  });

  it('shows chips in English when asked, French by default', () => {
    const f: Filter = { column: 'direction', op: 'in', values: ['DAC', 'DASCO'] };
    expect(filterChip(f, 'Direction')).toBe('Direction est l’une de : « DAC », « DASCO »');
    expect(filterChip(f, 'Direction', 'en')).toBe('Direction is one of: “DAC”, “DASCO”');
    expect(filterChip({ column: 'm', op: 'between', min: 1, max: 2 }, 'Montant', 'en')).toBe('Montant between 1 and 2');
  });

  it('makes the filtered view a sub-query with the WHERE, the table itself without filters', () => {
    const t = tableRelation('paiements');
    expect(filteredRelation(t, [])).toBe(t);
    const sql = relationSql(filteredRelation(t, [{ column: 'Direction', op: 'equals', value: 'DAC' }]));
    expect(sql).toMatch(/^\(SELECT \* FROM "paiements" AS _v\s+WHERE "Direction" = 'DAC'\s*\)$/);
  });
});

describe('column layout', () => {
  const base = layoutColumns([
    { name: 'a', type: 'VARCHAR' },
    { name: 'b', type: 'INTEGER' },
    { name: 'c', type: 'DATE' },
  ]);

  it('follows the user order, hides and resizes, and renumbers the shown columns', () => {
    const cols = arrangeColumns(base, ['c', 'a', 'b'], ['a'], { b: 200 });
    expect(cols.map((c) => [c.name, c.index])).toEqual([
      ['c', 0],
      ['b', 1],
    ]);
    expect(cols[1]!.left).toBe(cols[0]!.width);
    expect(cols[1]!.width).toBe(200);
  });

  it('moves a name within bounds', () => {
    expect(moveName(['a', 'b', 'c'], 'a', 1)).toEqual(['b', 'a', 'c']);
    expect(moveName(['a', 'b', 'c'], 'a', -1)).toEqual(['a', 'b', 'c']);
    expect(moveName(['a', 'b', 'c'], 'c', -5)).toEqual(['c', 'a', 'b']);
  });
});

describe('profile chart', () => {
  const labels = { count: 'Lignes', value: 'Montant', nullLabel: '∅', emptyLabel: '(vide)' };

  it('draws a histogram from the bins', () => {
    const s = profileSpec(
      {
        histogram: [
          { from: 0, to: 10, count: 3 },
          { from: 10, to: 20, count: 1 },
        ],
      },
      labels,
    ) as Record<string, any>;
    expect(s.mark.type).toBe('bar');
    expect(s.encoding.x.bin).toEqual({ binned: true });
    expect(s.data.values).toHaveLength(2);
  });

  it('draws the top values in their counted order, NULL and empty text named', () => {
    const s = profileSpec(
      {
        top: [
          { value: 'DAC', count: 5 },
          { value: null, count: 2 },
          { value: '', count: 1 },
        ],
      },
      labels,
    ) as Record<string, any>;
    expect(s.data.values.map((v: { label: string }) => v.label)).toEqual(['DAC', '∅', '(vide)']);
    expect(s.encoding.y.sort).toBeNull();
    expect(profileSpec({}, labels)).toBeNull();
  });
});

describe('profile figures', () => {
  it('writes codes and years as written, amounts grouped, missing values as a dash', () => {
    expect(profileValue(75056, true)).toBe('75056');
    expect(profileValue(2022, true)).toBe('2022');
    expect(profileValue(75056, false).replace(/\s/g, ' ')).toBe('75 056');
    expect(profileValue('DAC', false)).toBe('DAC');
    expect(profileValue(null, false)).toBe('—');
    expect(profileValue(undefined, true)).toBe('—');
  });

  it('writes shares with one decimal, and an estimate error never as zero', () => {
    expect(sharePercent(0.1234)).toBe('12,3');
    expect(sharePercent(0)).toBe('0');
    expect(errorPercent(0.0001)).toBe('0,1');
    expect(errorPercent(0.0234)).toBe('2,3');
  });
});

describe('command palette matching', () => {
  const cmds: Command[] = [
    { id: 'summary', title: 'Résumé de la table', group: 'Action', run: () => {} },
    { id: 'table:budget_vote', title: 'Ouvrir la table budget_vote', group: 'Table', run: () => {} },
    { id: 'table:marches', title: 'Ouvrir la table marches_publics', group: 'Table', keywords: 'Titulaire Montant', run: () => {} },
  ];

  it('matches every word, ignoring case and accents, titles starting with the query first', () => {
    expect(matchCommands(cmds, 'resume').map((c) => c.id)).toEqual(['summary']);
    expect(matchCommands(cmds, 'table budget').map((c) => c.id)).toEqual(['table:budget_vote']);
    expect(matchCommands(cmds, 'titulaire').map((c) => c.id)).toEqual(['table:marches']);
    expect(matchCommands(cmds, 'ouvrir').map((c) => c.id)).toEqual(['table:budget_vote', 'table:marches']);
    expect(matchCommands(cmds, '')).toHaveLength(3);
    expect(matchCommands(cmds, 'zzz')).toEqual([]);
  });
});
