import type { budget as fr } from '../fr/budget.ts';

export const budget: Record<keyof typeof fr, string> = {
};
