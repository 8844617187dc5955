// What the Budget view keeps in the project (manifest `budget`): the voted and executed tables with
// their column mappings. A manifest may come from someone else, so it is validated when read and an
// invalid entry is ignored (the mapping is proposed again) rather than trusted.
import { z } from 'zod';
import { BudgetSource } from './mapping.ts';

export const BudgetSettings = z
  .object({
    voted: BudgetSource.optional(),
    executed: BudgetSource.optional(),
    savedAt: z.string().max(40).optional(),
  })
  .strict();
export type BudgetSettings = z.infer<typeof BudgetSettings>;

export function readBudgetSettings(raw: unknown): BudgetSettings | null {
  const parsed = BudgetSettings.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** Budget tables among the catalog's: the first whose name says voted / executed, else null. */
export function guessBudgetTables(names: readonly string[]): { voted: string | null; executed: string | null } {
  const norm = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  // Strongest names first: « subventions_votees » also says « vote » but is no budget.
  const find = (...res: RegExp[]) => {
    for (const re of res) {
      const hit = names.find((n) => re.test(norm(n)));
      if (hit) return hit;
    }
    return null;
  };
  return {
    voted: find(/budget.?(vote|primitif)/, /^bp([_\W]|$)/, /^(?!.*subvention).*vote/),
    executed: find(/compte.?admin/, /^ca([_\W]|$)/, /^(?!.*subvention).*(realise|execut)/),
  };
}
