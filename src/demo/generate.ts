// Writes the demo workspace: a fictitious but realistic set of Paris open-data exports, the same
// bytes on every run, with the anomalies listed in anomalies.ts planted in them.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { arrondissementsGeoJson } from './arrondissements.ts';
import { generateAudit, recommendationsCsv, reportsCsv } from './audit.ts';
import { budgetVoteCsv, executionCsv, generateBudget } from './budget.ts';
import { contractsCsv, generateContracts } from './contracts.ts';
import { generateProjects, projectsJson } from './participatory.ts';
import { nomenclatureCsv } from './referentials.ts';
import { generateSubsidies, paymentsCsv, votesCsv } from './subsidies.ts';

export interface DemoFile {
  /** Relative to the output folder, with `/` separators. */
  path: string;
  /** French, one line. */
  description: string;
}

interface Planned extends DemoFile {
  content: () => string;
}

function plan(): Planned[] {
  const budget = generateBudget();
  const subsidies = generateSubsidies();
  const audit = generateAudit();
  return [
    {
      path: 'budget/budget-vote.csv',
      description: 'Budget voté 2019–2024 (BP, BS, DM) par section, sens, chapitre, nature, fonction et direction — données fictives.',
      content: () => budgetVoteCsv(budget),
    },
    {
      path: 'budget/compte-administratif.csv',
      description:
        'Compte administratif 2019–2024 : montants mandatés (dépenses) ou titrés (recettes) par ligne budgétaire — données fictives.',
      content: () => executionCsv(budget),
    },
    {
      path: 'subventions/subventions-votees.csv',
      description: 'Subventions aux associations votées en Conseil de Paris 2019–2024, avec SIRET et direction — données fictives.',
      content: () => votesCsv(subsidies),
    },
    {
      path: 'subventions/subventions-versees.csv',
      description: 'Versements de subventions (mandats) 2019–2024 par bénéficiaire et SIRET — données fictives.',
      content: () => paymentsCsv(subsidies),
    },
    {
      path: 'marches/marches-publics.csv',
      description: 'Marchés publics attribués 2019–2024 : titulaire, SIRET, objet, catégorie, montant HT, procédure — données fictives.',
      content: () => contractsCsv(generateContracts()),
    },
    {
      path: 'budget-participatif/projets.json',
      description:
        'Projets lauréats du budget participatif, éditions 2016–2023, avec état d’avancement et localisation — données fictives.',
      content: () => projectsJson(generateProjects()),
    },
    {
      path: 'audit/rapports.csv',
      description: "Rapports de l'inspection générale 2017–2024 : titre, date, entité auditée — données fictives.",
      content: () => reportsCsv(audit.reports),
    },
    {
      path: 'audit/recommandations.csv',
      description: 'Suivi des recommandations d’audit : un statut par recommandation et par date de revue — données fictives.',
      content: () => recommendationsCsv(audit.followUps),
    },
    {
      path: 'referentiels/arrondissements.geojson',
      description: 'Les 20 arrondissements en carte schématique (une tuile carrée chacun, pas les vrais contours).',
      content: arrondissementsGeoJson,
    },
    {
      path: 'referentiels/nomenclature-m57.csv',
      description: 'Extrait de la nomenclature M57 : chapitres, natures, fonctions et chapitres fonctionnels avec leurs libellés.',
      content: nomenclatureCsv,
    },
  ];
}

export async function generateDemoFiles(outDir: string): Promise<DemoFile[]> {
  const files = plan();
  for (const f of files) {
    const abs = join(outDir, ...f.path.split('/'));
    await mkdir(dirname(abs), { recursive: true });
    await writeFile(abs, f.content(), 'utf8');
  }
  return files.map(({ path, description }) => ({ path, description }));
}
