import type { findings as fr } from '../fr/findings.ts';

export const findings: Record<keyof typeof fr, string> = {
};
