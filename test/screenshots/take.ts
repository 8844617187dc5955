// Refreshes the README's pictures from the built app on the demo workspace, one per view, so the README
// shows the app as it is:  npm run screenshots  (LOUPE_DIST=/tmp/dist-x to use another build).
// Builds the renderer first when the build is missing or older than the sources. Each view is taken
// on its own: one that fails is reported (and the run exits 1) without losing the others.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Locator, Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, DIST, openApp, stopServer } from '../e2e/harness.ts';

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

async function pick(select: Locator, text: RegExp): Promise<void> {
  const options = await select
    .locator('option')
    .evaluateAll((els) => els.map((e) => ({ value: (e as HTMLOptionElement).value, text: e.textContent ?? '' })));
  const o = options.find((x) => text.test(x.text.trim()));
  if (!o) throw new Error(`pas d'option ${text}`);
  await select.selectOption(o.value);
}

/** Quiet moment for the last renders (charts, grids) before the picture. */
const settle = (page: Page) => page.waitForTimeout(1200);
const tab = (page: Page, view: string) => page.locator(`[data-testid=view-tab][data-view=${view}]`).click();

const shots: { name: string; take: (page: Page) => Promise<void> }[] = [
  {
    name: 'table',
    take: async (page) => {
      await page.locator('[data-testid=catalog-item][data-table="subventions_votees"]').click();
      await tab(page, 'table');
      await page.getByTestId('facets-toggle').click();
      await page.getByTestId('facet').first().waitFor();
    },
  },
  {
    name: 'chart',
    take: async (page) => {
      await tab(page, 'charts');
      await page.getByTestId('charts-mode-builder').click();
      await page.getByTestId('chart-table').selectOption('subventions_votees');
      await page
        .locator('[data-testid=chart-field][data-field=montant_vote]')
        .dragTo(page.locator('[data-testid=chart-shelf][data-channel=x]'));
      await page
        .locator('[data-testid=chart-field][data-field=direction]')
        .dragTo(page.locator('[data-testid=chart-shelf][data-channel=y]'));
      await page.getByTestId('chart-preview').locator('svg').first().waitFor({ timeout: 30_000 });
      await page.getByTestId('chart-save-name').fill('Subventions par direction');
      await page.getByTestId('chart-save').click();
    },
  },
  {
    name: 'map',
    take: async (page) => {
      await page.getByTestId('chart-table').selectOption('projets');
      await page.locator('[data-testid=chart-field][data-field="arrondissement"]').waitFor();
      // The built-in tiles of the 20 arrondissements: a map with no geometry file to trust.
      await page.locator('[data-testid=chart-mark][data-mark=tiles]').click();
      await page.locator('[data-testid=chart-preview] svg .mark-rect.role-mark path').nth(19).waitFor({ timeout: 30_000 });
      await page.getByTestId('chart-save-name').fill('Projets par arrondissement');
      await page.getByTestId('chart-save').click();
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
      await tab(page, 'sql');
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
      await tab(page, 'audit');
      await page.locator('[data-testid=audit-test][data-op=duplicates]').click();
      const field = (name: string) => page.locator(`[data-testid=audit-field][data-field="${name}"]`);
      await pick(field('table').locator('select'), /^subventions_versees$/);
      await field('columns')
        .getByRole('checkbox', { name: /^SIRET/ })
        .check();
      await field('columns')
        .getByRole('checkbox', { name: /^Montant/ })
        .check();
      await field('columns').getByRole('checkbox', { name: /^Date/ }).check();
      await pick(field('amount').locator('select'), /^Montant/);
      await page.getByTestId('audit-run').click();
      await page.getByTestId('audit-create-finding').waitFor({ timeout: 60_000 });
    },
  },
  {
    name: 'findings',
    take: async (page) => {
      await page.getByTestId('audit-create-finding').click();
      await page.getByTestId('finding-editor').waitFor({ timeout: 60_000 });
      await page.getByTestId('finding-title').fill('Subvention versée deux fois au même bénéficiaire');
      await page.getByTestId('finding-criteria').fill('Une subvention votée est versée une fois : même SIRET, même montant, même date.');
      await page.getByTestId('finding-amount').fill('12 000,50');
      await page.getByTestId('finding-save').click();
      // The chart saved two views back reaches this list once its save has been written.
      const saved = page.getByTestId('finding-saved-chart');
      for (let i = 0; i < 60 && !(await saved.locator('option').allTextContents()).some((x) => /Projets par arrondissement/.test(x)); i++)
        await page.waitForTimeout(500);
      await pick(saved, /Projets par arrondissement/);
      await page.getByTestId('finding-attach-saved-chart').click();
      await page.locator('[data-testid=finding-evidence][data-kind=chart]').waitFor({ timeout: 60_000 });
    },
  },
  {
    name: 'report',
    take: async (page) => {
      const download = page.waitForEvent('download', { timeout: 60_000 });
      await page.getByTestId('report-export-html').click();
      // The personal-data check may stop the report on beneficiaries' names: exported as is for the picture.
      const anyway = page.getByTestId('report-export-anyway');
      void anyway.waitFor({ timeout: 30_000 }).then(
        () => anyway.click(),
        () => undefined,
      );
      const html = await readFile((await (await download).path())!, 'utf8');
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
      await tab(page, 'budget');
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
      await tab(page, 'journal');
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
      await settle(page);
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
