// Personal data: columns of e-mails, phones, addresses and person names are pointed out (and
// organisations are not); masking gives the same pseudonym to the same value, with a project salt
// that never reaches the journal.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/core/ops/all.ts';
import type { Engine } from '../../src/core/engine/engine.ts';
import { nodeFileResolver } from '../../src/node/node-source.ts';
import { chainResolvers } from '../../src/core/ingest/source.ts';
import { replayJournal } from '../../src/core/project/replay.ts';
import type { Session } from '../../src/core/project/session.ts';
import { detectPersonalColumns, maskTable, PRIVACY_SALT_FILE } from '../../src/core/privacy/index.ts';
import { closeDiskSession, openDiskSession, withFreshEngine } from './helpers.ts';

let dir: string;
let engine: Engine;
let s: Session;

const HEADER = 'Bénéficiaire;Organisme;Courriel;Téléphone;Adresse;Montant;Commentaire;Date de naissance';
const ROWS = [
  'Mme Claire Dubois;Association Les Semeurs;claire.dubois@example.fr;06 12 34 56 78;12 rue des Lilas;1200;versé;1980-01-02',
  'Jean-Pierre MARTIN;SARL Bâtir Ensemble;jp.martin@example.org;+33 1 45 67 89 10;4 bis avenue Foch;800;versé;1975-05-06',
  'M. Ahmed Benali;Fondation Abbé Pierre;a.benali@example.com;01.23.45.67.89;7 boulevard Voltaire;450;en attente;1990-03-04',
  'Sophie NGUYEN;Club sportif de Belleville;sophie@example.net;0698765432;3 place de la Nation;300;versé;1985-07-08',
  'Mme Claire Dubois;Mairie du 11e arrondissement;claire.dubois@example.fr;06 12 34 56 78;12 rue des Lilas;900;versé;1980-01-02',
  'claire dubois ;École Saint-Michel;;;;100;versé;',
];

beforeAll(async () => {
  ({ dir, engine, session: s } = await openDiskSession('loupe-privacy-', 'Aides'));
  await writeFile(join(dir, 'aides.csv'), [HEADER, ...ROWS].join('\n') + '\n');
  await s.importPath(join(dir, 'aides.csv'));
}, 60_000);
afterAll(() => closeDiskSession({ dir, engine }));

const rows = async (sql: string) => {
  const r = await s.engine.query(sql);
  return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c.name, row[i]])));
};

describe('personal data', () => {
  it('points out e-mails, phones, addresses, person names and birth dates, not organisations or amounts', async () => {
    const found = await detectPersonalColumns(s.engine, 'aides');
    const byCol = Object.fromEntries(found.map((f) => [f.column, f]));
    expect(Object.keys(byCol).sort()).toEqual(['adresse', 'beneficiaire', 'courriel', 'date_de_naissance', 'telephone']);
    expect(byCol.courriel).toMatchObject({ kind: 'email', share: 1, sampled: 5 });
    expect(byCol.telephone).toMatchObject({ kind: 'telephone', share: 1 });
    expect(byCol.adresse).toMatchObject({ kind: 'adresse', share: 1 });
    expect(byCol.beneficiaire?.kind).toBe('nom-de-personne');
    expect(byCol.beneficiaire?.share).toBeCloseTo(5 / 6, 10); // « claire dubois » in lower case is missed
    expect(byCol.beneficiaire?.reason).toMatch(/83\s% des 6 valeur\(s\)/);
    expect(byCol.date_de_naissance).toMatchObject({ kind: 'date-de-naissance', share: null });
  });

  it('masks consistently: the same value gets the same pseudonym, the salt stays out of the journal', async () => {
    const res = await maskTable(s, {
      table: 'aides',
      columns: [
        { column: 'beneficiaire', method: 'pseudonym' },
        { column: 'courriel', method: 'mask' },
        { column: 'telephone', method: 'mask' },
        { column: 'adresse', method: 'pseudonym' },
        { column: 'date_de_naissance', method: 'drop' },
      ],
    });
    expect(res.table).toBe('aides_masque');
    const out = await rows('SELECT * FROM aides_masque');
    expect(out).toHaveLength(6);
    expect(Object.keys(out[0]!)).not.toContain('date_de_naissance');
    const p = out.map((r) => r.beneficiaire as string);
    expect(p.every((x) => /^PSEUDO-[0-9A-F]{12}$/.test(x))).toBe(true);
    // « Mme Claire Dubois » twice → one pseudonym; « claire dubois » differs (no civility) but is stable too.
    expect(p[0]).toBe(p[4]);
    expect(new Set(p).size).toBe(5);
    expect(out[0]!.adresse).toBe(out[4]!.adresse);
    expect(out[0]!.courriel).toBe('c***@example.fr');
    expect(out[1]!.telephone).toBe('** ** ** ** 10');
    expect(out[5]!.courriel).toBeNull();
    expect(out.map((r) => r.montant)).toEqual([1200, 800, 450, 300, 900, 100]);

    const salt = (await readFile(join(dir, 'proj', PRIVACY_SALT_FILE), 'utf8')).trim();
    expect(salt).toMatch(/^[0-9a-f]{64}$/);
    const entry = s.journal.all().at(-1)!;
    expect(entry.op).toBe('privacy-mask');
    expect(entry.params).toMatchObject({
      table: 'aides',
      columns: expect.arrayContaining([{ column: 'beneficiaire', method: 'pseudonym' }]),
    });
    const journalText = await readFile(join(dir, 'proj', 'journal.ndjson'), 'utf8');
    expect(journalText).not.toContain(salt);
    expect(entry.sql.join('\n')).toContain("getvariable('loupe_privacy_salt')");
    // The variable is cleared once the table is built.
    expect((await s.engine.query("SELECT getvariable('loupe_privacy_salt')")).rows[0]?.[0]).toBeNull();

    // Masking again (another table, same project) gives the same pseudonyms.
    await maskTable(s, { table: 'aides', columns: [{ column: 'beneficiaire', method: 'pseudonym' }], output: 'aides_bis' });
    const again = await rows('SELECT beneficiaire FROM aides_bis');
    expect(again.map((r) => r.beneficiaire)).toEqual(p);
    expect((await s.journal.verify()).ok).toBe(true);
  });

  it('replays to the same digest from the project salt', async () => {
    await withFreshEngine(async (other) => {
      const report = await replayJournal(s.journal.all(), other, chainResolvers(s.store.files(), nodeFileResolver));
      expect(report.differences).toEqual([]);
      expect(report.identical).toBe(s.journal.all().length);
    });
  }, 60_000);
});
