import type { journal as fr } from '../fr/journal.ts';

export const journal: Record<keyof typeof fr, string> = {
};
