// Where the records of a JSON document are. Publishers put them anywhere: a top-level array, under
// `records`/`results`/`data`, under `operations` next to `generated_at`, two levels down as in
// `{"declarations": {"declaration": [...]}}`, or in several arrays side by side. Every array of
// objects is found (not inside another such array: those are nested data, see nested.ts), the largest
// is proposed, and the user can name others by path.
import { isPlainObject } from './json-text.ts';

export interface RecordArray {
  /** Dotted path from the root ('' for a top-level array), e.g. `declarations.declaration`. */
  path: string;
  count: number;
}

const MAX_SEARCH_DEPTH = 6;
/** API wrappers win over a larger sibling array only when they hold records; the order breaks ties. */
const PREFERRED = ['records', 'results', 'data', 'items', 'features'];

function isRecordArray(v: unknown): v is Record<string, unknown>[] {
  return Array.isArray(v) && v.length > 0 && v.every(isPlainObject);
}

/** Arrays of objects in `doc`, largest first (a tie goes to the shallower one, then the preferred key). */
export function findRecordArrays(doc: unknown): RecordArray[] {
  const found: RecordArray[] = [];
  const walk = (v: unknown, path: string, depth: number) => {
    if (isRecordArray(v)) {
      found.push({ path, count: v.length });
      return;
    }
    if (!isPlainObject(v) || depth >= MAX_SEARCH_DEPTH) return;
    for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k, depth + 1);
  };
  walk(doc, '', 0);
  const rank = (p: string) => {
    const i = PREFERRED.indexOf(p.split('.').pop() ?? '');
    return i < 0 ? PREFERRED.length : i;
  };
  return found.sort((a, b) => b.count - a.count || a.path.split('.').length - b.path.split('.').length || rank(a.path) - rank(b.path));
}

/** The value at a dotted path (keys with dots are not supported: such a document names its path whole). */
export function atPath(doc: unknown, path: string): unknown {
  if (!path) return doc;
  let v: unknown = doc;
  for (const k of path.split('.')) {
    if (!isPlainObject(v) || !Object.hasOwn(v, k)) return undefined;
    v = v[k];
  }
  return v;
}

/** The records at `path`, or why not. */
export function recordsAt(doc: unknown, path: string): Record<string, unknown>[] | string {
  const v = atPath(doc, path);
  if (v === undefined) return `aucune valeur au chemin « ${path} »`;
  if (!Array.isArray(v)) return `le chemin « ${path} » ne désigne pas un tableau`;
  if (!v.length) return `le tableau « ${path} » est vide`;
  const bad = v.findIndex((x) => !isPlainObject(x));
  if (bad >= 0) return `l’élément n° ${bad + 1} du tableau « ${path} » n’est pas un objet`;
  return v as Record<string, unknown>[];
}
