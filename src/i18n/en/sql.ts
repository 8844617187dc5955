import type { sql as fr } from '../fr/sql.ts';

export const sql: Record<keyof typeof fr, string> = {
};
