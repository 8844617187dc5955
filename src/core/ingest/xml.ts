// XML → tables, through saxes: a streaming, strict parser that expands no entity. A DOCTYPE is refused
// outright (no DTD, so no external entity and no entity expansion bomb can exist), as is anything that
// is not well-formed, with its line.
//
// Two passes over the text: the first counts every element path (to propose the record element — the
// shallowest repeated one that has children — and to learn which elements repeat), the second builds one
// object per record element, which nested.ts turns into a table and child tables.
// Conventions of the objects built: attributes as `@name`; a leaf element as its trimmed text (empty →
// null); an element whose children all carry its own name (`<items><items>…</items></items>`, the
// Java serialisers' lists, as in HATVP files) as an array, whether it holds one child or many; an
// element seen repeated under the same path anywhere in the file as an array, always.
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { HATVP_RECORD_PATH, hatvpDeclaration, isHatvp } from './hatvp.ts';
import { isPlainObject } from './json-text.ts';
import { loadTabulated, tabulate } from './nested.ts';
import { IngestError, type Reader } from './types.ts';
import { errorText } from '../util/errors.ts';

export interface XmlPathStat {
  path: string;
  count: number;
  /** Has element children at least once. */
  parent: boolean;
  /** Seen more than once under one parent element. */
  repeated: boolean;
}

export interface XmlScan {
  root: string;
  paths: Map<string, XmlPathStat>;
}

export const MAX_XML_DEPTH = 256;

function decodeXml(bytes: Uint8Array): string {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
  const enc = /^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1]?.toLowerCase();
  let text: string;
  try {
    text = new TextDecoder(enc && enc !== 'utf8' ? enc : 'utf-8').decode(bytes);
  } catch {
    text = new TextDecoder('utf-8').decode(bytes);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function parser(fileName: string): SaxesParser {
  const p = new SaxesParser({ fileName, position: true });
  p.on('doctype', () => {
    throw new IngestError(
      'déclaration DOCTYPE refusée : un fichier XML de données n’a pas besoin de DTD, et une DTD peut lire des fichiers ou faire exploser la mémoire (entités)',
      fileName,
      p.line,
    );
  });
  return p;
}

function run(p: SaxesParser, text: string, fileName: string): void {
  try {
    p.write(text).close();
  } catch (e) {
    if (e instanceof IngestError) throw e;
    const msg = errorText(e);
    // saxes prefixes « file:line:column: »; the line goes into our own message format.
    const m = /^(?:.*?):(\d+):(\d+): (.*)$/s.exec(msg);
    throw new IngestError(`XML invalide (${inFrench(m ? m[3]! : msg)})`, fileName, m ? Number(m[1]) : p.line);
  }
}

const SAXES_FR: [RegExp, string][] = [
  [/^text data outside of root node\.?$/i, 'du texte hors de l’élément racine : ce n’est pas un document XML'],
  [/^unclosed tag: (.*)$/i, 'balise « $1 » jamais fermée'],
  [/^unexpected close tag\.?$/i, 'balise fermante inattendue'],
  [/^undefined entity: (.*)$/i, 'entité « $1 » non définie'],
  [/^document must contain a root element\.?$/i, 'aucun élément racine'],
  [/^disallowed character\.?$/i, 'caractère interdit en XML'],
];

function inFrench(msg: string): string {
  for (const [re, fr] of SAXES_FR) if (re.test(msg)) return msg.replace(re, fr);
  return msg;
}

/** First pass: every element path with its count, whether it has children and whether it repeats. */
export function scanXml(bytesOrText: Uint8Array | string, fileName: string): XmlScan & { text: string } {
  const text = typeof bytesOrText === 'string' ? bytesOrText : decodeXml(bytesOrText);
  const paths = new Map<string, XmlPathStat>();
  const stack: { path: string; seen: Map<string, number> }[] = [];
  let root = '';
  const p = parser(fileName);
  p.on('opentag', (tag: SaxesTagPlain) => {
    if (stack.length >= MAX_XML_DEPTH)
      throw new IngestError(`XML imbriqué sur plus de ${MAX_XML_DEPTH} niveaux : structure refusée`, fileName, p.line);
    const parent = stack[stack.length - 1];
    const path = parent ? `${parent.path}/${tag.name}` : tag.name;
    if (!parent) root = tag.name;
    let st = paths.get(path);
    if (!st) paths.set(path, (st = { path, count: 0, parent: false, repeated: false }));
    st.count++;
    if (parent) {
      paths.get(parent.path)!.parent = true;
      const n = (parent.seen.get(tag.name) ?? 0) + 1;
      parent.seen.set(tag.name, n);
      if (n > 1) st.repeated = true;
    }
    stack.push({ path, seen: new Map() });
  });
  p.on('closetag', () => void stack.pop());
  run(p, text, fileName);
  if (!root) throw new IngestError('aucun élément XML dans le fichier', fileName);
  return { root, paths, text };
}

/**
 * The record element to propose: the shallowest element that repeats under one parent and has
 * children (the most frequent on a tie). Not simply the most frequent one: nested lists (a contract's
 * holders, a declaration's items) outnumber the records that hold them.
 */
export function proposeRecordPath(scan: XmlScan): string {
  const depth = (p: string) => p.split('/').length;
  const withChildren = [...scan.paths.values()].filter((s) => s.parent && s.path !== scan.root);
  const repeated = withChildren.filter((s) => s.repeated);
  const pool = repeated.length ? repeated : withChildren;
  if (!pool.length) return scan.root;
  pool.sort((a, b) => depth(a.path) - depth(b.path) || b.count - a.count);
  return pool[0]!.path;
}

interface Frame {
  name: string;
  path: string;
  obj: Record<string, unknown> | null;
  text: string;
  childNames: Set<string>;
}

/**
 * Second pass: one object per element at `recordPath`. `repeated` paths become arrays always, so a
 * record with one holder and one with five give the same shape.
 */
export function xmlRecords(text: string, fileName: string, recordPath: string, scan: XmlScan): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  const stack: Frame[] = [];
  let depthInRecord = -1;
  let path = '';
  const p = parser(fileName);
  p.on('opentag', (tag: SaxesTagPlain) => {
    path = path ? `${path}/${tag.name}` : tag.name;
    if (depthInRecord < 0 && path !== recordPath) return;
    depthInRecord++;
    const attrs = Object.entries(tag.attributes).filter(([k]) => k !== 'xmlns' && !k.startsWith('xmlns:'));
    const obj: Record<string, unknown> | null = attrs.length ? Object.fromEntries(attrs.map(([k, v]) => [`@${k}`, v])) : null;
    const parent = stack[stack.length - 1];
    if (parent) parent.childNames.add(tag.name);
    stack.push({ name: tag.name, path, obj, text: '', childNames: new Set() });
  });
  p.on('text', (t: string) => {
    const top = stack[stack.length - 1];
    if (top) top.text += t;
  });
  p.on('cdata', (t: string) => {
    const top = stack[stack.length - 1];
    if (top) top.text += t;
  });
  p.on('closetag', () => {
    if (depthInRecord >= 0) {
      const f = stack.pop()!;
      const value = valueOf(f);
      depthInRecord--;
      if (!stack.length)
        records.push(value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : { valeur: value });
      else attach(stack[stack.length - 1]!, f, value, scan);
    }
    path = path.slice(0, Math.max(0, path.lastIndexOf('/')));
  });
  run(p, text, fileName);
  return records;
}

function valueOf(f: Frame): unknown {
  const text = f.text.trim();
  if (f.obj && '__list' in f.obj) {
    // A list wrapper (children all named like it): its value is the array of its children.
    return f.obj.__list;
  }
  if (!f.obj) return text === '' ? null : text;
  if (text !== '') f.obj['#texte'] = text;
  return f.obj;
}

function attach(parent: Frame, child: Frame, value: unknown, scan: XmlScan): void {
  const isList = parent.childNames.size === 1 && parent.childNames.has(parent.name) && child.name === parent.name;
  if (isList) {
    const obj = (parent.obj ??= {});
    const list = (obj.__list as unknown[] | undefined) ?? [];
    list.push(value);
    obj.__list = list;
    return;
  }
  if (parent.obj && '__list' in parent.obj) {
    // The wrapper turned out to hold other children too: it is an object after all.
    const list = parent.obj.__list as unknown[];
    delete parent.obj.__list;
    parent.obj[parent.name] = list;
  }
  const obj = (parent.obj ??= {});
  const repeated = scan.paths.get(child.path)?.repeated ?? false;
  if (Object.hasOwn(obj, child.name)) {
    const prev = obj[child.name];
    if (Array.isArray(prev) && repeated) prev.push(value);
    else obj[child.name] = [prev, value];
  } else obj[child.name] = repeated ? [value] : value;
}

const MASKED = /^\[\s*donn[ée]es non publi[ée]es\s*\]$/i;
const CODE_NAME = /(^|[._@])(code|id|uuid|siret|siren|insee|postal|cp|telephone|tel|numero|num)([._]|$)|code/i;

/**
 * XML carries only text. A column whose every value reads as a number (no leading zero, so codes stay
 * text), a boolean, or a French date (`dd/mm/yyyy`, `dd/mm/yyyy hh:mm:ss`, `mm/yyyy` as the 1st of the
 * month) gets that type; masked values (« [Données non publiées] ») are kept verbatim and counted.
 */
export function typeXmlValues(tables: { labels: string[]; rows: Record<string, unknown>[]; path: string }[]): string[] {
  const warnings: string[] = [];
  for (const t of tables) {
    for (const label of t.labels) {
      if (label.startsWith('_')) continue;
      const values = t.rows.map((r) => r[label]).filter((v): v is string => typeof v === 'string' && v !== '');
      if (!values.length) continue;
      const masked = values.filter((v) => MASKED.test(v)).length;
      if (masked)
        warnings.push(
          `${t.path || 'racine'} · ${label} : ${masked} valeur(s) masquée(s) par l’éditeur (« [Données non publiées] »), gardées telles quelles`,
        );
      const plain = values.filter((v) => !MASKED.test(v));
      if (!plain.length || masked) continue;
      const convert = pickConversion(label, plain);
      if (!convert) continue;
      if (convert.note) warnings.push(`${t.path || 'racine'} · ${label} : ${convert.note}`);
      for (const r of t.rows) if (typeof r[label] === 'string' && r[label] !== '') r[label] = convert.fn(r[label] as string);
    }
  }
  return warnings;
}

function pickConversion(label: string, values: string[]): { fn: (s: string) => unknown; note?: string } | null {
  const all = (re: RegExp) => values.every((v) => re.test(v.trim()));
  if (all(/^(true|false)$/i)) return { fn: (s) => /^true$/i.test(s.trim()) };
  if (!CODE_NAME.test(label) && all(/^-?(0|[1-9]\d{0,14})([.,]\d+)?$/)) return { fn: (s) => Number(s.trim().replace(',', '.')) };
  if (all(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}(:\d{2})?$/)) {
    return {
      fn: (s) => {
        const [d, t] = s.trim().split(' ');
        const [dd, mm, yy] = d!.split('/');
        return `${yy}-${mm}-${dd} ${t!.length === 5 ? `${t}:00` : t}`;
      },
    };
  }
  if (all(/^\d{2}\/\d{2}\/\d{4}$/))
    return {
      fn: (s) => {
        const [dd, mm, yy] = s.trim().split('/');
        return `${yy}-${mm}-${dd}`;
      },
    };
  if (all(/^(0[1-9]|1[0-2])\/\d{4}$/)) {
    return {
      fn: (s) => {
        const [mm, yy] = s.trim().split('/');
        return `${yy}-${mm}-01`;
      },
      note: 'dates au mois (MM/AAAA) enregistrées au 1er du mois',
    };
  }
  return null;
}

export const readXml: Reader = async (ctx, options) => {
  const name = ctx.file.name;
  const opts = (options ?? {}) as { recordPath?: unknown; profile?: unknown; tables?: unknown };
  ctx.onProgress?.({ fraction: null, message: `Lecture de la structure de ${name}` });
  const scan = scanXml(await ctx.file.bytes(), name);
  const hatvp = opts.profile !== 'generic' && isHatvp(scan);
  const recordPath =
    typeof opts.recordPath === 'string' && opts.recordPath ? opts.recordPath : hatvp ? HATVP_RECORD_PATH : proposeRecordPath(scan);
  if (!scan.paths.has(recordPath)) {
    const known = [...scan.paths.values()]
      .filter((s) => s.parent)
      .sort((a, b) => b.count - a.count)
      .slice(0, 5)
      .map((s) => `${s.path} (${s.count})`);
    throw new IngestError(`aucun élément « ${recordPath} » dans le fichier ; éléments répétés : ${known.join(', ')}`, name);
  }
  ctx.onProgress?.({ fraction: null, message: `Lecture des enregistrements « ${recordPath} »` });
  let records = xmlRecords(scan.text, name, recordPath, scan);
  if (hatvp) records = records.map(hatvpDeclaration);
  const tab = tabulate(records);
  const warnings = typeXmlValues(tab.tables);
  tab.warnings.push(...warnings);
  const previous = isPlainObject(opts.tables) ? (opts.tables as Record<string, string>) : {};
  const loaded = await loadTabulated(ctx, ctx.table, tab, previous);
  return {
    tables: loaded.tables,
    sql: loaded.sql,
    options: { recordPath, profile: hatvp ? 'hatvp' : 'generic', tables: loaded.mapping },
  };
};
