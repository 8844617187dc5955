import { describe, expect, it } from 'vitest';
import { displayCell } from '../../src/ui/widgets/grid/format-cell.ts';
import { columnAt, layoutColumns } from '../../src/ui/widgets/grid/grid-state.svelte.ts';

describe('grid layout', () => {
  const cols = layoutColumns([
    { name: 'code_insee', label: 'Code INSEE', type: 'INTEGER' },
    { name: 'montant', label: 'Montant payé', type: 'DECIMAL(12,2)' },
    { name: 'libelle', label: 'Libellé', type: 'VARCHAR' },
    { name: 'date', label: 'Date', type: 'DATE' },
  ]);

  it('places columns side by side and finds the one under a horizontal position', () => {
    expect(cols[0]!.left).toBe(0);
    expect(cols[1]!.left).toBe(cols[0]!.width);
    expect(columnAt(cols, 0)).toBe(0);
    expect(columnAt(cols, cols[2]!.left + 1)).toBe(2);
    expect(columnAt(cols, 1e9)).toBe(3);
  });

  it('reads the scale of decimals and treats integer codes as codes', () => {
    expect(cols.map((c) => c.kind)).toEqual(['number', 'number', 'text', 'date']);
    expect(cols[1]!.scale).toBe(2);
    expect(cols[0]!.code).toBe(true);
    expect(cols[1]!.code).toBe(false);
  });

  it('shows NULL, empty text, amounts, codes and dates distinctly', () => {
    const [code, amount, text, date] = cols as [(typeof cols)[0], (typeof cols)[0], (typeof cols)[0], (typeof cols)[0]];
    expect(displayCell(null, text)).toEqual({ type: 'null' });
    expect(displayCell('', text)).toEqual({ type: 'empty' });
    expect(displayCell(undefined, text)).toEqual({ type: 'loading' });
    expect(displayCell(1010.1, amount)).toEqual({ type: 'value', text: '1\u202f010,10', numeric: true });
    expect(displayCell(75101, code)).toEqual({ type: 'value', text: '75101', numeric: true });
    expect(displayCell('2024-03-01', date)).toEqual({ type: 'value', text: '01/03/2024', numeric: false });
  });
});
