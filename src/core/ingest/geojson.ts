// GeoJSON FeatureCollection → one row per feature: its properties as columns, the geometry kept as
// GeoJSON text (no spatial extension in the wasm build) and a centroid to place it on a map or join.
import { uniqueIdentifiers } from '../sql/ident.ts';
import { centroid } from './centroid.ts';
import { decodeJsonBytes, isPlainObject, parseJson } from './json-text.ts';
import { loadRows } from './records.ts';
import { IngestError, type Reader } from './types.ts';

const GEO_COLUMNS = ['geometry', 'centroid_lon', 'centroid_lat'];

export const readGeojson: Reader = async (ctx) => {
  const name = ctx.file.name;
  const doc = parseJson(decodeJsonBytes(await ctx.file.bytes()), name);
  if (!isPlainObject(doc) || doc.type !== 'FeatureCollection' || !Array.isArray(doc.features)) {
    const what = isPlainObject(doc) && typeof doc.type === 'string' ? `un objet de type « ${doc.type} »` : 'autre chose';
    throw new IngestError(`ce n’est pas une FeatureCollection GeoJSON (trouvé ${what})`, name);
  }
  const features = doc.features;
  if (!features.length) throw new IngestError('la FeatureCollection ne contient aucune entité', name);

  const keys = new Map<string, number>();
  for (let i = 0; i < features.length; i++) {
    const f = features[i];
    if (!isPlainObject(f) || f.type !== 'Feature') {
      throw new IngestError(`l’élément n° ${i + 1} de « features » n’est pas une Feature GeoJSON`, name);
    }
    if (isPlainObject(f.properties)) for (const k of Object.keys(f.properties)) if (!keys.has(k)) keys.set(k, keys.size);
  }
  const props = [...keys.keys()];
  // The geometry columns are named first so they keep their exact names if a property collides.
  const ids = uniqueIdentifiers([...GEO_COLUMNS, ...props]);
  const geoIds = ids.slice(0, GEO_COLUMNS.length);
  const propIds = ids.slice(GEO_COLUMNS.length);

  let noGeometry = 0;
  let noCentroid = 0;
  const rows = features.map((raw) => {
    const f = raw as Record<string, unknown>;
    const p = isPlainObject(f.properties) ? f.properties : {};
    const g = f.geometry ?? null;
    const c = g === null ? null : centroid(g);
    if (g === null) noGeometry++;
    else if (c === null) noCentroid++;
    return [...props.map((k) => p[k]), g === null ? null : JSON.stringify(g), c?.[0] ?? null, c?.[1] ?? null];
  });
  const columns = [
    ...props.map((label, i) => ({ name: propIds[i]!, label })),
    { name: geoIds[0]!, label: 'geometry' },
    { name: geoIds[1]!, label: 'centroid_lon' },
    { name: geoIds[2]!, label: 'centroid_lat' },
  ];
  const { sql } = await loadRows(ctx.engine, ctx.table, columns, rows, {
    [geoIds[0]!]: 'VARCHAR',
    [geoIds[1]!]: 'DOUBLE',
    [geoIds[2]!]: 'DOUBLE',
  });
  const warnings: string[] = [];
  if (noGeometry) warnings.push(`${noGeometry} entité(s) sans géométrie (geometry: null) : géométrie et centroïde laissés vides`);
  if (noCentroid) warnings.push(`${noCentroid} géométrie(s) illisible(s) : centroïde laissé vide`);
  return {
    tables: [
      {
        name: ctx.table,
        labels: Object.fromEntries(columns.map((c) => [c.name, c.label])),
        ...(warnings.length ? { warnings } : {}),
      },
    ],
    sql: [sql],
    options: {},
  };
};
