import type { audit as fr } from '../fr/audit.ts';

export const audit: Record<keyof typeof fr, string> = {
};
