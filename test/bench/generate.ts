// A Paris-like open-data dump, generated deterministically and streamed to disk (never held in memory):
// `;` separator, UTF-8 BOM, CRLF, decimal comma, dd/mm/yyyy dates, accented header names, codes with
// leading zeros, a 20-value Direction column and a few quoted fields holding a `;` or a `"`.
// A marker file beside the CSV records how it was made; a file that matches it is reused.
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HEADER } from './sql.ts';

export const DATA_DIR = join(dirname(fileURLToPath(import.meta.url)), 'data');
const GENERATOR_VERSION = 1;
const SEED = 0x1a2b3c4d;

const DIRECTIONS = [
  'DAC - Direction des Affaires Culturelles',
  'DAE - Direction de l’Attractivité et de l’Emploi',
  'DASES - Direction de l’Action Sociale',
  'DEVE - Direction des Espaces Verts',
  'DFPE - Direction des Familles et de la Petite Enfance',
  'DJS - Direction de la Jeunesse et des Sports',
  'DLH - Direction du Logement et de l’Habitat',
  'DPE - Direction de la Propreté et de l’Eau',
  'DSOL - Direction des Solidarités',
  'DVD - Direction de la Voirie et des Déplacements',
  'DU - Direction de l’Urbanisme',
  'DASCO - Direction des Affaires Scolaires',
  'DCPA - Direction des Constructions Publiques',
  'DFA - Direction des Finances et des Achats',
  'DILT - Direction de l’Immobilier et de la Logistique',
  'DRH - Direction des Ressources Humaines',
  'DSIN - Direction des Systèmes d’Information',
  'DPSP - Direction de la Prévention et de la Sécurité',
  'DDCT - Direction de la Démocratie et des Territoires',
  'SG - Secrétariat Général',
];
const CHAPITRES = ['011', '012', '014', '65', '66', '67', '204', '20', '21', '23', '013', '016'];
const NATURES = [
  '6042',
  '60612',
  '60632',
  '6068',
  '611',
  '6135',
  '6156',
  '6226',
  '6288',
  '6574',
  '65737',
  '2031',
  '2128',
  '21318',
  '2313',
  '2315',
  '0411',
];
const FONCTIONS = [
  '020',
  '023',
  '025',
  '040',
  '110',
  '211',
  '212',
  '311',
  '312',
  '40',
  '411',
  '422',
  '511',
  '522',
  '60',
  '621',
  '70',
  '72',
  '810',
  '831',
];
const CATEGORIES = ['Fonctionnement', 'Investissement', 'Subvention', 'Marché public', 'Régie'];
const FORMES = ['Association', 'SARL', 'SAS', 'Fondation', 'Compagnie', 'Société', 'Atelier', 'Collectif', 'Entreprise', 'Groupement'];
const NOMS = [
  'Lumière',
  'Élan',
  'du Marais',
  'Belleville',
  'Ménilmontant',
  'des Halles',
  'Saint-Éloi',
  'Montparnasse',
  'Goutte d’Or',
  'Bercy',
  'la Villette',
  'Batignolles',
  'Père-Lachaise',
  'Château-Rouge',
  'Glacière',
  'Butte-aux-Cailles',
  'Crimée',
  'Gobelins',
  'Sèvres',
  'Maubert',
];
const SUFFIXES = [
  '',
  ' et Cie',
  ' Services',
  ' Paris',
  ' Île-de-France',
  ' Solidarité',
  ' Culture',
  ' Bâtiment',
  ' Environnement',
  ' Numérique',
];
const OBJETS = [
  'Fourniture de matériel de bureau',
  'Entretien des espaces verts',
  'Subvention de fonctionnement annuelle',
  'Travaux de rénovation énergétique',
  'Prestation de nettoyage des locaux',
  'Achat de livres pour les bibliothèques',
  'Maintenance des équipements sportifs',
  'Aide à la création artistique',
  'Réfection de la chaussée',
  'Location de véhicules utilitaires',
  'Accompagnement social des familles',
  'Étude de faisabilité',
  'Acquisition de mobilier scolaire',
  'Restauration collective',
  'Sécurisation des abords des écoles',
];
const COMPLEMENTS = [
  '',
  ' – lot 1',
  ' – lot 2',
  ' (avenant n°1)',
  ' – exercice en cours',
  ' – arrondissement',
  ' – marché à bons de commande',
  ' – solde',
  ' – acompte',
  ' – régularisation',
];

/** sfc32: small, fast, good enough, and the same sequence on every machine. */
function prng(seed: number): () => number {
  let a = seed | 0,
    b = 0x9e3779b9 | 0,
    c = 0x85ebca6b | 0,
    d = 1;
  const next = () => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

function rowMaker(rand: () => number) {
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  // Skewed pick: a few directions and beneficiaries carry most lines, as in real ledgers.
  const skew = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * rand() * xs.length)]!;
  return (): string => {
    const year = 2019 + int(6);
    const date = `${pad(1 + int(28), 2)}/${pad(1 + int(12), 2)}/${year}`;
    let benef = `${pick(FORMES)} ${pick(NOMS)}${pick(SUFFIXES)}`;
    let objet = `${pick(OBJETS)}${pick(COMPLEMENTS)}`;
    const r = rand();
    if (r < 0.01) benef = `"${benef}; ${pick(NOMS)}"`;
    else if (r < 0.015) benef = `"${benef} ""${pick(NOMS)}"""`;
    if (rand() < 0.02) objet = `"${objet}; réf. ${pad(int(100000), 6)}"`;
    const siret = pad(int(1e7), 7) + pad(int(1e7), 7);
    const cents = Math.floor(Math.exp(rand() * 13) * 100) * (rand() < 0.01 ? -1 : 1);
    const montant = `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)},${pad(Math.abs(cents) % 100, 2)}`;
    return [
      year,
      date,
      skew(DIRECTIONS),
      pad(1 + int(20), 2),
      pick(CHAPITRES),
      pick(NATURES),
      pick(FONCTIONS),
      benef,
      siret,
      objet,
      montant,
      pick(CATEGORIES),
    ].join(';');
  };
}

export interface GeneratedCsv {
  path: string;
  rows: number;
  size: number;
  sha256: string;
  generated: boolean;
  ms: number;
}

interface Marker {
  version: number;
  seed: number;
  rows: number;
  size: number;
  sha256: string;
}

export async function ensureCsv(rows: number, dir = DATA_DIR): Promise<GeneratedCsv> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `paris-${rows}.csv`);
  const markerPath = `${path}.json`;
  if (existsSync(path) && existsSync(markerPath)) {
    try {
      const m = JSON.parse(readFileSync(markerPath, 'utf8')) as Marker;
      if (m.version === GENERATOR_VERSION && m.seed === SEED && m.rows === rows && statSync(path).size === m.size) {
        return { path, rows, size: m.size, sha256: m.sha256, generated: false, ms: 0 };
      }
    } catch {
      // An unreadable marker: generate again.
    }
  }
  const t0 = performance.now();
  const tmp = `${path}.tmp`;
  const out = createWriteStream(tmp);
  const hash = createHash('sha256');
  let size = 0;
  const write = async (s: string) => {
    const buf = Buffer.from(s, 'utf8');
    hash.update(buf);
    size += buf.length;
    if (!out.write(buf)) await new Promise<void>((resolve) => out.once('drain', resolve));
  };
  await write(`\uFEFF${HEADER.join(';')}\r\n`);
  const next = rowMaker(prng(SEED));
  const BATCH = 20_000;
  for (let done = 0; done < rows;) {
    const n = Math.min(BATCH, rows - done);
    const lines: string[] = new Array(n);
    for (let i = 0; i < n; i++) lines[i] = next();
    await write(lines.join('\r\n') + '\r\n');
    done += n;
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  renameSync(tmp, path);
  const sha256 = hash.digest('hex');
  const marker: Marker = { version: GENERATOR_VERSION, seed: SEED, rows, size, sha256 };
  writeFileSync(markerPath, JSON.stringify(marker, null, 2) + '\n');
  return { path, rows, size, sha256, generated: true, ms: performance.now() - t0 };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--rows');
  const rows = i > 0 ? Number(process.argv[i + 1]) : 5_000_000;
  const r = await ensureCsv(rows);
  console.log(
    `${r.path}: ${r.rows} rows, ${(r.size / 1e6).toFixed(1)} MB, ${r.generated ? `generated in ${(r.ms / 1000).toFixed(1)} s` : 'reused'}`,
  );
}
