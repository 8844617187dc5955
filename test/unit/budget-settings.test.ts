// What the Budget view keeps in the project's manifest, read back part by part: a manifest may come
// from someone else, and one bad part must not cost the others.
import { describe, expect, it } from 'vitest';
import { readBudgetSettings } from '../../src/core/budget/settings.ts';

describe('the budget settings kept in the project', () => {
  it('keep each part on its own: a bad participatory part does not cost the mapping or the subsidies', () => {
    const kept = readBudgetSettings({
      voted: { table: 'budget_vote', mapping: { amount: 'montant_vote' } },
      participatory: { table: 'projets', envelope: -1 },
      subsidies: { voted: 'votees', paid: 'versees', minSimilarity: 0.8 },
      other: 'ignored',
    });
    expect(kept?.voted?.table).toBe('budget_vote');
    expect(kept?.participatory).toBeUndefined();
    expect(kept?.subsidies).toMatchObject({ voted: 'votees', minSimilarity: 0.8, tolerance: 1 });
    expect(readBudgetSettings({ participatory: { table: 'projets', workingClassTarget: 0.15 } })?.participatory?.workingClassTarget).toBe(
      0.15,
    );
    expect(readBudgetSettings([])).toBeNull();
  });
});
