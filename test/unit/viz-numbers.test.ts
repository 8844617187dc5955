// Computed numbers shown for reading: the shared formatter by kind and magnitude, the grid's
// centroids of an imported GeoJSON (the demo's arrondissements, and the real file when present).
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import type { Session } from '../../src/core/project/session.ts';
import { decimalsFor, formatDisplayNumber, formatNamedNumber, kindOfName } from '../../src/core/util/numbers.ts';
import { arrondissementsGeoJson } from '../../src/demo/arrondissements.ts';
import { displayCell } from '../../src/ui/widgets/grid/format-cell.ts';
import { closeDiskSession, openDiskSession } from './helpers.ts';

const NNBSP = '\u202f';

describe('formatDisplayNumber', () => {
  it('keeps about four significant digits of a measure, never rounding its integer part', () => {
    expect(formatDisplayNumber(12.3456789012)).toBe('12,35');
    expect(formatDisplayNumber(0.00123456789)).toBe('0,001235');
    expect(formatDisplayNumber(123456.789)).toBe(`123${NNBSP}457`);
    expect(formatDisplayNumber(2.5)).toBe('2,5');
    expect(formatDisplayNumber(-3.14159)).toBe('-3,142');
    expect(formatDisplayNumber(1234)).toBe(`1${NNBSP}234`);
    expect(decimalsFor(0)).toBe(0);
  });

  it('writes coordinates to 6 decimals, rates as percentages, codes and years without separators', () => {
    expect(formatDisplayNumber(2.31849999998453, 'coordinate')).toBe('2,3185');
    expect(formatDisplayNumber(48.856614123456, 'coordinate')).toBe('48,856614');
    expect(formatDisplayNumber(0.125, 'rate')).toBe(`12,5${NNBSP}%`);
    expect(formatDisplayNumber(0.00042, 'rate')).toBe(`0,042${NNBSP}%`);
    expect(formatDisplayNumber(2014, 'code')).toBe('2014');
    expect(formatDisplayNumber(1234567.891, 'amount')).toBe(`1${NNBSP}234${NNBSP}567,89`);
    expect(formatDisplayNumber(1234.5, 'measure', 'en')).toBe('1,235');
    expect(formatDisplayNumber(Number.NaN)).toBe('—');
  });

  it('reads the kind of a computed figure from its name', () => {
    expect(
      ['centroid_lon', 'latitude', 'deliveredRate', 'workingClassShare', 'year', 'edition', 'amountAtStake', 'chi2', 'mad'].map(kindOfName),
    ).toEqual(['coordinate', 'coordinate', 'rate', 'rate', 'code', 'code', 'amount', 'measure', 'measure']);
    // A « rate » outside [0, 1] is not a share: shown as a measure, not as 250 %.
    expect(formatNamedNumber('rate', 2.5)).toBe('2,5');
  });
});

let engine: Engine;
let dir: string;
let session: Session;
beforeAll(async () => {
  ({ dir, engine, session } = await openDiskSession('loupe-viz-numbers-'));
}, 60_000);
afterAll(() => closeDiskSession({ dir, engine }));

async function centroidCells(path: string, table: string) {
  await session.importPath(path);
  const r = await engine.query(`SELECT centroid_lon, centroid_lat FROM "${table}" WHERE centroid_lon IS NOT NULL`);
  return r.rows.map((row) =>
    row.map((v, i) => ({
      v: Number(v),
      shown: displayCell(Number(v), { kind: 'number', scale: null, code: false, name: i ? 'centroid_lat' : 'centroid_lon' }),
    })),
  );
}

function expectReadable(cells: { v: number; shown: ReturnType<typeof displayCell> }[][]) {
  expect(cells.length).toBeGreaterThan(0);
  for (const { v, shown } of cells.flat()) {
    if (shown.type !== 'value') throw new Error(`not a value: ${JSON.stringify(shown)}`);
    const decimals = shown.text.split(',')[1] ?? '';
    expect(decimals.length, shown.text).toBeLessThanOrEqual(6);
    // What is shown is the stored value to a tenth of a metre, not another number.
    expect(Math.abs(Number(shown.text.replace(',', '.')) - v)).toBeLessThan(5e-7);
  }
}

describe('statistics in a result grid', () => {
  it('shows an outlier test’s mean, standard deviation and z to 4 significant digits', async () => {
    const r = await engine.query(
      `SELECT avg(v) AS moyenne, stddev_samp(v) AS ecart_type, (0.4 - avg(v)) / stddev_samp(v) AS z FROM (VALUES (0.1), (0.2), (0.4)) t(v)`,
    );
    const [mean, sd, z] = r.rows[0]!.map(Number);
    // The trap: each has float noise well past 4 digits when printed in full.
    expect(String(mean).length).toBeGreaterThan(10);
    const shown = (name: string, v: number) => displayCell(v, { kind: 'number', scale: null, code: false, name });
    expect(shown('moyenne', mean!)).toMatchObject({ text: formatDisplayNumber(mean!, 'measure') });
    expect(shown('moyenne', mean!)).toMatchObject({ text: '0,2333' });
    expect(shown('ecart_type', sd!)).toMatchObject({ text: '0,1528' });
    expect(shown('z', z!)).toMatchObject({ text: '1,091' });
    // A column of the file keeps every digit it has: the grid shows what was read.
    expect(shown('montant', mean!)).toMatchObject({ text: '0,233333333333333' });
  });
});

describe('centroids in the grid', () => {
  it('shows the computed centroids of the demo arrondissements with at most 6 decimals', async () => {
    const path = join(dir, 'arrondissements.geojson');
    await writeFile(path, arrondissementsGeoJson(), 'utf8');
    const cells = await centroidCells(path, 'arrondissements');
    expectReadable(cells);
    // The trap is real: at least one centroid has float noise past the sixth decimal.
    expect(cells.flat().some(({ v }) => String(v).split('.')[1]!.length > 6)).toBe(true);
  });

  const REAL = resolve('../shared/data/arrondissements.geojson');
  it.skipIf(!existsSync(REAL))('and those of the real Paris arrondissements file (../shared/data)', async () => {
    const before = new Set(session.catalog.list().map((t) => t.name));
    await session.importPath(REAL);
    const name = session.catalog
      .list()
      .map((t) => t.name)
      .find((n) => !before.has(n))!;
    const r = await engine.query(`SELECT centroid_lon FROM "${name}"`);
    const cells = r.rows.map((row) => [
      { v: Number(row[0]), shown: displayCell(Number(row[0]), { kind: 'number', scale: null, code: false, name: 'centroid_lon' }) },
    ]);
    expect(cells.length).toBe(20);
    expectReadable(cells);
  });
});
