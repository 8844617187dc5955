// The organisations an elected member declared, from HATVP declarations imported as tables (one per
// section, see ingest/hatvp.ts): one row per declared organisation with the section it was declared
// in, the declarant and their mandate, so the interests-vs-subsidies preset can take the declaration
// table itself, out of the box, and show who declared what where.
import type { TableEntry } from '../catalog/catalog.ts';
import type { OperationContext } from '../ops/registry.ts';
import { quoteIdent, quoteLiteral } from '../sql/ident.ts';

/** Per section, the column naming the organisation (first one present wins). */
const ORGANISATION_COLUMNS = [
  'nomsociete',
  'nomstructure',
  'employeur',
  'employeurconjoint',
  'nomemployeur',
  'employeurcollaborateur',
  'nomorganisme',
  'organisme',
  'structure',
  'denomination',
];

/** French names of the sections users read in the result. */
const SECTIONS: Record<string, string> = {
  participationdirigeantdto: 'fonctions de direction',
  participationfinancieredto: 'participations financières',
  activprofcinqdernieredto: 'activités professionnelles (5 dernières années)',
  activprofconjointdto: 'activité professionnelle du conjoint',
  activconsultantdto: 'activités de consultant',
  fonctionbenevoledto: 'fonctions bénévoles',
  activcollaborateursdto: 'activités des collaborateurs',
  mandatelectifdto: 'mandats électifs',
};

export function isHatvpDeclarations(t: TableEntry | undefined): boolean {
  return !!t && t.kind === 'table' && t.source?.format === 'xml' && t.source.options.profile === 'hatvp' && t.source.part === undefined;
}

/**
 * A SELECT of (organisme, section, declarant, mandat, uuid) over every section table of the declarations
 * in `main` that names an organisation, or null when none does.
 */
export function hatvpOrganisationsSql(ctx: OperationContext, main: TableEntry): { sql: string; tables: string[] } | null {
  const mapping = (main.source?.options.tables ?? {}) as Record<string, string>;
  const cols = new Set(main.columns.map((c) => c.name));
  const pick = (...names: string[]) => names.find((n) => cols.has(n));
  const nom = pick('general_declarant_nom');
  const prenom = pick('general_declarant_prenom');
  const mandat = pick('general_qualitedeclarant', 'general_mandat_label');
  const declarant = nom ? `trim(concat_ws(' ', d.${quoteIdent(prenom ?? nom)}, ${prenom ? `d.${quoteIdent(nom)}` : "''"}))` : 'NULL';
  const parts: string[] = [];
  const tables: string[] = [];
  for (const [path, table] of Object.entries(mapping)) {
    if (!path || path.includes('.')) continue;
    const t = ctx.catalog.get(table);
    if (!t) continue;
    const org = ORGANISATION_COLUMNS.find((c) => t.columns.some((x) => x.name === c));
    if (!org) continue;
    const section = SECTIONS[path.toLowerCase()] ?? path;
    tables.push(table);
    parts.push(
      `SELECT CAST(s.${quoteIdent(org)} AS VARCHAR) AS organisme, ${quoteLiteral(section)} AS section, ${declarant} AS declarant, ` +
        `${mandat ? `CAST(d.${quoteIdent(mandat)} AS VARCHAR)` : 'NULL'} AS mandat, CAST(d.uuid AS VARCHAR) AS uuid ` +
        `FROM ${quoteIdent(table)} AS s JOIN ${quoteIdent(main.name)} AS d ON s.parent = d.ligne WHERE nullif(trim(CAST(s.${quoteIdent(org)} AS VARCHAR)), '') IS NOT NULL`,
    );
  }
  return parts.length ? { sql: parts.join('\nUNION ALL\n'), tables } : null;
}
