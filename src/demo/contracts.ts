// Public contracts awarded 2019–2024. The procedure follows the amount and category thresholds, and
// no supplier gets two small awards close together — so the planted split purchase stands alone.
import { SPLIT_CONTRACTS } from './anomalies.ts';
import { day, frDate, workingDay, type Day } from './calendar.ts';
import { csv, money } from './format.ts';
import { makeCompany, TRADES, type Category } from './names.ts';
import { DIRECTIONS } from './nomenclature.ts';
import { Rng, seedFor } from './random.ts';
import { makeSiret } from './siret.ts';

export const CONTRACT_YEARS = [2019, 2020, 2021, 2022, 2023, 2024] as const;

const OBJECTS: Record<Category, readonly string[]> = {
  Travaux: [
    'Rénovation de la toiture du groupe scolaire {p}',
    'Mise en accessibilité de la médiathèque {p}',
    'Réfection de la chaussée de la rue {p}',
    'Travaux de ravalement du gymnase {p}',
    'Rénovation énergétique de la crèche {p}',
    'Aménagement cyclable de l’avenue {p}',
    'Réhabilitation des sanitaires de l’école {p}',
  ],
  Fournitures: [
    'Fourniture de mobilier pour la crèche {p}',
    'Acquisition de postes informatiques pour les écoles',
    'Fourniture de matériel sportif pour le gymnase {p}',
    'Achat de véhicules électriques de propreté',
    'Fourniture de végétaux pour le square {p}',
    'Fourniture de produits d’entretien écologiques',
    'Acquisition de livres pour la bibliothèque {p}',
  ],
  Services: [
    'Nettoyage des locaux de la mairie d’arrondissement',
    'Gardiennage du parc {p}',
    'Maintenance des ascenseurs des bâtiments administratifs',
    'Assistance à maîtrise d’ouvrage — projet {p}',
    'Formation des agents aux premiers secours',
    'Restauration des accueils de loisirs',
    'Organisation de la fête du quartier {p}',
    'Entretien des espaces verts du cimetière {p}',
    'Tierce maintenance applicative',
  ],
};

const PLACES = [
  'des Lilas',
  'des Tilleuls',
  'Voltaire',
  'Championnet',
  'des Amandiers',
  'Olympiades',
  'Pernety',
  'Belleville',
  'Vaugirard',
  'Bercy',
  'Saint-Blaise',
  'de la Chapelle',
  'Tolbiac',
  'des Épinettes',
  'Daumesnil',
  'Ménilmontant',
];

/** Thresholds in euros excluding VAT (procedure choice); 40 000 € applies from 2020, 25 000 € before. */
function procedure(rng: Rng, category: Category, euros: number, year: number): string {
  const low = year >= 2020 ? 40_000 : 25_000;
  if (euros < low) return 'Marché sans publicité ni mise en concurrence préalable';
  const formal = category === 'Travaux' ? 5_382_000 : 215_000;
  if (euros < formal) return 'Procédure adaptée';
  return rng.weighted([
    ["Appel d'offres ouvert", 8],
    ['Procédure avec négociation', 1],
    ['Dialogue compétitif', 1],
  ]);
}

interface Supplier {
  name: string;
  siret: string;
  category: Category;
}

export interface Contract {
  id: string;
  date: Day;
  supplier: Supplier;
  object: string;
  category: Category;
  cents: number;
  procedure: string;
  direction: string;
  months: number;
}

const SPLIT_SUPPLIER: Supplier = { name: SPLIT_CONTRACTS.supplier, siret: SPLIT_CONTRACTS.siret, category: 'Services' };

export function generateContracts(): Contract[] {
  const rng = new Rng(seedFor('marches'));
  const suppliers: Supplier[] = [];
  const sirets = new Set<string>([SPLIT_CONTRACTS.siret]);
  const names = new Set<string>([SPLIT_CONTRACTS.supplier]);
  for (const category of Object.keys(TRADES) as Category[]) {
    for (let i = 0; i < 170; i++) {
      const { name } = makeCompany(rng, category);
      if (names.has(name)) continue;
      let siret: string;
      do siret = makeSiret(rng);
      while (sirets.has(siret));
      names.add(name);
      sirets.add(siret);
      suppliers.push({ name, siret, category });
    }
  }
  // Popular suppliers win more often, as in any market.
  const popularity = suppliers.map(() => rng.logNormal(1, 0.9));

  const smallAwards = new Map<string, Day[]>();
  const isSmall = (cents: number) => cents < SPLIT_CONTRACTS.threshold * 100;
  const tooClose = (siret: string, d: Day) => (smallAwards.get(siret) ?? []).some((x) => Math.abs(x - d) <= 45);

  const drafts: Omit<Contract, 'id'>[] = [];
  for (const year of CONTRACT_YEARS) {
    for (let i = 0; i < 420; i++) {
      const category = rng.weighted<Category>([
        ['Services', 45],
        ['Fournitures', 30],
        ['Travaux', 25],
      ]);
      const pool = suppliers.map((s, k) => [s, s.category === category ? popularity[k]! : 0] as const);
      const supplier = rng.weighted(pool);
      const median = category === 'Travaux' ? 180_000 : category === 'Fournitures' ? 60_000 : 90_000;
      const euros = Math.max(1_500, Math.round(rng.logNormal(median, 1.3) / 10) * 10);
      const cents = euros * 100 + (rng.chance(0.4) ? rng.int(1, 99) : 0);
      let date = workingDay(day(year, 1, 2) + rng.int(0, 350));
      if (isSmall(cents)) {
        let tries = 0;
        while (tooClose(supplier.siret, date) && tries++ < 20) date = workingDay(day(year, 1, 2) + rng.int(0, 350));
        if (tooClose(supplier.siret, date)) continue;
        smallAwards.set(supplier.siret, [...(smallAwards.get(supplier.siret) ?? []), date]);
      }
      drafts.push({
        date,
        supplier,
        category,
        cents,
        object: rng.pick(OBJECTS[category]).replace('{p}', rng.pick(PLACES)),
        procedure: procedure(rng, category, cents / 100, year),
        direction: rng.pick(DIRECTIONS).code,
        months: category === 'Travaux' ? rng.int(3, 24) : rng.pick([12, 12, 24, 36, 48]),
      });
    }
  }
  SPLIT_CONTRACTS.dates.forEach((d, i) => {
    const [dd, mm, yy] = d.split('/').map(Number);
    drafts.push({
      date: day(yy!, mm!, dd!),
      supplier: SPLIT_SUPPLIER,
      category: 'Services',
      cents: SPLIT_CONTRACTS.amounts[i]! * 100,
      object: SPLIT_CONTRACTS.object,
      procedure: 'Marché sans publicité ni mise en concurrence préalable',
      direction: 'DDCT',
      months: 3,
    });
  });
  drafts.sort((a, b) => a.date - b.date || b.cents - a.cents);
  const counters = new Map<number, number>();
  return drafts.map((d) => {
    const year = Number(frDate(d.date).slice(6));
    const n = (counters.get(year) ?? 0) + 1;
    counters.set(year, n);
    return { id: `${year}-${String(n).padStart(5, '0')}`, ...d };
  });
}

export const CONTRACTS_HEADER = [
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
] as const;

export function contractsCsv(contracts: Contract[]): string {
  return csv(
    CONTRACTS_HEADER,
    contracts.map((c) => [
      c.id,
      frDate(c.date),
      c.supplier.name,
      c.supplier.siret,
      c.object,
      c.category,
      money(c.cents),
      c.procedure,
      c.direction,
      c.months,
    ]),
  );
}
