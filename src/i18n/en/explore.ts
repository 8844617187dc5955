import type { explore as fr } from '../fr/explore.ts';

export const explore: Record<keyof typeof fr, string> = {
};
