import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registeredName, type Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import {
  CREDIT_OVERRUN,
  DEMO_ANOMALIES,
  DUPLICATE_PAYMENT,
  INVALID_SIRET,
  LATE_DELIVERY,
  ORDER_IMBALANCE,
  PAYMENT_WITHOUT_VOTE,
  SPLIT_CONTRACTS,
} from '../../src/demo/anomalies.ts';
import { tile } from '../../src/demo/arrondissements.ts';
import { generateDemoFiles, type DemoFile } from '../../src/demo/generate.ts';

let engine: Engine;
let dirA: string;
let dirB: string;
let files: DemoFile[];

const TABLES = {
  vote: 'budget/budget-vote.csv',
  ca: 'budget/compte-administratif.csv',
  votees: 'subventions/subventions-votees.csv',
  versees: 'subventions/subventions-versees.csv',
  marches: 'marches/marches-publics.csv',
  rapports: 'audit/rapports.csv',
  recos: 'audit/recommandations.csv',
  nomenclature: 'referentiels/nomenclature-m57.csv',
} as const;

/** The columns that name a budget line, voted or executed. */
const BUDGET_LINE = ['Section', 'Sens', "Type d'opération", 'Chapitre fonctionnel', 'Chapitre', 'Nature', 'Fonction', 'Direction'];

const COLUMNS: Record<keyof typeof TABLES, string[]> = {
  vote: ['Exercice', 'Étape budgétaire', 'Date de vote', ...BUDGET_LINE, 'Montant voté'],
  ca: ['Exercice', ...BUDGET_LINE, 'Montant réalisé'],
  votees: [
    'Numéro de dossier',
    'Année budgétaire',
    'Date du vote',
    'Nom du bénéficiaire',
    'SIRET',
    'Direction',
    'Objet du dossier',
    'Nature de la subvention',
    "Secteur d'activité",
    'Montant voté',
  ],
  versees: ['Numéro de mandat', 'Exercice', 'Date de versement', 'Nom du bénéficiaire', 'SIRET', 'Montant versé'],
  marches: [
    'Numéro du marché',
    "Date d'attribution",
    'Titulaire',
    'SIRET du titulaire',
    'Objet du marché',
    'Catégorie',
    'Montant HT',
    'Procédure',
    'Direction acheteuse',
    'Durée (mois)',
  ],
  rapports: ['Identifiant du rapport', 'Titre', 'Date du rapport', 'Entité auditée', 'Direction concernée', 'Type de mission'],
  recos: [
    'Identifiant de la recommandation',
    'Identifiant du rapport',
    'Recommandation',
    'Priorité',
    'Direction responsable',
    "Date d'échéance",
    'Date du statut',
    'Statut',
  ],
  nomenclature: ['Type de code', 'Code', 'Libellé', 'Section', 'Chapitre de rattachement'],
};

const rows = async (sql: string) => (await engine.query(sql)).rows;
const sha = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
const round2 = (x: unknown) => Math.round(Number(x) * 100) / 100;

beforeAll(async () => {
  dirA = await mkdtemp(join(tmpdir(), 'loupe-demo-a-'));
  dirB = await mkdtemp(join(tmpdir(), 'loupe-demo-b-'));
  files = await generateDemoFiles(dirA);
  await generateDemoFiles(dirB);
  engine = await createNodeEngine();
  for (const [table, path] of Object.entries(TABLES)) {
    await engine.registerPath(`${table}.csv`, join(dirA, path));
    await engine.exec(
      `CREATE TABLE ${table} AS SELECT * FROM read_csv('${registeredName(`${table}.csv`)}', delim=';', decimal_separator=',', dateformat='%d/%m/%Y')`,
    );
  }
  await engine.registerPath('projets.json', join(dirA, 'budget-participatif/projets.json'));
  await engine.insertJSONFile('projets', 'projets.json');
}, 120_000);

afterAll(async () => {
  await engine?.close();
  await rm(dirA, { recursive: true, force: true });
  await rm(dirB, { recursive: true, force: true });
});

describe('demo workspace', () => {
  it('writes the same bytes on every run', async () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const f of files) expect(await sha(join(dirB, f.path)), f.path).toBe(await sha(join(dirA, f.path)));
  });

  it('describes every file in one French line', () => {
    for (const f of files) {
      expect(f.description).toMatch(/^[A-ZÉ].+[.)]$/);
      expect(f.description).not.toContain('\n');
    }
    expect(files.map((f) => f.path)).toEqual(
      expect.arrayContaining([...Object.values(TABLES), 'budget-participatif/projets.json', 'referentiels/arrondissements.geojson']),
    );
  });

  it('writes CSV the way the Paris portal exports them: BOM, `;`, decimal comma, codes with leading zeros', async () => {
    const text = await readFile(join(dirA, TABLES.ca), 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text).toContain('\r\n');
    expect(text).toMatch(/;\d+,\d{1,2}\r\n/);
    expect(
      await rows(`SELECT DISTINCT "Chapitre" FROM vote WHERE "Chapitre" IN ('011', '012', '023', '040', '042', '65') ORDER BY 1`),
    ).toEqual([['011'], ['012'], ['023'], ['040'], ['042'], ['65']]);
    expect(await rows(`SELECT count(*) FROM vote WHERE "Fonction" = '020'`)).not.toEqual([[0]]);
  });

  it('loads every CSV with DuckDB and the expected columns', async () => {
    for (const table of Object.keys(TABLES) as (keyof typeof TABLES)[]) {
      const r = await engine.query(`SELECT * FROM ${table} LIMIT 1`);
      expect(
        r.columns.map((c) => c.name),
        table,
      ).toEqual(COLUMNS[table]);
    }
    const types = await rows(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_name IN ('vote', 'ca', 'versees', 'marches') AND (column_name LIKE 'Montant%' OR column_name LIKE 'Date%') ORDER BY ALL`,
    );
    for (const [name, type] of types) expect(String(type), String(name)).toMatch(/^(DATE|DOUBLE|BIGINT|DECIMAL.*)$/);
  });

  it('votes a balanced budget: each section balances at each stage of each year', async () => {
    const unbalanced = await rows(`
      SELECT "Exercice", "Étape budgétaire", "Section"
      FROM vote GROUP BY ALL
      HAVING abs(sum(CASE WHEN "Sens" = 'Dépense' THEN "Montant voté" ELSE -"Montant voté" END)) > 0.001`);
    expect(unbalanced).toEqual([]);
  });

  it('executes only lines that were voted', async () => {
    const orphans = await rows(`
      SELECT count(*) FROM ca
      ANTI JOIN vote USING ("Exercice", "Section", "Sens", "Type d'opération", "Chapitre", "Nature", "Fonction", "Direction")`);
    expect(orphans).toEqual([[0]]);
  });

  it('pays subsidies within the year they were voted', async () => {
    expect(await rows(`SELECT count(*) FROM versees WHERE year("Date de versement") <> "Exercice"`)).toEqual([[0]]);
  });
});

describe('planted anomalies, each found by plain SQL and alone', () => {
  it('lists seven anomalies with a file and a French description', () => {
    expect(DEMO_ANOMALIES.map((a) => a.id)).toHaveLength(7);
    for (const a of DEMO_ANOMALIES) {
      expect(files.map((f) => f.path)).toContain(a.file);
      expect(a.description.length).toBeGreaterThan(40);
    }
  });

  it('(a) one subsidy paid twice: same SIRET, amount and date', async () => {
    const groups = await rows(`
      SELECT CAST("SIRET" AS VARCHAR), "Montant versé", strftime("Date de versement", '%d/%m/%Y'), count(*)
      FROM versees GROUP BY 1, 2, 3 HAVING count(*) > 1`);
    expect(groups).toEqual([[DUPLICATE_PAYMENT.siret, DUPLICATE_PAYMENT.amount, DUPLICATE_PAYMENT.date, 2]]);
    const voted = await rows(
      `SELECT "Numéro de dossier", "Montant voté" FROM votees WHERE CAST("SIRET" AS VARCHAR) = '${DUPLICATE_PAYMENT.siret}' AND "Année budgétaire" = ${DUPLICATE_PAYMENT.year}`,
    );
    expect(voted).toEqual([[DUPLICATE_PAYMENT.dossier, DUPLICATE_PAYMENT.amount]]);
  });

  it('(b) one beneficiary paid without any vote', async () => {
    const bySiret = await rows(`
      SELECT DISTINCT CAST(p."SIRET" AS VARCHAR), p."Nom du bénéficiaire", p."Montant versé"
      FROM versees p WHERE p."SIRET" IS NOT NULL AND p."SIRET" NOT IN (SELECT "SIRET" FROM votees WHERE "SIRET" IS NOT NULL)`);
    expect(bySiret).toEqual([[PAYMENT_WITHOUT_VOTE.siret, PAYMENT_WITHOUT_VOTE.beneficiary, PAYMENT_WITHOUT_VOTE.amount]]);
    const byName = await rows(`
      SELECT DISTINCT "Nom du bénéficiaire" FROM versees WHERE "SIRET" IS NULL
      AND "Nom du bénéficiaire" NOT IN (SELECT "Nom du bénéficiaire" FROM votees)`);
    expect(byName).toEqual([]);
    const sameYear = await rows(`
      SELECT DISTINCT CAST(p."SIRET" AS VARCHAR) FROM versees p
      ANTI JOIN votees v ON v."SIRET" = p."SIRET" AND v."Année budgétaire" = p."Exercice"
      WHERE p."SIRET" IS NOT NULL`);
    expect(sameYear).toEqual([[PAYMENT_WITHOUT_VOTE.siret]]);
  });

  it('(a, b) only those two bodies are paid more than voted in a year', async () => {
    const over = await rows(`
      WITH p AS (SELECT "SIRET", "Exercice" AS y, sum("Montant versé") AS paid FROM versees WHERE "SIRET" IS NOT NULL GROUP BY ALL),
           v AS (SELECT "SIRET", "Année budgétaire" AS y, sum("Montant voté") AS voted FROM votees WHERE "SIRET" IS NOT NULL GROUP BY ALL)
      SELECT CAST(p."SIRET" AS VARCHAR) FROM p LEFT JOIN v USING ("SIRET", y) WHERE p.paid > coalesce(v.voted, 0) + 0.001 ORDER BY 1`);
    expect(over).toEqual([[DUPLICATE_PAYMENT.siret], [PAYMENT_WITHOUT_VOTE.siret]].sort());
  });

  it('(c) one chapter in one year executed above its voted credits, by the stated margin', async () => {
    const over = await rows(`
      WITH v AS (SELECT "Exercice", "Section", "Sens", "Chapitre", sum("Montant voté") AS voted FROM vote GROUP BY ALL),
           e AS (SELECT "Exercice", "Section", "Sens", "Chapitre", sum("Montant réalisé") AS done FROM ca GROUP BY ALL)
      SELECT "Exercice", "Section", "Chapitre", done - voted FROM e JOIN v USING ("Exercice", "Section", "Sens", "Chapitre")
      WHERE "Sens" = 'Dépense' AND done > voted + 0.001`);
    expect(over.map((r) => [r[0], r[1], r[2], round2(r[3])])).toEqual([
      [CREDIT_OVERRUN.year, CREDIT_OVERRUN.section, CREDIT_OVERRUN.chapter, CREDIT_OVERRUN.excess],
    ]);
    const lines = await rows(`
      WITH v AS (SELECT * EXCLUDE ("Étape budgétaire", "Date de vote", "Montant voté"), sum("Montant voté") AS voted FROM vote GROUP BY ALL)
      SELECT DISTINCT "Exercice", "Chapitre" FROM ca JOIN v USING ("Exercice", "Section", "Sens", "Type d'opération", "Chapitre fonctionnel", "Chapitre", "Nature", "Fonction", "Direction")
      WHERE "Sens" = 'Dépense' AND "Montant réalisé" > voted + 0.001`);
    expect(lines).toEqual([[CREDIT_OVERRUN.year, CREDIT_OVERRUN.chapter]]);
  });

  it('(d) one supplier with three awards just under 40 000 € within 20 days for the same object', async () => {
    const groups = await rows(`
      SELECT CAST("SIRET du titulaire" AS VARCHAR), "Objet du marché", count(*)
      FROM marches WHERE "Montant HT" < ${SPLIT_CONTRACTS.threshold}
      GROUP BY 1, 2 HAVING count(*) >= 3 AND max("Date d'attribution") - min("Date d'attribution") <= 20`);
    expect(groups).toEqual([[SPLIT_CONTRACTS.siret, SPLIT_CONTRACTS.object, 3]]);
    const awards = await rows(`
      SELECT strftime("Date d'attribution", '%d/%m/%Y'), "Montant HT" FROM marches
      WHERE CAST("SIRET du titulaire" AS VARCHAR) = '${SPLIT_CONTRACTS.siret}' ORDER BY 1`);
    expect(awards).toEqual(SPLIT_CONTRACTS.dates.map((d, i) => [d, SPLIT_CONTRACTS.amounts[i]]));
    const closePairs = await rows(`
      SELECT DISTINCT CAST(a."SIRET du titulaire" AS VARCHAR) FROM marches a JOIN marches b
        ON a."SIRET du titulaire" = b."SIRET du titulaire" AND a."Numéro du marché" < b."Numéro du marché"
      WHERE a."Montant HT" < 40000 AND b."Montant HT" < 40000 AND abs(b."Date d'attribution" - a."Date d'attribution") <= 30`);
    expect(closePairs).toEqual([[SPLIT_CONTRACTS.siret]]);
  });

  it('(e) one SIRET fails the Luhn check, everywhere it appears', async () => {
    const luhnFails = (expr: string, table: string) => `
      SELECT DISTINCT s FROM (SELECT CAST(${expr} AS VARCHAR) AS s FROM ${table} WHERE ${expr} IS NOT NULL)
      WHERE length(s) <> 14 OR list_sum([
        CASE WHEN i % 2 = 1 THEN (CASE WHEN 2 * CAST(s[i] AS INTEGER) > 9 THEN 2 * CAST(s[i] AS INTEGER) - 9 ELSE 2 * CAST(s[i] AS INTEGER) END)
        ELSE CAST(s[i] AS INTEGER) END
        FOR i IN range(1, 15)]) % 10 <> 0`;
    expect(await rows(luhnFails('"SIRET"', 'votees'))).toEqual([[INVALID_SIRET.siret]]);
    expect(await rows(luhnFails('"SIRET"', 'versees'))).toEqual([[INVALID_SIRET.siret]]);
    expect(await rows(luhnFails('"SIRET du titulaire"', 'marches'))).toEqual([]);
    expect(
      await rows(`SELECT "Numéro de dossier", "Montant voté" FROM votees WHERE CAST("SIRET" AS VARCHAR) = '${INVALID_SIRET.siret}'`),
    ).toEqual([[INVALID_SIRET.dossier, INVALID_SIRET.amount]]);
  });

  it('(f) one participatory-budget project delivered more than three years late, none other beyond two', async () => {
    const late = await rows(`
      SELECT numero, statut, CAST(date_livraison_prevue AS DATE), CAST(date_livraison_reelle AS DATE) FROM projets
      WHERE date_diff('day', date_livraison_prevue, date_livraison_reelle) > 2 * 365`);
    expect(late).toEqual([[LATE_DELIVERY.id, 'Livré', LATE_DELIVERY.planned, LATE_DELIVERY.delivered]]);
    expect(await rows(`SELECT count(*) FROM projets WHERE statut = 'Livré' AND date_livraison_reelle IS NULL`)).toEqual([[0]]);
    expect(await rows(`SELECT count(*) FROM projets WHERE statut <> 'Livré' AND date_livraison_reelle IS NOT NULL`)).toEqual([[0]]);
  });

  it('(g) one year where order expenditure (042) and order revenue (040) differ', async () => {
    const gap = (table: string, amount: string) => `
      SELECT "Exercice",
        sum(CASE WHEN "Sens" = 'Dépense' AND "Chapitre" = '042' THEN ${amount} ELSE 0 END)
          - sum(CASE WHEN "Sens" = 'Recette' AND "Chapitre" = '040' THEN ${amount} ELSE 0 END) AS d042_r040,
        sum(CASE WHEN "Sens" = 'Dépense' AND "Chapitre" = '040' THEN ${amount} ELSE 0 END)
          - sum(CASE WHEN "Sens" = 'Recette' AND "Chapitre" = '042' THEN ${amount} ELSE 0 END) AS d040_r042
      FROM ${table} GROUP BY 1 HAVING abs(d042_r040) > 0.001 OR abs(d040_r042) > 0.001`;
    const ca = await rows(gap('ca', '"Montant réalisé"'));
    expect(ca.map((r) => [r[0], round2(r[1]), round2(r[2])])).toEqual([[ORDER_IMBALANCE.year, ORDER_IMBALANCE.gap, 0]]);
    expect(await rows(gap('vote', '"Montant voté"'))).toEqual([]);
  });
});

describe('arrondissements', () => {
  it('has the 20 arrondissements with the portal properties, described as schematic', async () => {
    const geo = JSON.parse(await readFile(join(dirA, 'referentiels/arrondissements.geojson'), 'utf8')) as {
      features: { properties: { c_ar: number; c_arinsee: number; l_ar: string }; geometry: { type: string; coordinates: number[][][] } }[];
    };
    expect(geo.features.map((f) => f.properties.c_ar)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(geo.features[0]!.properties).toMatchObject({ c_arinsee: 75101, l_ar: '1er Ardt' });
    expect(geo.features[10]!.properties).toMatchObject({ c_arinsee: 75111, l_ar: '11ème Ardt' });
    for (const f of geo.features) {
      const ring = f.geometry.coordinates[0]!;
      expect(ring[0]).toEqual(ring[ring.length - 1]);
    }
    expect(files.find((f) => f.path.endsWith('.geojson'))!.description).toMatch(/schématique/);
  });

  it('places each project point inside its arrondissement', async () => {
    const pts = await rows(`SELECT arrondissement, geo_point_2d FROM projets WHERE arrondissement <> 'Tout Paris'`);
    expect(pts.length).toBeGreaterThan(500);
    for (const [arr, point] of pts) {
      const [lat, lon] = String(point).split(', ').map(Number);
      const b = tile(Number(arr));
      expect(lon! > b.west && lon! < b.east && lat! > b.south && lat! < b.north).toBe(true);
    }
    expect(await rows(`SELECT count(*) FROM projets WHERE arrondissement = 'Tout Paris' AND geo_point_2d IS NULL`)).not.toEqual([[0]]);
  });
});
