// The voted budget (BP, BS, DM) and the executed accounts (compte administratif) for 2019–2024.
// Both sections balance at each stage, order operations mirror each other (042 ↔ 040, 023 ↔ 021),
// and expenditure lines are executed within their credits — except the planted anomalies.
import { CREDIT_OVERRUN, ORDER_IMBALANCE } from './anomalies.ts';
import { day, frDate, nextWeekday, type Day } from './calendar.ts';
import { csv, money, type Cell } from './format.ts';
import { functionalChapter, type OperationType, type Section, type Sens } from './nomenclature.ts';
import { Rng, seedFor } from './random.ts';

export const BUDGET_YEARS = [2019, 2020, 2021, 2022, 2023, 2024] as const;
export type Stage = 'BP' | 'BS' | 'DM';

interface Line {
  key: string;
  section: Section;
  sens: Sens;
  type: OperationType;
  chapter: string;
  nature: string;
  fonction: string;
  direction: string;
  /** Share of the chapter's yearly total. */
  weight: number;
  first: number;
  last: number;
}

interface VoteRow {
  line: Line;
  year: number;
  stage: Stage;
  cents: number;
}

interface ExecRow {
  line: Line;
  year: number;
  cents: number;
}

/** Chapter totals at BP 2019, in millions of euros; the balancing chapters are left out. */
const CHAPTER_TOTALS: Record<string, number> = {
  D011: 960,
  D012: 2480,
  D65: 3150,
  D66: 175,
  D67: 28,
  R013: 42,
  R70: 720,
  R74: 1260,
  R75: 340,
  D20: 105,
  D204: 360,
  D21: 610,
  D23: 520,
  D16: 310,
  R10: 125,
  R13: 110,
  R024: 190,
};

const FUNCTION_DIRECTION: Record<string, string> = {
  '01': 'DFA',
  '020': 'DFA',
  '021': 'DDCT',
  '023': 'DDCT',
  '025': 'DDCT',
  '11': 'DPSP',
  '12': 'DPSP',
  '211': 'DASCO',
  '212': 'DASCO',
  '221': 'DASCO',
  '251': 'DASCO',
  '311': 'DAC',
  '312': 'DAC',
  '313': 'DAC',
  '314': 'DAC',
  '321': 'DJS',
  '323': 'DJS',
  '33': 'DJS',
  '41': 'DSOL',
  '422': 'DFPE',
  '423': 'DSOL',
  '424': 'DSOL',
  '51': 'DCPA',
  '552': 'DLH',
  '61': 'DAE',
  '632': 'DAE',
  '721': 'DPE',
  '722': 'DPE',
  '76': 'DEVE',
  '822': 'DVD',
  '84': 'DVD',
};

const SERVICE_FUNCTIONS = [
  '020',
  '11',
  '211',
  '212',
  '221',
  '251',
  '311',
  '313',
  '314',
  '321',
  '323',
  '33',
  '41',
  '422',
  '423',
  '722',
  '76',
  '822',
];

/** Nature → the functions it is spread over and, where a support direction buys for everyone, that direction. */
const NATURE_SPREAD: Record<string, { fonctions: readonly string[]; direction?: string }> = {
  '60611': { fonctions: SERVICE_FUNCTIONS },
  '60612': { fonctions: SERVICE_FUNCTIONS },
  '60613': { fonctions: ['020', '211', '212', '313', '321', '323', '422'] },
  '6068': { fonctions: SERVICE_FUNCTIONS },
  '611': { fonctions: ['020', '251', '311', '41', '422', '423', '721', '722', '76', '822'] },
  '6132': { fonctions: ['020', '41', '422', '424'], direction: 'DILT' },
  '615221': { fonctions: ['020', '211', '212', '313', '321', '323', '422'], direction: 'DCPA' },
  '6156': { fonctions: ['020', '822', '84'] },
  '617': { fonctions: ['020', '51', '76'] },
  '6231': { fonctions: ['023'] },
  '6262': { fonctions: ['020'], direction: 'DSIN' },
  '6531': { fonctions: ['021'] },
  '6553': { fonctions: ['12'] },
  '65737': { fonctions: ['251', '423', '61', '84'] },
  '6574': { fonctions: ['025', '311', '312', '33', '41', '422', '423', '424', '552', '61', '76'] },
  '65111': { fonctions: ['422', '423', '424'] },
  '66111': { fonctions: ['01'] },
  '673': { fonctions: ['020', '01'] },
  '6419': { fonctions: ['020', '211', '422', '423', '722'] },
  '70323': { fonctions: ['822', '61'] },
  '7062': { fonctions: ['311', '313', '314'] },
  '7066': { fonctions: ['251', '422', '423'] },
  '70632': { fonctions: ['321', '323', '33'] },
  '7411': { fonctions: ['01'] },
  '7478': { fonctions: ['251', '422', '423', '424', '552', '84'] },
  '752': { fonctions: ['020', '552', '61'] },
  '2031': { fonctions: ['020', '212', '311', '51', '76', '822'] },
  '2051': { fonctions: ['020'], direction: 'DSIN' },
  '20422': { fonctions: ['311', '33', '41', '422', '552', '61'] },
  '204182': { fonctions: ['251', '552', '84'] },
  '2128': { fonctions: ['76', '51', '321'] },
  '21312': { fonctions: ['211', '212', '221'], direction: 'DCPA' },
  '2152': { fonctions: ['822'] },
  '2183': { fonctions: ['020', '211', '212', '313'], direction: 'DSIN' },
  '2188': { fonctions: ['020', '321', '323', '422', '722', '76'] },
  '2313': { fonctions: ['211', '212', '221', '311', '313', '321', '323', '422', '423'], direction: 'DCPA' },
  '2315': { fonctions: ['76', '721', '822', '84'] },
  '1641': { fonctions: ['01'] },
  '10222': { fonctions: ['01'] },
  '1321': { fonctions: ['212', '311', '552', '76', '822'] },
  '1322': { fonctions: ['221', '321', '84', '76'] },
  '024': { fonctions: ['01'] },
};

const NATURES_BY_CHAPTER: Record<string, readonly string[]> = {
  D011: ['60611', '60612', '60613', '6068', '611', '6132', '615221', '6156', '617', '6231', '6262'],
  D65: ['6531', '6553', '65737', '6574', '65111'],
  D66: ['66111'],
  D67: ['673'],
  R013: ['6419'],
  R70: ['70323', '7062', '7066', '70632'],
  R74: ['7411', '7478'],
  R75: ['752'],
  D20: ['2031', '2051'],
  D204: ['20422', '204182'],
  D21: ['2128', '21312', '2152', '2183', '2188'],
  D23: ['2313', '2315'],
  D16: ['1641'],
  R10: ['10222'],
  R13: ['1321', '1322'],
  R024: ['024'],
};

const PERSONNEL_NATURES: readonly [string, number][] = [
  ['64111', 0.55],
  ['64131', 0.12],
  ['6451', 0.14],
  ['6453', 0.19],
];

const INVESTMENT_CHAPTERS = new Set(['20', '204', '21', '23', '16', '10', '13', '024', '040', '021']);

/** Depreciation and transferred grants: each pair is one expenditure and one revenue of the same amount. */
const ORDER_PAIRS: readonly { dep: [string, string]; rec: [string, string]; fonction: string; millions: number }[] = [
  { dep: ['042', '6811'], rec: ['040', '28031'], fonction: '020', millions: 62 },
  { dep: ['042', '6811'], rec: ['040', '28183'], fonction: '211', millions: 88 },
  { dep: ['042', '6811'], rec: ['040', '281312'], fonction: '212', millions: 174 },
  { dep: ['042', '6811'], rec: ['040', '28183'], fonction: '313', millions: 21 },
  { dep: ['042', '6811'], rec: ['040', '281312'], fonction: '221', millions: 96 },
  { dep: ['040', '13911'], rec: ['042', '777'], fonction: '212', millions: 41 },
  { dep: ['040', '13911'], rec: ['042', '777'], fonction: '822', millions: 37 },
];

function sectionOf(chapter: string): Section {
  return INVESTMENT_CHAPTERS.has(chapter) ? 'Investissement' : 'Fonctionnement';
}

function makeLine(
  sens: Sens,
  chapter: string,
  nature: string,
  fonction: string,
  direction: string,
  weight: number,
  type: OperationType = 'Réel',
  first: number = BUDGET_YEARS[0],
  last: number = BUDGET_YEARS[BUDGET_YEARS.length - 1]!,
): Line {
  const section = sectionOf(chapter);
  const key = [section, sens, type, chapter, nature, fonction, direction].join('|');
  return { key, section, sens, type, chapter, nature, fonction, direction, weight, first, last };
}

function buildLines(rng: Rng): Line[] {
  const lines: Line[] = [];
  for (const [ck, natures] of Object.entries(NATURES_BY_CHAPTER)) {
    const sens: Sens = ck.startsWith('D') ? 'Dépense' : 'Recette';
    const chapter = ck.slice(1);
    for (const nature of natures) {
      const spread = NATURE_SPREAD[nature];
      if (!spread) throw new Error(`nature sans répartition : ${nature}`);
      for (const fonction of spread.fonctions) {
        const direction = spread.direction ?? FUNCTION_DIRECTION[fonction] ?? 'DFA';
        // Lines that open or close during the period, as services are created and reorganised.
        const first = rng.chance(0.08) ? rng.int(2020, 2022) : 2019;
        const last = rng.chance(0.06) ? rng.int(2022, 2023) : 2024;
        lines.push(makeLine(sens, chapter, nature, fonction, direction, rng.logNormal(1, 0.9), 'Réel', first, last));
      }
    }
  }
  const directions = [...new Set(Object.values(FUNCTION_DIRECTION)), 'DRH', 'DSIN', 'DILT', 'DCPA'];
  const mainFunction: Record<string, string> = { DRH: '020', DSIN: '020', DILT: '020', DCPA: '51', DFA: '020', DDCT: '020' };
  for (const direction of [...new Set(directions)]) {
    const fonction = mainFunction[direction] ?? Object.entries(FUNCTION_DIRECTION).find(([, d]) => d === direction)![0];
    const size = rng.logNormal(1, 0.7);
    for (const [nature, share] of PERSONNEL_NATURES) lines.push(makeLine('Dépense', '012', nature, fonction, direction, size * share));
  }
  lines.push(makeLine('Recette', '731', '73111', '01', 'DFA', 1));
  lines.push(makeLine('Recette', '731', '7381', '01', 'DFA', 1));
  lines.push(makeLine('Dépense', '023', '023', '01', 'DFA', 1, 'Ordre'));
  lines.push(makeLine('Recette', '021', '021', '01', 'DFA', 1, 'Ordre'));
  lines.push(makeLine('Recette', '16', '1641', '01', 'DFA', 1));
  const keys = new Set(lines.map((l) => l.key));
  if (keys.size !== lines.length) throw new Error('deux lignes budgétaires ont la même clé');
  return lines;
}

/** Growth of a chapter between 2019 and `year`; 2020 shows the fall in property-transfer duties. */
function yearFactor(year: number, chapterKey: string): number {
  const i = year - 2019;
  const growth = chapterKey.startsWith('D2') || chapterKey === 'D204' ? 1.045 : 1.022;
  let f = Math.pow(growth, i);
  if (year === 2020 && chapterKey.startsWith('R70')) f *= 0.82;
  return f;
}

const euros = (x: number) => Math.round(x) * 100;
/** Voted credits are whole euros: rounds an amount already in cents to the euro. */
const wholeEuros = (cents: number) => Math.round(cents / 100) * 100;

interface Pair {
  dep: Line;
  rec: Line;
  millions: number;
}

export interface BudgetData {
  votes: VoteRow[];
  execution: ExecRow[];
}

export function generateBudget(): BudgetData {
  const rng = new Rng(seedFor('budget'));
  const lines = buildLines(rng);
  const pairs: Pair[] = ORDER_PAIRS.map((p) => ({
    dep: makeLine('Dépense', p.dep[0], p.dep[1], p.fonction, 'DFA', 1, 'Ordre'),
    rec: makeLine('Recette', p.rec[0], p.rec[1], p.fonction, 'DFA', 1, 'Ordre'),
    millions: p.millions,
  }));
  const find = (sens: Sens, nature: string) => lines.find((l) => l.sens === sens && l.nature === nature)!;
  const d023 = find('Dépense', '023');
  const r021 = find('Recette', '021');
  const r1641 = find('Recette', '1641');
  const fiscal = [find('Recette', '73111'), find('Recette', '7381')] as const;
  const ordinary = lines.filter((l) => l !== d023 && l !== r021 && l !== r1641 && !fiscal.includes(l as never));

  const votes: VoteRow[] = [];
  const execution: ExecRow[] = [];
  const weightTotals = new Map<string, number>();
  for (const l of ordinary) {
    const ck = (l.sens === 'Dépense' ? 'D' : 'R') + l.chapter;
    weightTotals.set(ck, (weightTotals.get(ck) ?? 0) + l.weight);
  }

  for (const year of BUDGET_YEARS) {
    const voted = new Map<Line, number>();
    const add = (line: Line, stage: Stage, cents: number) => {
      if (cents === 0) return;
      votes.push({ line, year, stage, cents });
      voted.set(line, (voted.get(line) ?? 0) + cents);
    };
    for (const stage of ['BP', 'BS', 'DM'] as const) {
      const delta = { fd: 0, fr: 0, id: 0, ir: 0 };
      const put = (line: Line, cents: number) => {
        add(line, stage, cents);
        const k = line.section === 'Fonctionnement' ? (line.sens === 'Dépense' ? 'fd' : 'fr') : line.sens === 'Dépense' ? 'id' : 'ir';
        delta[k] += cents;
      };
      for (const l of ordinary) {
        if (year < l.first || year > l.last) continue;
        const ck = (l.sens === 'Dépense' ? 'D' : 'R') + l.chapter;
        const bp = ((CHAPTER_TOTALS[ck]! * 1e6 * l.weight) / weightTotals.get(ck)!) * yearFactor(year, ck) * rng.uniform(0.96, 1.04);
        if (stage === 'BP') {
          // A few lines are only opened at the supplementary budget.
          if (!rng.chance(0.03)) put(l, euros(bp));
        } else if (!voted.has(l)) {
          if (stage === 'BS') put(l, euros(bp * rng.uniform(0.3, 0.9)));
        } else if (stage === 'BS' ? rng.chance(0.35) : rng.chance(0.22)) {
          const inv = l.section === 'Investissement';
          const pct = stage === 'BS' ? rng.uniform(-0.04, inv ? 0.2 : 0.08) : rng.uniform(-0.06, 0.05);
          put(l, wholeEuros(voted.get(l)! * pct));
        }
      }
      for (const p of pairs) {
        const amount =
          stage === 'BP'
            ? euros(p.millions * 1e6 * yearFactor(year, 'D042') * rng.uniform(0.97, 1.03))
            : stage === 'BS' && rng.chance(0.5)
              ? euros(p.millions * 1e6 * rng.uniform(-0.02, 0.04))
              : 0;
        if (amount === 0) continue;
        put(p.dep, amount);
        put(p.rec, amount);
      }
      // Operating revenue is set so that the transfer to investment (023) is a plausible saving.
      if (stage === 'BP') {
        const saving = wholeEuros(delta.fd * rng.uniform(0.06, 0.075));
        const need = delta.fd + saving - delta.fr;
        const dmto = wholeEuros(need * rng.uniform(0.33, 0.38) * (year === 2020 ? 0.85 : 1));
        put(fiscal[1], dmto);
        put(fiscal[0], need - dmto);
        put(d023, saving);
        put(r021, saving);
      } else {
        const fiscalAdj = wholeEuros(rng.uniform(-0.004, 0.006) * (voted.get(fiscal[0]) ?? 0));
        put(fiscal[0], fiscalAdj);
        const transfer = delta.fr - delta.fd;
        put(d023, transfer);
        put(r021, transfer);
      }
      // Borrowing closes the investment section.
      put(r1641, delta.id - delta.ir);
    }

    executeYear(rng, year, voted, pairs, execution);
  }
  return { votes, execution };
}

function executionRate(rng: Rng, line: Line): number | null {
  if (line.chapter === '023' || line.chapter === '021') return null;
  const inv = line.section === 'Investissement';
  if (line.sens === 'Dépense') {
    if (inv) return rng.chance(0.07) ? null : rng.uniform(0.55, 0.86);
    if (line.chapter === '012') return rng.uniform(0.975, 0.998);
    return rng.chance(0.02) ? null : rng.uniform(0.9, 0.995);
  }
  if (line.nature === '1641') return rng.uniform(0.6, 0.8);
  if (inv) return rng.chance(0.08) ? null : rng.uniform(0.5, 0.95);
  return rng.uniform(0.95, 1.07);
}

function executeYear(rng: Rng, year: number, voted: Map<Line, number>, pairs: Pair[], out: ExecRow[]): void {
  const rows: ExecRow[] = [];
  const pairLines = new Set(pairs.flatMap((p) => [p.dep, p.rec]));
  for (const [line, cents] of voted) {
    if (pairLines.has(line) || cents <= 0) continue;
    const rate = executionRate(rng, line);
    if (rate === null) continue;
    rows.push({ line, year, cents: Math.round(cents * rate) });
  }
  for (const p of pairs) {
    const cents = voted.get(p.dep);
    if (!cents) continue;
    const done = Math.round(cents * rng.uniform(0.94, 1));
    rows.push({ line: p.dep, year, cents: done }, { line: p.rec, year, cents: done });
  }
  if (year === CREDIT_OVERRUN.year) plantOverrun(rng, voted, rows);
  if (year === ORDER_IMBALANCE.year) {
    const rec040 = rows.filter((r) => r.line.sens === 'Recette' && r.line.chapter === '040').sort((a, b) => b.cents - a.cents)[0]!;
    rec040.cents -= ORDER_IMBALANCE.gap * 100;
  }
  out.push(...rows);
}

/** Raises every executed line of the chapter so that the chapter ends exactly `excess` above its credits. */
function plantOverrun(rng: Rng, voted: Map<Line, number>, rows: ExecRow[]): void {
  const inChapter = (l: Line) =>
    l.section === CREDIT_OVERRUN.section && l.sens === CREDIT_OVERRUN.sens && l.chapter === CREDIT_OVERRUN.chapter;
  let credits = 0;
  for (const [l, c] of voted) if (inChapter(l)) credits += c;
  const target = credits + CREDIT_OVERRUN.excess * 100;
  const chapterRows = rows.filter((r) => inChapter(r.line));
  for (const [l, c] of voted) {
    if (inChapter(l) && !chapterRows.some((r) => r.line === l)) {
      const row = { line: l, year: CREDIT_OVERRUN.year, cents: c };
      rows.push(row);
      chapterRows.push(row);
    }
  }
  for (const r of chapterRows) r.cents = Math.round(voted.get(r.line)! * rng.uniform(0.985, 1.02));
  const sum = chapterRows.reduce((s, r) => s + r.cents, 0);
  const scale = target / sum;
  for (const r of chapterRows) r.cents = Math.round(r.cents * scale);
  const biggest = chapterRows.reduce((a, b) => (b.cents > a.cents ? b : a));
  biggest.cents += target - chapterRows.reduce((s, r) => s + r.cents, 0);
}

function voteDate(year: number, stage: Stage): Day {
  // Conseil de Paris sessions open on a Tuesday: BP in December of the year before, BS in July, DM in November.
  if (stage === 'BP') return nextWeekday(day(year - 1, 12, 8), 2);
  if (stage === 'BS') return nextWeekday(day(year, 7, 1), 2);
  return nextWeekday(day(year, 11, 14), 2);
}

/** The columns that name a budget line, in both files; `lineCells` writes them. */
const LINE_HEADER = ['Section', 'Sens', "Type d'opération", 'Chapitre fonctionnel', 'Chapitre', 'Nature', 'Fonction', 'Direction'] as const;

const lineCells = (l: Line): Cell[] => [
  l.section,
  l.sens,
  l.type,
  functionalChapter(l.section, l.chapter, l.fonction),
  l.chapter,
  l.nature,
  l.fonction,
  l.direction,
];

export const BUDGET_VOTE_HEADER = ['Exercice', 'Étape budgétaire', 'Date de vote', ...LINE_HEADER, 'Montant voté'] as const;

export const EXECUTION_HEADER = ['Exercice', ...LINE_HEADER, 'Montant réalisé'] as const;

// Plain code-unit order: localeCompare would depend on the machine's ICU data.
const byKey = (a: Line, b: Line) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

const STAGE_ORDER: Record<Stage, number> = { BP: 0, BS: 1, DM: 2 };

export function budgetVoteCsv(data: BudgetData): string {
  const rows = [...data.votes]
    .sort((a, b) => a.year - b.year || STAGE_ORDER[a.stage] - STAGE_ORDER[b.stage] || byKey(a.line, b.line))
    .map((v) => [v.year, v.stage, frDate(voteDate(v.year, v.stage)), ...lineCells(v.line), money(v.cents)]);
  return csv(BUDGET_VOTE_HEADER, rows);
}

export function executionCsv(data: BudgetData): string {
  const rows = [...data.execution]
    .sort((a, b) => a.year - b.year || byKey(a.line, b.line))
    .map((e) => [e.year, ...lineCells(e.line), money(e.cents)]);
  return csv(EXECUTION_HEADER, rows);
}
