// French tokens for the reports' search index, the same for the indexed text and the query, so what the
// user types meets what the PDF says: case and accents folded, elisions (« l' », « d' », « qu' »…) cut
// off, stop words left out of the index (but counted in positions, so a phrase still needs its words
// side by side), and words stemmed with the Snowball French stemmer (@orama/stemmers: plain functions,
// no eval, fine under the app's CSP) — « rapports » finds « rapport ».
import { stemmer as frenchStem } from '@orama/stemmers/french';

export interface Token {
  /** Normalised, stemmed term as stored in rapports_pdf_termes. */
  term: string;
  /** Token number in the text: stop words count, elided articles do not (they belong to the next word). */
  position: number;
  /** [start, end) UTF-16 offsets of the word in the text (without the elided article). */
  start: number;
  end: number;
}

const ELISIONS = new Set(['l', 'd', 'j', 'm', 'n', 's', 't', 'c', 'qu', 'jusqu', 'lorsqu', 'puisqu', 'quoiqu', 'presqu']);

// Snowball's French stop list (accents folded), with the few abbreviations reports are full of (n°).
export const FRENCH_STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'au aux avec ce ces dans de des du elle en et eux il ils je la le les leur leurs lui ma mais me meme mes moi mon ne nos notre nous ' +
    'on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos votre vous c d j l a m n s t y ete etee etees etes ' +
    'etant etante etants etantes suis es est sommes sont serai seras sera serons serez seront serais serait serions seriez seraient etais ' +
    'etait etions etiez etaient fus fut fumes futes furent sois soit soyons soyez soient fusse fusses fussions fussiez fussent ayant ' +
    'ayante ayantes ayants eu eue eues eus ai as avons avez ont aurai auras aura aurons aurez auront aurais aurait aurions auriez ' +
    'auraient avais avait avions aviez avaient eut eumes eutes eurent aie aies ait ayons ayez aient eusse eusses eut eussions eussiez ' +
    'eussent ceci cela celle celles celui ceux cet cette ici ils leur lors ni non si sous tout toute toutes tous tres ainsi afin dont ' +
    'o no'
  ).split(' '),
);

/** Lowercase, accents and ligatures folded: « Œuvre » → « oeuvre », « Élu » → « elu ». */
export function foldAccents(s: string): string {
  return s
    .toLocaleLowerCase('fr')
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .normalize('NFD')
    .replace(/\p{M}+/gu, '');
}

const stemCache = new Map<string, string>();

/** The index term for one word, or null for a stop word. The stemmer sees the accented word (its rules use é, è). */
export function termOf(word: string): string | null {
  const lower = word.toLocaleLowerCase('fr');
  let t = stemCache.get(lower);
  if (t === undefined) {
    const folded = foldAccents(lower);
    t = FRENCH_STOP_WORDS.has(folded) ? '' : /^\p{N}+$/u.test(folded) ? folded : foldAccents(frenchStem(lower));
    if (stemCache.size > 200_000) stemCache.clear();
    stemCache.set(lower, t);
  }
  return t || null;
}

// A word cut at the end of a line (« recom-\nmandation », justified text) is one word again.
const WORD = /[\p{L}\p{N}]+(?:-\n[\p{L}\p{N}]+)*/gu;
const APOSTROPHE = /^['’ʼ]/;

/** Every indexed token of a text, with its position and offsets (stop words left out, their positions kept). */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let position = 0;
  for (const m of text.matchAll(WORD)) {
    const word = m[0].replace(/-\n/g, '');
    const start = m.index;
    const end = start + m[0].length;
    // « l'audit »: the article is part of the word that follows it, not a token of its own.
    if (APOSTROPHE.test(text.slice(end, end + 1)) && ELISIONS.has(foldAccents(word)) && /[\p{L}\p{N}]/u.test(text.charAt(end + 1)))
      continue;
    const term = termOf(word);
    if (term) out.push({ term, position, start, end });
    position++;
  }
  return out;
}

export interface ParsedQuery {
  /** Every distinct term the query asks for (loose words and phrase words). */
  terms: string[];
  /** Phrases: their terms with the offset of each from the phrase's first indexed word. */
  phrases: { terms: string[]; offsets: number[] }[];
}

/**
 * A search query: « "mots exacts" » or «« mots exacts »» is a phrase (its words consecutive in the
 * text, stop words keeping their places), anything else loose words ranked together.
 */
export function parseQuery(query: string): ParsedQuery {
  const phrases: ParsedQuery['phrases'] = [];
  const rest = query.replace(/"([^"]*)"|«([^»]*)»|“([^”]*)”/g, (_m, a?: string, b?: string, c?: string) => {
    const toks = tokenize(a ?? b ?? c ?? '');
    if (toks.length > 1) phrases.push({ terms: toks.map((t) => t.term), offsets: toks.map((t) => t.position - toks[0]!.position) });
    else if (toks.length === 1) phrases.push({ terms: [toks[0]!.term], offsets: [0] });
    return ' ';
  });
  const terms = new Set<string>();
  for (const p of phrases) for (const t of p.terms) terms.add(t);
  for (const t of tokenize(rest)) terms.add(t.term);
  return { terms: [...terms], phrases };
}
