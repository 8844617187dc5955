// Internal-audit reports and the follow-up of their recommendations: one row per recommendation and
// per review date, so the status history can be read as a time series.
import { day, frDate, workingDay, type Day } from './calendar.ts';
import { csv } from './format.ts';
import { DIRECTIONS } from './nomenclature.ts';
import { Rng, seedFor } from './random.ts';

export type RecommendationStatus = 'Non mise en œuvre' | 'En cours' | 'Mise en œuvre' | 'Abandonnée';

const SUBJECTS: readonly { title: string; entity: (rng: Rng) => string; direction: string; type: string }[] = [
  {
    title: 'Audit des régies de recettes des piscines',
    entity: (r) => `Piscine ${r.pick(['des Amiraux', 'Georges-Vallerey', 'Keller', 'Pontoise', 'Blomet'])}`,
    direction: 'DJS',
    type: 'Audit',
  },
  {
    title: 'Contrôle de l’association subventionnée',
    entity: (r) => `Association ${r.pick(['La Passerelle', 'Les Semeurs', 'Le Fil d’Ariane', 'La Boussole'])}`,
    direction: 'DSOL',
    type: 'Contrôle',
  },
  {
    title: 'Audit de la gestion des heures supplémentaires',
    entity: () => 'Direction de la propreté et de l’eau',
    direction: 'DPE',
    type: 'Audit',
  },
  {
    title: 'Évaluation du dispositif de soutien scolaire',
    entity: () => 'Direction des affaires scolaires',
    direction: 'DASCO',
    type: 'Évaluation',
  },
  {
    title: 'Audit de la caisse des écoles',
    entity: (r) => `Caisse des écoles du ${r.int(2, 20)}e arrondissement`,
    direction: 'DASCO',
    type: 'Audit',
  },
  {
    title: 'Audit de la commande publique de travaux d’entretien',
    entity: () => 'Direction des constructions publiques et de l’architecture',
    direction: 'DCPA',
    type: 'Audit',
  },
  {
    title: 'Contrôle de la délégation de service public',
    entity: (r) =>
      `Délégataire du ${r.pick(['marché couvert', 'parc de stationnement', 'centre sportif'])} ${r.pick(['Saint-Quentin', 'Beauvau', 'Bercy', 'Jean-Bouin'])}`,
    direction: 'DAE',
    type: 'Contrôle',
  },
  {
    title: 'Audit de la sécurité des systèmes d’information',
    entity: () => 'Direction des systèmes d’information et du numérique',
    direction: 'DSIN',
    type: 'Audit',
  },
  {
    title: 'Évaluation de la politique de végétalisation',
    entity: () => 'Direction des espaces verts et de l’environnement',
    direction: 'DEVE',
    type: 'Évaluation',
  },
  {
    title: 'Audit des établissements d’accueil de la petite enfance',
    entity: (r) => `Crèche collective ${r.pick(['des Lilas', 'Championnet', 'Tolbiac', 'Curial'])}`,
    direction: 'DFPE',
    type: 'Audit',
  },
  {
    title: 'Audit du suivi des subventions d’équipement',
    entity: () => 'Direction des finances et des achats',
    direction: 'DFA',
    type: 'Audit',
  },
];

const RECOMMENDATIONS = [
  'Formaliser une procédure écrite de contrôle interne',
  'Mettre en place une séparation des tâches entre engagement et liquidation',
  'Rapprocher mensuellement la régie et la comptabilité',
  'Exiger le compte rendu financier avant tout nouveau versement',
  'Tenir un inventaire physique annuel des biens',
  'Mettre à jour la convention d’objectifs',
  'Sécuriser les accès aux applications de gestion',
  'Définir des indicateurs de suivi et les publier',
  'Regrouper les achats récurrents dans un marché',
  'Recouvrer les sommes indûment versées',
  'Réviser la grille tarifaire',
  'Former les agents aux règles de la commande publique',
  'Documenter les critères d’attribution',
  'Contrôler la présence effective du personnel',
];

export interface Report {
  id: string;
  title: string;
  date: Day;
  entity: string;
  direction: string;
  type: string;
}

export interface FollowUp {
  id: string;
  report: string;
  text: string;
  priority: number;
  direction: string;
  due: Day;
  date: Day;
  status: RecommendationStatus;
}

const LAST_REVIEW = day(2024, 12, 15);

export function generateAudit(): { reports: Report[]; followUps: FollowUp[] } {
  const rng = new Rng(seedFor('audit'));
  const reports: Report[] = [];
  const followUps: FollowUp[] = [];
  for (let year = 2017; year <= 2024; year++) {
    const n = rng.int(6, 10);
    const dates = Array.from({ length: n }, () => workingDay(day(year, 1, 10) + rng.int(0, 330))).sort((a, b) => a - b);
    dates.forEach((date, i) => {
      const s = rng.pick(SUBJECTS);
      const entity = s.entity(rng);
      const report: Report = {
        id: `IG-${String(year).slice(2)}-${String(i + 1).padStart(2, '0')}`,
        title: `${s.title} — ${entity}`,
        date,
        entity,
        direction: s.direction,
        type: s.type,
      };
      reports.push(report);
      const texts = rng.shuffled(RECOMMENDATIONS).slice(0, rng.int(3, 9));
      texts.forEach((text, k) => followUps.push(...history(rng, report, k + 1, text)));
    });
  }
  return { reports, followUps };
}

/** A recommendation is reviewed about every six months until it is implemented or abandoned. */
function history(rng: Rng, report: Report, k: number, text: string): FollowUp[] {
  const priority = rng.weighted([
    [1, 3],
    [2, 5],
    [3, 2],
  ]);
  const due = report.date + rng.pick([180, 365, 365, 540, 730]);
  const direction = rng.chance(0.85) ? report.direction : rng.pick(DIRECTIONS).code;
  const base = { id: `${report.id}-R${String(k).padStart(2, '0')}`, report: report.id, text, priority, direction, due };
  const rows: FollowUp[] = [{ ...base, date: report.date, status: 'Non mise en œuvre' }];
  let status: RecommendationStatus = 'Non mise en œuvre';
  let date = report.date;
  while (status !== 'Mise en œuvre' && status !== 'Abandonnée') {
    date = workingDay(date + rng.int(160, 200));
    if (date > LAST_REVIEW) break;
    const next: RecommendationStatus =
      status === 'Non mise en œuvre'
        ? rng.weighted<RecommendationStatus>([
            ['Non mise en œuvre', 3],
            ['En cours', 5],
            ['Mise en œuvre', 2],
            ['Abandonnée', 0.4],
          ])
        : rng.weighted<RecommendationStatus>([
            ['En cours', 4],
            ['Mise en œuvre', 4],
            ['Abandonnée', 0.3],
          ]);
    status = next;
    rows.push({ ...base, date, status });
  }
  return rows;
}

export const REPORTS_HEADER = [
  'Identifiant du rapport',
  'Titre',
  'Date du rapport',
  'Entité auditée',
  'Direction concernée',
  'Type de mission',
] as const;
export const RECOMMENDATIONS_HEADER = [
  'Identifiant de la recommandation',
  'Identifiant du rapport',
  'Recommandation',
  'Priorité',
  'Direction responsable',
  "Date d'échéance",
  'Date du statut',
  'Statut',
] as const;

// The audit files come from an internal tool, not the portal: LF line ends, still `;` and a BOM.
export function reportsCsv(reports: Report[]): string {
  return csv(
    REPORTS_HEADER,
    reports.map((r) => [r.id, r.title, frDate(r.date), r.entity, r.direction, r.type]),
    { lineEnd: '\n' },
  );
}

export function recommendationsCsv(rows: FollowUp[]): string {
  return csv(
    RECOMMENDATIONS_HEADER,
    rows.map((f) => [f.id, f.report, f.text, f.priority, f.direction, frDate(f.due), frDate(f.date), f.status]),
    { lineEnd: '\n' },
  );
}
