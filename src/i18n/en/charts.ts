import type { charts as fr } from '../fr/charts.ts';

export const charts: Record<keyof typeof fr, string> = {
};
