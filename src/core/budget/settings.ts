// What the Budget view keeps in the project (manifest `budget`): the voted and executed tables with
// their column mappings, and the parameters of the participatory-budget and subsidies checks as they
// last ran. A manifest may come from someone else, so it is validated when read, each part on its
// own: an invalid part is ignored (proposed again) rather than trusted, and does not take the others.
import { z } from 'zod';
import { BudgetSource } from './mapping.ts';
import { ParticipatoryParams } from './participatory.ts';
import { SubsidiesParams } from './subsidies.ts';
import '../util/zod-fr.ts';

export const BudgetSettings = z
  .object({
    voted: BudgetSource.optional(),
    executed: BudgetSource.optional(),
    participatory: ParticipatoryParams.optional(),
    subsidies: SubsidiesParams.optional(),
    savedAt: z.string().max(40).optional(),
  })
  .strict();
export type BudgetSettings = z.infer<typeof BudgetSettings>;

/** The valid parts of what the manifest holds; null when it holds nothing usable. */
export function readBudgetSettings(raw: unknown): BudgetSettings | null {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const out: Record<string, unknown> = {};
  for (const [key, part] of Object.entries(BudgetSettings.shape)) {
    const v = (raw as Record<string, unknown>)[key];
    if (v === undefined) continue;
    const parsed = part.safeParse(v);
    if (parsed.success && parsed.data !== undefined) out[key] = parsed.data;
  }
  return Object.keys(out).length ? (out as BudgetSettings) : null;
}

/** Budget tables among the catalog's: the first whose name says voted / executed, else null. */
export function guessBudgetTables(names: readonly string[]): { voted: string | null; executed: string | null } {
  const norm = (s: string) =>
    s
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase();
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
