// Refreshes the README's pictures from the built app on the demo workspace, one per view, so the README
// shows the app as it is:  npm run screenshots  (LOUPE_DIST=/tmp/dist-x to use another build).
// Builds the renderer first when the build is missing or older than the sources. Each view is taken
// on its own: one that fails is reported (and the run exits 1) without losing the others.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, DIST, openApp, settled, stopServer } from '../e2e/harness.ts';
import {
  catalogItem,
  chartField,
  chartShelf,
  exportReport,
  fillDuplicatePayments,
  findingFromAudit,
  openChartBuilder,
  openTab,
  pick,
  runAuditForFinding,
  saveChart,
} from '../e2e/steps.ts';

const OUT = 'test/screenshots';

/** The newest modification time under a folder (sources, demo), to tell a stale build. */
function newest(dir: string): number {
  if (!existsSync(dir)) return 0;
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

function buildIfNeeded(): void {
  const index = join(DIST, 'index.html');
  const built = existsSync(index) ? statSync(index).mtimeMs : 0;
  if (built && built >= Math.max(newest('src'), newest('static'))) return;
  if (process.env.LOUPE_DIST && built) {
    console.log(`${DIST} est plus ancien que les sources : photographié tel quel (LOUPE_DIST est fourni).`);
    return;
  }
  if (!existsSync('static/demo/loupe.json')) execFileSync('npm', ['run', 'demo'], { stdio: 'inherit' });
  console.log(`Construction de l'interface dans ${DIST}…`);
  execFileSync('npx', ['vite', 'build', '--outDir', DIST], { stdio: 'inherit' });
}

const shots: { name: string; take: (page: Page) => Promise<void> }[] = [
  {
    name: 'table',
    take: async (page) => {
      await catalogItem(page, 'subventions_votees').click();
      await openTab(page, 'table');
      await page.getByTestId('facets-toggle').click();
      await page.getByTestId('facet').first().waitFor();
    },
  },
  {
    name: 'chart',
    take: async (page) => {
      await openChartBuilder(page, 'subventions_votees', 'montant_vote');
      await chartField(page, 'montant_vote').dragTo(chartShelf(page, 'x'));
      await chartField(page, 'direction').dragTo(chartShelf(page, 'y'));
      await page.getByTestId('chart-preview').locator('svg').first().waitFor({ timeout: 30_000 });
      await saveChart(page, 'Subventions par direction');
    },
  },
  {
    name: 'map',
    take: async (page) => {
      await page.getByTestId('chart-table').selectOption('projets');
      await chartField(page, 'arrondissement').waitFor();
      // The built-in tiles of the 20 arrondissements: a map with no geometry file to trust.
      await page.locator('[data-testid=chart-mark][data-mark=tiles]').click();
      await page.locator('[data-testid=chart-preview] svg .mark-rect.role-mark path').nth(19).waitFor({ timeout: 30_000 });
      await saveChart(page, 'Projets par arrondissement');
    },
  },
  {
    name: 'dashboard',
    take: async (page) => {
      await page.getByTestId('charts-mode-dashboard').click();
      await page.getByTestId('dashboard').waitFor();
      await page.locator('[data-testid=dashboard-chart] svg').first().waitFor({ timeout: 30_000 });
    },
  },
  {
    name: 'sql',
    take: async (page) => {
      await openTab(page, 'sql');
      const editor = page.locator('[data-testid=sql-editor] .cm-content');
      await editor.click();
      await page.keyboard.press('Control+A');
      await page.keyboard.insertText(
        'SELECT direction, count(*) AS subventions, sum(montant_vote) AS montant\nFROM subventions_votees\nGROUP BY direction\nORDER BY montant DESC',
      );
      await page.keyboard.press('Escape');
      await page.getByTestId('sql-run').click();
      await page.getByTestId('sql-rowcount').waitFor({ timeout: 30_000 });
    },
  },
  {
    name: 'audit',
    take: async (page) => {
      await fillDuplicatePayments(page);
      await runAuditForFinding(page);
    },
  },
  {
    name: 'findings',
    take: async (page) => {
      await findingFromAudit(page);
      await page.getByTestId('finding-title').fill('Subvention versée deux fois au même bénéficiaire');
      await page.getByTestId('finding-criteria').fill('Une subvention votée est versée une fois : même SIRET, même montant, même date.');
      await page.getByTestId('finding-amount').fill('12 000,50');
      await page.getByTestId('finding-save').click();
      // The chart saved two views back reaches this list once its save has been written.
      const saved = page.getByTestId('finding-saved-chart');
      await saved.locator('option', { hasText: 'Projets par arrondissement' }).waitFor({ state: 'attached', timeout: 30_000 });
      await pick(saved, /Projets par arrondissement/);
      await page.getByTestId('finding-attach-saved-chart').click();
      await page.locator('[data-testid=finding-evidence][data-kind=chart]').waitFor({ timeout: 60_000 });
    },
  },
  {
    name: 'report',
    take: async (page) => {
      // The personal-data check may stop the report on beneficiaries' names: exported as is for the picture.
      const html = await exportReport(page);
      // The report opened as its reader opens it: a file of its own, in a page of its own.
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      try {
        const reader = await browser.newPage({ viewport: { width: 1000, height: 1300 } });
        await reader.setContent(html);
        await reader.locator('section.constatation').first().scrollIntoViewIfNeeded();
        await reader.screenshot({ path: `${OUT}/report.png` });
      } finally {
        await browser.close();
      }
    },
  },
  {
    name: 'budget',
    take: async (page) => {
      await openTab(page, 'budget');
      await page.getByTestId('budget-mapping').waitFor();
      await page.getByTestId('budget-level').selectOption('chapter');
      await page.getByTestId('budget-run').click();
      await page.getByTestId('budget-tree').waitFor({ timeout: 60_000 });
      // The result, not the mapping above it, is what the picture is for.
      await page.getByTestId('budget-tree').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    },
  },
  {
    name: 'journal',
    take: async (page) => {
      await openTab(page, 'journal');
      await page.getByTestId('journal-entry').first().waitFor({ timeout: 30_000 });
      await page.getByTestId('journal-entry').last().click();
    },
  },
];

buildIfNeeded();
const app = await openApp();
const { page } = app;
const failed: string[] = [];
try {
  await page.getByTestId('catalog-item').first().waitFor({ timeout: 60_000 });
  // The demo's « you are in the demo » note is for a first visit, not for every picture.
  const dismiss = page.getByTestId('welcome-dismiss');
  if (await dismiss.count()) await dismiss.click();
  for (const s of shots) {
    try {
      await s.take(page);
      // The last renders (charts, grids) done and painted before the picture.
      await settled(page);
      if (s.name !== 'report') await page.screenshot({ path: `${OUT}/${s.name}.png` });
      console.log(`${OUT}/${s.name}.png`);
    } catch (e) {
      failed.push(s.name);
      console.error(`${s.name} : ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
  }
} finally {
  await app.close();
  await stopServer();
}
if (failed.length) {
  console.error(`Vues non photographiées : ${failed.join(', ')}`);
  process.exit(1);
}
