// Ageing: how old the open items are (invoices awaiting payment, subsidies voted and not yet paid,
// recommendations not yet followed) at a reference date, by band of days. The reference date is a
// parameter, never « today », so that the same project gives the same figures tomorrow and on replay.
// Age = reference date − item date, in whole days (timestamps are taken at their date). Bands are
// closed: 0–30 holds ages 0 to 30 included, 31–60 the next ones… Dates after the reference are a band
// of their own, and so are empty dates. Totals are summed as DECIMAL(38,2).
import { z } from 'zod';
import { OperationError } from '../ops/registry.ts';
import { quoteIdent, sqlValue } from '../sql/ident.ts';
import { auditOperation, auditOutput, makeResult } from './operation.ts';
import { firstRow, rowsOf } from './read.ts';
import { fmtEur, fmtInt, fmtPct, plural } from './format.ts';
import { nameParam, oneTableParams, requireDateColumn, requireNumericColumn } from './params.ts';

export const DEFAULT_AGE_BOUNDS = [30, 60, 90, 180, 365] as const;

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'date au format AAAA-MM-JJ attendue')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'date inexistante');

export const AgingParams = oneTableParams({
  date: nameParam.describe("Colonne de date de l'élément (facture, vote, échéance)"),
  amount: nameParam.optional().describe('Colonne de montant (facultative) : total par tranche'),
  referenceDate: isoDate.describe(
    "Date de référence AAAA-MM-JJ (obligatoire, jamais « aujourd'hui » : le résultat doit pouvoir être rejoué)",
  ),
  bounds: z
    .array(z.number().int().min(0).max(100_000))
    .min(1)
    .max(30)
    .default([...DEFAULT_AGE_BOUNDS])
    .refine((b) => b.every((x, i) => i === 0 || x > b[i - 1]!), 'bornes strictement croissantes attendues')
    .describe(
      'Bornes hautes des tranches en jours, incluses (par défaut 30, 60, 90, 180, 365 : 0–30, 31–60, 61–90, 91–180, 181–365, > 365)',
    ),
});
export type AgingParams = z.infer<typeof AgingParams>;

export interface AgingDetail {
  referenceDate: string;
  bounds: number[];
  rows: number;
  total: number | null;
  future: number;
  missing: number;
  overLast: number;
  chart: Record<string, unknown>;
}

const AGING_ABOUT = "Balance âgée : nombre et montant par tranche d'ancienneté à une date de référence (dates futures et vides à part)";

export const aging = auditOperation<AgingParams, AgingDetail>('aging', AgingParams, AGING_ABOUT, async (ctx, p) => {
  requireDateColumn(ctx, p.table, p.date);
  if (p.amount) requireNumericColumn(ctx, p.table, p.amount);
  if (p.amount === p.date) throw new OperationError('La colonne de montant et la colonne de date doivent être différentes');
  const d = quoteIdent(p.date);
  const t = quoteIdent(p.table);
  const ref = `DATE ${sqlValue(p.referenceDate)}`;
  const bounds = p.bounds;
  // rank 0: empty date, 1: after the reference, 2 + i: band i, 2 + bounds.length: beyond the last bound.
  const bands: { rank: number; label: string; lo: number | null; hi: number | null }[] = [
    { rank: 0, label: 'date vide', lo: null, hi: null },
    { rank: 1, label: 'date postérieure à la référence', lo: null, hi: -1 },
  ];
  bounds.forEach((hi, i) => {
    const lo = i === 0 ? 0 : bounds[i - 1]! + 1;
    bands.push({ rank: 2 + i, label: `${fmtInt(lo)}–${fmtInt(hi)} jours`, lo, hi });
  });
  const last = bounds[bounds.length - 1]!;
  bands.push({ rank: 2 + bounds.length, label: `> ${fmtInt(last)} jours`, lo: last + 1, hi: null });
  const age = `date_diff('day', CAST(${d} AS DATE), ${ref})`;
  const whens = [`WHEN ${d} IS NULL THEN 0`, `WHEN ${age} < 0 THEN 1`, ...bounds.map((hi, i) => `WHEN ${age} <= ${hi} THEN ${2 + i}`)];
  const rank = `(CASE ${whens.join(' ')} ELSE ${2 + bounds.length} END)`;
  const amt = p.amount ? `CAST(${quoteIdent(p.amount)} AS DECIMAL(38, 2))` : 'NULL::DECIMAL(38, 2)';
  const lbl = `(VALUES ${bands.map((b) => `(${b.rank}, ${sqlValue(b.label)}, ${b.lo ?? 'NULL'}, ${b.hi ?? 'NULL'})`).join(', ')}) lbl(rang, tranche, jours_min, jours_max)`;
  const select = `
    WITH s AS (SELECT ${rank} AS rang, ${amt} AS montant, CAST(${d} AS DATE) AS dt FROM ${t}),
    g AS (SELECT rang, count(*) AS nb, sum(montant) AS total, sum(abs(montant)) AS total_abs, min(dt) AS date_min, max(dt) AS date_max FROM s GROUP BY rang)
    SELECT lbl.rang, lbl.tranche, lbl.jours_min, lbl.jours_max,
      coalesce(g.nb, 0) AS nb, ${p.amount ? 'coalesce(g.total, 0)' : 'NULL::DECIMAL(38, 2)'} AS total,
      coalesce(g.nb, 0) / sum(g.nb) OVER () AS part_nb,
      ${p.amount ? 'coalesce(CAST(g.total_abs AS DOUBLE), 0) / nullif(CAST(sum(g.total_abs) OVER () AS DOUBLE), 0)' : 'NULL::DOUBLE'} AS part_montant,
      g.date_min, g.date_max
    FROM ${lbl} LEFT JOIN g ON g.rang = lbl.rang
    WHERE lbl.rang >= 2 OR g.nb IS NOT NULL
    ORDER BY lbl.rang`;
  const res = await makeResult(ctx, 'aging', select, p.result);
  const rt = quoteIdent(res.table);
  const s = await firstRow(
    ctx,
    `SELECT coalesce(sum(nb), 0) AS n, sum(total) AS total,
       coalesce(sum(nb) FILTER (rang = 1), 0) AS future, coalesce(sum(nb) FILTER (rang = 0), 0) AS missing,
       coalesce(sum(nb) FILTER (rang = ${2 + bounds.length}), 0) AS over, sum(total) FILTER (rang = ${2 + bounds.length}) AS over_total,
       sum(part_montant) FILTER (rang = ${2 + bounds.length}) AS over_share
     FROM ${rt}`,
  );
  const rows = await rowsOf(ctx, `SELECT tranche, nb, total FROM ${rt} WHERE rang >= 1 ORDER BY rang`);
  const detail: AgingDetail = {
    referenceDate: p.referenceDate,
    bounds: [...bounds],
    rows: Number(s.n),
    total: p.amount ? Number(s.total ?? 0) : null,
    future: Number(s.future),
    missing: Number(s.missing),
    overLast: Number(s.over),
    chart: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      description: `Balance âgée de « ${p.table} » au ${p.referenceDate}`,
      data: { values: rows.map((r) => ({ tranche: r.tranche, nb: r.nb, total: r.total })) },
      mark: 'bar',
      encoding: {
        x: { field: 'tranche', type: 'ordinal', title: 'Ancienneté', sort: null },
        y: { field: p.amount ? 'total' : 'nb', type: 'quantitative', title: p.amount ? 'Montant' : 'Lignes' },
      },
    },
  };
  const refFr = p.referenceDate.split('-').reverse().join('/');
  const summary =
    `Balance âgée de « ${p.table} » au ${refFr} sur la date « ${p.date} » : ${plural(detail.rows, 'ligne')}` +
    (detail.total !== null ? ` pour ${fmtEur(detail.total)}` : '') +
    `. Plus de ${fmtInt(last)} jours : ${plural(detail.overLast, 'ligne')}` +
    (p.amount ? ` (${fmtEur(s.over_total)}, ${fmtPct(s.over_share)} du montant)` : '') +
    '.' +
    (detail.future ? ` ${plural(detail.future, 'date')} postérieure${detail.future > 1 ? 's' : ''} à la référence, à part.` : '') +
    (detail.missing ? ` ${plural(detail.missing, 'date')} vide${detail.missing > 1 ? 's' : ''}, à part.` : '') +
    ` Âge en jours entre la date et la référence, tranches bornes incluses (${bands
      .filter((b) => b.rank >= 2)
      .map((b) => b.label.replace(' jours', ''))
      .join(', ')}).`;
  return auditOutput(ctx, res, [p.table], summary, detail);
});
