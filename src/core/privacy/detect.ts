// Which columns look like personal data of private individuals — e-mails, French phone numbers,
// street addresses, person names in beneficiary lists — so the user is warned before a table or a
// finding leaves the office. Heuristics over a sample of values, computed in DuckDB:
//
// - e-mail: the whole value is an address (x@y.tld). Generic addresses (contact@…) are counted too:
//   a column of them still deserves a look.
// - phone: French numbers, 0X XX XX XX XX or +33 / 0033, with spaces, dots or dashes.
// - address: a number, optional bis/ter, then a street word (rue, avenue, bd, place, quai, impasse…).
//   Companies have addresses too: the kind says « adresse », the user decides.
// - person name: « M. / Mme / Madame … », or « Prénom NOM » / « NOM Prénom » capitalisation, and
//   no legal-form or organisation word (SARL, SAS, association, fondation, mairie, club, école…).
//   Limits: names written all in capitals (« JEAN DUPONT ») or all in lower case are not seen as
//   names; an organisation named after a person without a legal form (« Jean Moulin ») is; single
//   names and foreign name orders are missed. That is why a column is flagged only when most of its
//   sampled values agree (50 %, or 20 % when the header itself says nom, prénom, e-mail, téléphone,
//   adresse, bénéficiaire…).
// - a header alone (naissance, NIR, sécurité sociale, IBAN) flags a column whatever its values.
import type { Engine } from '../engine/engine.ts';
import { describeColumns } from '../engine/digest.ts';
import { quoteIdent, quoteLiteral } from '../sql/ident.ts';
import { isTextType } from '../sql/types.ts';
import { numberFormat } from '../util/numbers.ts';

export type PersonalKind = 'email' | 'telephone' | 'adresse' | 'nom-de-personne' | 'date-de-naissance' | 'identifiant-personnel';

export interface PersonalColumn {
  column: string;
  kind: PersonalKind;
  /** Share of the sampled non-empty values that match; null for a header-only hint. */
  share: number | null;
  sampled: number;
  reason: string;
}

export const EMAIL_RE = '[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}';
export const PHONE_RE = '(\\+33\\s?\\(?0?\\)?\\s?|0033\\s?|0)[1-9]([\\s.-]?[0-9]{2}){4}';
const STREET =
  'rue|avenue|av\\.?|boulevard|bd|place|pl\\.|impasse|allée|allee|quai|chemin|route|passage|cours|square|villa|cité|cite|sentier|chaussée|faubourg|fg|rond-point|esplanade|promenade|voie|hameau|résidence|residence|parvis|galerie|porte';
export const ADDRESS_RE = `(?i)[0-9]{1,4}\\s?(bis|ter|quater|[a-d])?,?\\s+(${STREET})\\s.+`;
const CIVILITY_RE = '(?i)(m\\.|mm\\.|mme|mmes|mlle|monsieur|madame|mademoiselle|messieurs|dr\\.?|docteur|me|maître)\\.?\\s+\\S.*';
const WORD = "\\p{Lu}[\\p{Ll}'’]+(-\\p{Lu}[\\p{Ll}'’]+)?";
const UPPER = "\\p{Lu}[\\p{Lu}'’-]+( \\p{Lu}[\\p{Lu}'’-]+)?";
const PERSON_RE = `(${WORD}( ${WORD})?\\s+${UPPER})|(${UPPER}\\s+${WORD}( ${WORD})?)`;
const ORG_WORDS = [
  'sarl',
  'sas',
  'sasu',
  'sa',
  'eurl',
  'sci',
  'snc',
  'scop',
  'scic',
  'gie',
  'gip',
  'sem',
  'spl',
  'ei',
  'eirl',
  'ass',
  'asso',
  'association',
  'fondation',
  'société',
  'societe',
  'ste',
  'cie',
  'compagnie',
  'groupe',
  'groupement',
  'mairie',
  'ville',
  'commune',
  'département',
  'departement',
  'région',
  'region',
  'établissement',
  'etablissement',
  'syndicat',
  'fédération',
  'federation',
  'comité',
  'comite',
  'club',
  'union',
  'centre',
  'institut',
  'collectif',
  'coopérative',
  'cooperative',
  'office',
  'agence',
  'caisse',
  'banque',
  'hôpital',
  'hopital',
  'lycée',
  'lycee',
  'collège',
  'college',
  'école',
  'ecole',
  'université',
  'universite',
  'théâtre',
  'theatre',
  'musée',
  'musee',
  'cabinet',
  'entreprise',
  'entreprises',
  'services',
  'conseil',
  'ministère',
  'ministere',
  'direction',
  'paris',
  'france',
  'régie',
  'regie',
  'crèche',
  'creche',
  'maison',
  'atelier',
  'ateliers',
  'foyer',
  'mutuelle',
  'amicale',
  'cercle',
  'ligue',
  'réseau',
  'reseau',
  'habitat',
  'logement',
  'bailleur',
  'sport',
  'sports',
  'culture',
  'théâtre',
  'festival',
  'production',
  'productions',
];
const ORG_RE = `(?i)(^|[^\\p{L}])(${ORG_WORDS.join('|')})([^\\p{L}]|$)|&|[0-9]`;

const HINTS: { re: RegExp; kinds: PersonalKind[] }[] = [
  { re: /mail|courriel/i, kinds: ['email'] },
  { re: /t[ée]l[ée]phone|^t[ée]l(_|$)|portable|mobile|phone/i, kinds: ['telephone'] },
  { re: /adresse|address|voie|rue/i, kinds: ['adresse'] },
  {
    re: /(^|_)(nom|prenom|prénom|name|beneficiaire|bénéficiaire|titulaire|demandeur|agent|allocataire|usager|personne|patient|eleve|élève)(_|$)/i,
    kinds: ['nom-de-personne'],
  },
];
const HEADER_ONLY: { re: RegExp; kind: PersonalKind; reason: string }[] = [
  { re: /naissance|birth/i, kind: 'date-de-naissance', reason: 'l’en-tête indique une date de naissance' },
  {
    re: /(^|_)nir($|_)|secu(rite)?_?sociale|num[ée]ro_ss|iban/i,
    kind: 'identifiant-personnel',
    reason: 'l’en-tête indique un identifiant personnel (NIR, IBAN…)',
  },
];

const LABEL: Record<PersonalKind, string> = {
  email: 'adresses électroniques',
  telephone: 'numéros de téléphone français',
  adresse: 'adresses postales (numéro et voie)',
  'nom-de-personne': 'noms de personnes (civilité ou « Prénom NOM », sans forme juridique)',
  'date-de-naissance': 'dates de naissance',
  'identifiant-personnel': 'identifiants personnels',
};

export interface DetectOptions {
  /** Non-empty values read per column (default 5 000). */
  sample?: number;
}

const pct = numberFormat({ style: 'percent', maximumFractionDigits: 0 });

/** Columns of `table` (a table or view name) that look like personal data, most certain first. */
export async function detectPersonalColumns(engine: Engine, table: string, opts: DetectOptions = {}): Promise<PersonalColumn[]> {
  const sample = Math.max(1, Math.floor(opts.sample ?? 5000));
  const cols = await describeColumns(engine, quoteIdent(table));
  const out: PersonalColumn[] = [];
  for (const c of cols) {
    const header = HEADER_ONLY.find((x) => x.re.test(c.name));
    if (header) {
      out.push({ column: c.name, kind: header.kind, share: null, sampled: 0, reason: header.reason });
      continue;
    }
    if (!isTextType(c.type)) continue;
    const v = 'trim(v)';
    const r = await engine.query(
      `SELECT count(*)::INTEGER,
         count(*) FILTER (WHERE regexp_full_match(${v}, ${quoteLiteral(EMAIL_RE)}))::INTEGER,
         count(*) FILTER (WHERE regexp_full_match(${v}, ${quoteLiteral(PHONE_RE)}))::INTEGER,
         count(*) FILTER (WHERE regexp_full_match(${v}, ${quoteLiteral(ADDRESS_RE)}))::INTEGER,
         count(*) FILTER (WHERE (regexp_full_match(${v}, ${quoteLiteral(CIVILITY_RE)}) OR regexp_full_match(${v}, ${quoteLiteral(PERSON_RE)}))
           AND NOT regexp_matches(${v}, ${quoteLiteral(ORG_RE)}))::INTEGER
       FROM (SELECT CAST(${quoteIdent(c.name)} AS VARCHAR) AS v FROM ${quoteIdent(table)} WHERE ${quoteIdent(c.name)} IS NOT NULL AND trim(CAST(${quoteIdent(c.name)} AS VARCHAR)) <> '' LIMIT ${sample}) AS _s`,
    );
    const [n, email, phone, address, person] = (r.rows[0] ?? []).map(Number) as [number, number, number, number, number];
    if (!n) continue;
    const hinted = new Set(HINTS.filter((x) => x.re.test(c.name)).flatMap((x) => x.kinds));
    const found: [PersonalKind, number][] = [
      ['email', email],
      ['telephone', phone],
      ['adresse', address],
      ['nom-de-personne', person],
    ];
    const best = found
      .map(([kind, k]) => ({ kind, share: k / n }))
      .filter((x) => x.share >= (hinted.has(x.kind) ? 0.2 : 0.5))
      .sort((a, b) => b.share - a.share)[0];
    if (best) {
      out.push({
        column: c.name,
        kind: best.kind,
        share: best.share,
        sampled: n,
        reason: `${pct.format(best.share)} des ${n} valeur(s) examinée(s) ressemblent à des ${LABEL[best.kind]}${hinted.has(best.kind) ? ' ; l’en-tête le suggère aussi' : ''}`,
      });
    }
  }
  return out.sort((a, b) => (b.share ?? 1) - (a.share ?? 1));
}
