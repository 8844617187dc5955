import { expect, it } from 'vitest';
import { safeIdentifier } from '../../src/core/sql/ident.ts';

it('gives an identifier that is its own identifier, even when cut at 60 characters on a separator', () => {
  const labels = [
    '<img src=x onerror=alert(1)>"><svg onload=alert(1)><script>alert(1) javascript:alert(1)',
    'Montant des subventions votées par le Conseil de Paris en 2024 — direction',
    '2024',
    'select',
    'Écoles élémentaires',
  ];
  for (const l of labels) {
    const id = safeIdentifier(l);
    expect(id.length).toBeLessThanOrEqual(61);
    expect(safeIdentifier(id)).toBe(id);
    expect(id).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(id.endsWith('_') && id !== 'select_').toBe(false);
  }
});
