// The 20 arrondissements as a schematic tile map (one square each, laid out roughly like the real
// spiral) around the centre of Paris: the same layout as the app's tile map, so the demo's shapes and
// the tile chart agree. The shapes are not the real boundaries.
import { ARRONDISSEMENT_TILES } from '../core/viz/arrondissements.ts';
import type { Rng } from './random.ts';

const OFFICIAL_NAMES = [
  'Louvre',
  'Bourse',
  'Temple',
  'Hôtel-de-Ville',
  'Panthéon',
  'Luxembourg',
  'Palais-Bourbon',
  'Élysée',
  'Opéra',
  'Entrepôt',
  'Popincourt',
  'Reuilly',
  'Gobelins',
  'Observatoire',
  'Vaugirard',
  'Passy',
  'Batignolles-Monceau',
  'Butte-Montmartre',
  'Buttes-Chaumont',
  'Ménilmontant',
];

const ORIGIN = { lon: 2.2675, lat: 48.9005 };
const STEP = { lon: 0.034, lat: 0.0225 };

export function tile(arrondissement: number): { west: number; east: number; north: number; south: number } {
  const t = ARRONDISSEMENT_TILES.find((x) => x.arrondissement === arrondissement);
  if (!t) throw new Error(`arrondissement inconnu : ${arrondissement}`);
  // Row 0 is the north edge.
  const west = ORIGIN.lon + t.col * STEP.lon;
  const north = ORIGIN.lat - t.row * STEP.lat;
  return { west, east: west + STEP.lon, north, south: north - STEP.lat };
}

/** A point well inside the arrondissement's tile, so a point-in-polygon join finds it. */
export function pointIn(arrondissement: number, rng: Rng): { lat: number; lon: number } {
  const b = tile(arrondissement);
  const lon = b.west + (b.east - b.west) * rng.uniform(0.1, 0.9);
  const lat = b.south + (b.north - b.south) * rng.uniform(0.1, 0.9);
  return { lat: Math.round(lat * 1e6) / 1e6, lon: Math.round(lon * 1e6) / 1e6 };
}

export function label(n: number): string {
  return n === 1 ? '1er Ardt' : `${n}ème Ardt`;
}

const r6 = (x: number) => Math.round(x * 1e6) / 1e6;

export function arrondissementsGeoJson(): string {
  const features = Array.from({ length: 20 }, (_, i) => {
    const n = i + 1;
    const b = tile(n);
    // Exterior ring counter-clockwise, as RFC 7946 asks.
    const ring = [
      [b.west, b.south],
      [b.east, b.south],
      [b.east, b.north],
      [b.west, b.north],
      [b.west, b.south],
    ].map(([x, y]) => [r6(x!), r6(y!)]);
    return {
      type: 'Feature',
      geometry: { type: 'Polygon', coordinates: [ring] },
      properties: {
        c_ar: n,
        c_arinsee: 75100 + n,
        l_ar: label(n),
        l_aroff: OFFICIAL_NAMES[i],
        geom_x_y: [r6((b.north + b.south) / 2), r6((b.west + b.east) / 2)],
      },
    };
  });
  return JSON.stringify({ type: 'FeatureCollection', features }, null, 1) + '\n';
}
