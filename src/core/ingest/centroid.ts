// A representative point for a GeoJSON geometry, in its own lon/lat degrees (planar: at the scale
// of a city the error is far below what a map shows). Polygons use the area-weighted centroid, holes
// subtracted; lines and point sets the mean of their vertices.

type Pos = [number, number];

function isPos(v: unknown): v is Pos {
  return (
    Array.isArray(v) &&
    v.length >= 2 &&
    typeof v[0] === 'number' &&
    typeof v[1] === 'number' &&
    Number.isFinite(v[0]) &&
    Number.isFinite(v[1])
  );
}

function positions(v: unknown, out: Pos[] = []): Pos[] {
  if (isPos(v)) out.push(v);
  else if (Array.isArray(v)) for (const x of v) positions(x, out);
  return out;
}

function mean(ps: Pos[]): Pos | null {
  if (!ps.length) return null;
  let x = 0;
  let y = 0;
  for (const p of ps) {
    x += p[0];
    y += p[1];
  }
  return [x / ps.length, y / ps.length];
}

/** Signed area (×2) and the first moments (×6) of a ring, shoelace formula. */
function ringMoments(ring: Pos[]): { a: number; cx: number; cy: number } {
  let a = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < ring.length; i++) {
    const p = ring[i]!;
    const q = ring[(i + 1) % ring.length]!;
    const cross = p[0] * q[1] - q[0] * p[1];
    a += cross;
    cx += (p[0] + q[0]) * cross;
    cy += (p[1] + q[1]) * cross;
  }
  return { a, cx, cy };
}

function polygonsCentroid(polygons: unknown[]): Pos | null {
  let area = 0;
  let mx = 0;
  let my = 0;
  for (const poly of polygons) {
    if (!Array.isArray(poly)) continue;
    poly.forEach((ringRaw, i) => {
      const ring = positions(ringRaw);
      if (ring.length < 3) return;
      const m = ringMoments(ring);
      // Orientation varies between producers: the outer ring adds, holes subtract, whatever their winding.
      const sign = (i === 0 ? 1 : -1) * Math.sign(m.a);
      area += sign * m.a;
      mx += sign * m.cx;
      my += sign * m.cy;
    });
  }
  if (Math.abs(area) < 1e-18) return mean(positions(polygons));
  return [mx / (3 * area), my / (3 * area)];
}

/** [lon, lat] of the geometry, or null for a null, empty or malformed one. */
export function centroid(geometry: unknown): Pos | null {
  if (typeof geometry !== 'object' || geometry === null) return null;
  const g = geometry as { type?: unknown; coordinates?: unknown; geometries?: unknown };
  switch (g.type) {
    case 'Point':
      return isPos(g.coordinates) ? [g.coordinates[0], g.coordinates[1]] : null;
    case 'Polygon':
      return Array.isArray(g.coordinates) ? polygonsCentroid([g.coordinates]) : null;
    case 'MultiPolygon':
      return Array.isArray(g.coordinates) ? polygonsCentroid(g.coordinates) : null;
    case 'MultiPoint':
    case 'LineString':
    case 'MultiLineString':
      return mean(positions(g.coordinates));
    case 'GeometryCollection': {
      if (!Array.isArray(g.geometries)) return null;
      const cs = g.geometries.map(centroid).filter((c): c is Pos => c !== null);
      return mean(cs);
    }
    default:
      return null;
  }
}
