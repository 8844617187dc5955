// Subsidies voted by the Conseil de Paris and the payments that followed. Names are typed by hand
// in both systems, so the same body appears under several spellings; SIRETs are mostly present.
import { DUPLICATE_PAYMENT, INVALID_SIRET, PAYMENT_WITHOUT_VOTE } from './anomalies.ts';
import { day, frDate, nextWeekday, workingDay, yearOf, type Day } from './calendar.ts';
import { csv, money } from './format.ts';
import { makeAssociation, spelling, type Body } from './names.ts';
import { Rng, seedFor } from './random.ts';
import { makeSiret } from './siret.ts';

export const SUBSIDY_YEARS = [2019, 2020, 2021, 2022, 2023, 2024] as const;

const SECTORS: readonly { sector: string; direction: string; test: RegExp; objects: readonly string[] }[] = [
  {
    sector: 'Culture et arts',
    direction: 'DAC',
    test: /Théâtre|Compagnie|Festival/,
    objects: [
      'Saison artistique {y}',
      'Résidence de création',
      'Festival de quartier {y}',
      'Ateliers de pratique théâtrale',
      'Éveil musical dans les écoles',
    ],
  },
  {
    sector: 'Sport',
    direction: 'DJS',
    test: /club|escrime|sportive|natation/i,
    objects: [
      'Fonctionnement de la section jeunes',
      'Stage sportif des vacances de printemps',
      'Sport au féminin',
      'Tournoi inter-quartiers {y}',
    ],
  },
  {
    sector: 'Éducation',
    direction: 'DASCO',
    test: /élèves|scolaire/,
    objects: ['Accompagnement à la scolarité', 'Ateliers du mercredi', 'Sorties éducatives {y}'],
  },
  {
    sector: 'Environnement',
    direction: 'DEVE',
    test: /Jardin|Mains Vertes|Semeurs/,
    objects: ['Animation du jardin partagé', 'Végétalisation des pieds d’arbres', 'Compostage de quartier'],
  },
  {
    sector: 'Solidarités',
    direction: 'DSOL',
    test: /Épicerie|Table|Régie/,
    objects: ['Aide alimentaire', 'Accès aux droits', 'Accueil de jour', 'Maraudes hivernales {y}'],
  },
  {
    sector: 'Vie locale et citoyenneté',
    direction: 'DDCT',
    test: /habitants|amis|Maison|Centre social|Collectif/,
    objects: ['Fête de quartier {y}', 'Fonctionnement général {y}', 'Café des habitants', 'Cours de français pour adultes'],
  },
  {
    sector: 'Petite enfance',
    direction: 'DFPE',
    test: /Petits Pas/,
    objects: ['Lieu d’accueil enfants-parents', 'Fonctionnement de la halte-garderie'],
  },
  {
    sector: 'Économie sociale et solidaire',
    direction: 'DAE',
    test: /Ruche|Fabrique|Ateliers/,
    objects: ['Insertion par l’activité économique', 'Recyclerie de quartier', 'Accompagnement de porteurs de projets'],
  },
];

interface Beneficiary {
  body: Body;
  siret: string | null;
  sector: (typeof SECTORS)[number];
  /** Most bodies are always typed the same way; a few come out differently on each dossier. */
  steadySpelling: number | null;
  size: number;
  activity: number;
}

export interface Vote {
  dossier: string;
  year: number;
  date: Day;
  name: string;
  siret: string | null;
  direction: string;
  object: string;
  nature: string;
  sector: string;
  cents: number;
}

export interface Payment {
  mandate: string;
  year: number;
  date: Day;
  name: string;
  siret: string | null;
  cents: number;
}

/** Conseil de Paris sessions: the Tuesday of the first full week of these months. */
const SESSION_MONTHS = [2, 3, 4, 6, 7, 10, 11, 12];
const sessions = (year: number): Day[] => SESSION_MONTHS.map((m) => nextWeekday(day(year, m, 2), 2));

function makeBeneficiaries(rng: Rng, count: number, taken: Set<string>): Beneficiary[] {
  const out: Beneficiary[] = [];
  const names = new Set<string>();
  while (out.length < count) {
    const body = makeAssociation(rng);
    const full = `${body.legal} ${body.name}`;
    if (names.has(full)) continue;
    names.add(full);
    let siret: string | null = null;
    if (!rng.chance(0.05)) {
      do siret = makeSiret(rng);
      while (taken.has(siret));
      taken.add(siret);
    }
    const sector = SECTORS.find((s) => s.test.test(body.name)) ?? rng.pick(SECTORS);
    out.push({
      body,
      siret,
      sector,
      steadySpelling: rng.chance(0.75)
        ? rng.weighted([
            [0, 6],
            [1, 3],
            [2, 1],
          ])
        : null,
      size: rng.logNormal(1, 0.8),
      activity: rng.uniform(0.35, 0.95),
    });
  }
  return out;
}

export interface SubsidyData {
  votes: Vote[];
  payments: Payment[];
}

export function generateSubsidies(): SubsidyData {
  const rng = new Rng(seedFor('subventions'));
  const planted = new Set<string>([DUPLICATE_PAYMENT.siret, PAYMENT_WITHOUT_VOTE.siret, INVALID_SIRET.siret]);
  const beneficiaries = makeBeneficiaries(rng, 720, new Set(planted));
  const reserved = new Set<string>([DUPLICATE_PAYMENT.dossier, INVALID_SIRET.dossier]);

  const votes: Vote[] = [];
  for (const year of SUBSIDY_YEARS) {
    const days = sessions(year);
    const drafts: Omit<Vote, 'dossier'>[] = [];
    for (const b of beneficiaries) {
      if (!rng.chance(b.activity)) continue;
      const n = rng.weighted([
        [1, 70],
        [2, 22],
        [3, 8],
      ]);
      for (let i = 0; i < n; i++) {
        const nature = rng.weighted([
          ['Fonctionnement', 60],
          ['Projet', 35],
          ['Investissement', 5],
        ]);
        const raw = rng.logNormal(4500, 1.05) * b.size * (nature === 'Investissement' ? 4 : 1);
        const cents = Math.max(500, Math.min(1_500_000, Math.round(raw / 100) * 100)) * 100;
        drafts.push({
          year,
          date: rng.pick(days),
          siret: b.siret,
          name: spelling(b.body, rng, b.steadySpelling ?? rng.int(0, 4)),
          direction: rng.chance(0.9) ? b.sector.direction : rng.pick(SECTORS).direction,
          object: rng.pick(b.sector.objects).replace('{y}', String(year)),
          nature,
          sector: b.sector.sector,
          cents,
        });
      }
    }
    if (year === 2021) drafts.push(...plantedInvalidSiret());
    if (year >= 2021 && year <= 2023) drafts.push(...plantedDuplicateBody(year));
    drafts.sort((a, b) => a.date - b.date || (a.name < b.name ? -1 : a.name > b.name ? 1 : a.cents - b.cents));
    let seq = rng.int(80, 140);
    for (const d of drafts) {
      const fixed =
        d.name === INVALID_SIRET.beneficiary
          ? INVALID_SIRET.dossier
          : d.siret === DUPLICATE_PAYMENT.siret && d.year === DUPLICATE_PAYMENT.year
            ? DUPLICATE_PAYMENT.dossier
            : null;
      let dossier: string | null = fixed;
      while (!dossier || (!fixed && reserved.has(dossier))) {
        seq += rng.int(1, 8);
        dossier = `${year}_${String(seq).padStart(5, '0')}`;
      }
      votes.push({ dossier, ...d });
    }
  }
  return { votes, payments: makePayments(rng, votes) };
}

function plantedInvalidSiret(): Omit<Vote, 'dossier'>[] {
  return [
    {
      year: INVALID_SIRET.year,
      date: nextWeekday(day(2021, 6, 2), 2),
      name: INVALID_SIRET.beneficiary,
      siret: INVALID_SIRET.siret,
      direction: 'DJS',
      object: 'Stage sportif des vacances de printemps',
      nature: 'Projet',
      sector: 'Sport',
      cents: INVALID_SIRET.amount * 100,
    },
  ];
}

function plantedDuplicateBody(year: number): Omit<Vote, 'dossier'>[] {
  const base = {
    year,
    name: DUPLICATE_PAYMENT.beneficiary,
    siret: DUPLICATE_PAYMENT.siret,
    direction: 'DAC',
    nature: 'Fonctionnement',
    sector: 'Culture et arts',
  };
  if (year === DUPLICATE_PAYMENT.year) {
    return [{ ...base, date: nextWeekday(day(2023, 4, 2), 2), object: 'Saison artistique 2023', cents: DUPLICATE_PAYMENT.amount * 100 }];
  }
  return [
    { ...base, date: nextWeekday(day(year, 3, 2), 2), object: `Saison artistique ${year}`, cents: (year === 2021 ? 12_000 : 15_500) * 100 },
  ];
}

function parseFr(s: string): Day {
  const [d, m, y] = s.split('/').map(Number);
  return day(y!, m!, d!);
}

function makePayments(rng: Rng, votes: Vote[]): Payment[] {
  const drafts: Omit<Payment, 'mandate'>[] = [];
  const used = new Set<string>();
  // Keyed on the SIRET alone: rows without one fall in the same group of a GROUP BY "SIRET".
  const keyOf = (p: Omit<Payment, 'mandate'>) => `${p.siret ?? ''}|${p.cents}|${p.date}`;
  const place = (p: Omit<Payment, 'mandate'>) => {
    // A body is never paid the same amount twice on the same day, except in the planted duplicate.
    const yearEnd = day(p.year, 12, 31);
    while (used.has(keyOf(p)) || yearOf(p.date) !== p.year) {
      p.date = p.date >= yearEnd ? p.date - 7 : workingDay(p.date + 1);
    }
    used.add(keyOf(p));
    drafts.push(p);
  };
  for (const v of votes) {
    const base = { year: v.year, name: v.name, siret: v.siret };
    if (v.dossier === DUPLICATE_PAYMENT.dossier) {
      place({ ...base, date: parseFr(DUPLICATE_PAYMENT.date), cents: v.cents });
      drafts.push({ ...base, date: parseFr(DUPLICATE_PAYMENT.date), cents: v.cents });
      continue;
    }
    if (v.dossier !== INVALID_SIRET.dossier && rng.chance(0.06)) continue;
    const last = day(v.year, 12, 22);
    const first = workingDay(Math.min(v.date + rng.int(15, 80), last));
    if (v.cents >= 2_000_000 && rng.chance(0.35) && first + 60 < last) {
      const share = rng.pick([0.5, 0.6, 0.7, 0.8]);
      const advance = Math.round((v.cents * share) / 100) * 100;
      place({ ...base, date: first, cents: advance });
      place({ ...base, date: workingDay(rng.int(first + 45, last)), cents: v.cents - advance });
    } else {
      place({ ...base, date: first, cents: v.cents });
    }
  }
  place({
    year: PAYMENT_WITHOUT_VOTE.year,
    date: parseFr(PAYMENT_WITHOUT_VOTE.date),
    name: PAYMENT_WITHOUT_VOTE.beneficiary,
    siret: PAYMENT_WITHOUT_VOTE.siret,
    cents: PAYMENT_WITHOUT_VOTE.amount * 100,
  });
  drafts.sort((a, b) => a.date - b.date || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const payments: Payment[] = [];
  let year = 0;
  let seq = 0;
  for (const d of drafts) {
    if (d.year !== year) {
      year = d.year;
      seq = rng.int(200, 900);
    }
    seq += rng.int(1, 6);
    payments.push({ mandate: `${year}-M-${String(seq).padStart(6, '0')}`, ...d });
  }
  return payments;
}

export const VOTES_HEADER = [
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
] as const;

export const PAYMENTS_HEADER = [
  'Numéro de mandat',
  'Exercice',
  'Date de versement',
  'Nom du bénéficiaire',
  'SIRET',
  'Montant versé',
] as const;

export function votesCsv(data: SubsidyData): string {
  return csv(
    VOTES_HEADER,
    data.votes.map((v) => [v.dossier, v.year, frDate(v.date), v.name, v.siret, v.direction, v.object, v.nature, v.sector, money(v.cents)]),
  );
}

export function paymentsCsv(data: SubsidyData): string {
  return csv(
    PAYMENTS_HEADER,
    data.payments.map((p) => [p.mandate, p.year, frDate(p.date), p.name, p.siret, money(p.cents)]),
  );
}
