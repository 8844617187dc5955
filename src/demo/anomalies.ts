// The anomalies planted in the demo workspace. Generators read their facts from here, so the
// files, this list, ANOMALIES.md and the tests cannot drift apart. Amounts are in euros.
export type AnomalyId =
  | 'versement-en-double'
  | 'versement-sans-vote'
  | 'depassement-credits'
  | 'fractionnement-marches'
  | 'siret-invalide'
  | 'livraison-tardive'
  | 'desequilibre-ordre';

export interface DemoAnomaly {
  id: AnomalyId;
  /** The file (relative to the demo folder) where the anomaly can be seen. */
  file: string;
  /** French, one or two sentences, as it would read in a finding. */
  description: string;
  facts: Readonly<Record<string, string | number | readonly (string | number)[]>>;
}

export const DUPLICATE_PAYMENT = {
  beneficiary: 'Compagnie théâtrale Les Tréteaux du Faubourg',
  siret: '48231765800011',
  dossier: '2023_04518',
  year: 2023,
  amount: 18750,
  date: '14/06/2023',
} as const;

export const PAYMENT_WITHOUT_VOTE = {
  beneficiary: 'Collectif Horizon Solidaire 19',
  siret: '53904127700010',
  year: 2022,
  amount: 24000,
  date: '08/09/2022',
} as const;

export const CREDIT_OVERRUN = {
  year: 2022,
  section: 'Fonctionnement',
  sens: 'Dépense',
  chapter: '011',
  /** Executed minus voted (BP + BS + DM), on the chapter as a whole. */
  excess: 2_750_000,
} as const;

export const SPLIT_CONTRACTS = {
  supplier: 'Imprimerie Vasseur & Associés',
  siret: '81275309300010',
  object: "Impression de supports de communication pour les mairies d'arrondissement",
  dates: ['06/03/2023', '14/03/2023', '24/03/2023'],
  amounts: [38450, 39120, 39870],
  threshold: 40000,
} as const;

export const INVALID_SIRET = {
  beneficiary: 'Association sportive des Peupliers 13e',
  siret: '79316248200026',
  dossier: '2021_03127',
  year: 2021,
  amount: 6200,
} as const;

export const LATE_DELIVERY = {
  id: 'BP2017-0042',
  edition: 2017,
  arrondissement: '18',
  title: 'Rénovation des jeux du square des Tilleuls',
  planned: '2018-12-31',
  delivered: '2022-03-15',
} as const;

export const ORDER_IMBALANCE = {
  year: 2021,
  /** Expenditure in chapter 042 exceeds revenue in chapter 040 by this much in the executed accounts. */
  gap: 1_250_000,
} as const;

export const DEMO_ANOMALIES: readonly DemoAnomaly[] = [
  {
    id: 'versement-en-double',
    file: 'subventions/subventions-versees.csv',
    description:
      `La subvention du dossier ${DUPLICATE_PAYMENT.dossier} à « ${DUPLICATE_PAYMENT.beneficiary} » a été versée deux fois : ` +
      `même SIRET, même montant (18 750 €), même date (${DUPLICATE_PAYMENT.date}), deux mandats différents.`,
    facts: DUPLICATE_PAYMENT,
  },
  {
    id: 'versement-sans-vote',
    file: 'subventions/subventions-versees.csv',
    description:
      `« ${PAYMENT_WITHOUT_VOTE.beneficiary} » a reçu 24 000 € le ${PAYMENT_WITHOUT_VOTE.date} alors qu'aucune ` +
      'subvention ne lui a jamais été votée (SIRET absent des subventions votées).',
    facts: PAYMENT_WITHOUT_VOTE,
  },
  {
    id: 'depassement-credits',
    file: 'budget/compte-administratif.csv',
    description:
      'En 2022, les dépenses réalisées du chapitre 011 (charges à caractère général, fonctionnement) dépassent ' +
      'de 2 750 000 € les crédits votés (BP + BS + DM) : seul chapitre, toutes années confondues, exécuté au-delà de ses crédits.',
    facts: CREDIT_OVERRUN,
  },
  {
    id: 'fractionnement-marches',
    file: 'marches/marches-publics.csv',
    description:
      `« ${SPLIT_CONTRACTS.supplier} » a obtenu trois marchés de 38 450 €, 39 120 € et 39 870 € HT en 18 jours ` +
      '(du 06/03/2023 au 24/03/2023) pour le même objet, chacun juste sous le seuil de 40 000 € : fractionnement probable.',
    facts: SPLIT_CONTRACTS,
  },
  {
    id: 'siret-invalide',
    file: 'subventions/subventions-votees.csv',
    description:
      `Le SIRET ${INVALID_SIRET.siret} du dossier ${INVALID_SIRET.dossier} (« ${INVALID_SIRET.beneficiary} ») ` +
      'ne passe pas la clé de Luhn (deux chiffres inversés) ; on le retrouve tel quel dans les versements.',
    facts: INVALID_SIRET,
  },
  {
    id: 'livraison-tardive',
    file: 'budget-participatif/projets.json',
    description:
      `Le projet ${LATE_DELIVERY.id} « ${LATE_DELIVERY.title} » (édition 2017, 18e) est marqué livré le 15/03/2022 ` +
      'pour une livraison prévue le 31/12/2018 : plus de trois ans de retard, le seul au-delà de deux ans.',
    facts: LATE_DELIVERY,
  },
  {
    id: 'desequilibre-ordre',
    file: 'budget/compte-administratif.csv',
    description:
      "En 2021, au compte administratif, les dépenses d'ordre du chapitre 042 dépassent de 1 250 000 € les recettes " +
      "d'ordre du chapitre 040, qui devraient leur être égales ; toutes les autres années sont équilibrées.",
    facts: ORDER_IMBALANCE,
  },
];
