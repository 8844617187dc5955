// Accessibility: axe-core on every view, dialog and panel the app shows, failing on serious and
// critical violations; and the keyboard path through the top bar, the catalog and the view tabs.
// The views are whatever `view-tab` elements the page shows, so a view added later is covered too.
import { describe, expect, it } from 'vitest';
import { paymentsCsv } from '../fixtures/e2e-fixtures.ts';
import { formatViolations, painted, runAxe, type AxeViolation } from './harness.ts';
import { appSession } from './session.ts';
import { openTab, settleView, viewIds, viewTab, visitEveryView } from './steps.ts';

const app = appSession();
const page = () => app.page;

function report(found: { where: string; violations: AxeViolation[] }[]): string {
  return found
    .filter((f) => f.violations.length)
    .map((f) => formatViolations(f.where, f.violations))
    .join('\n');
}

describe('accessibility (axe-core, serious and critical)', () => {
  it('every view, shown through its tab, has no serious or critical violation', async () => {
    const found: { where: string; violations: AxeViolation[] }[] = [];
    // Each view shown through its tab, the tab marked selected (aria-selected) before the view is checked.
    const ids = await visitEveryView(page(), async (id) => {
      found.push({ where: `view:${id}`, violations: await runAxe(page()) });
    });
    if (ids.length === 0) {
      // A single view: no tab bar, the view is shown directly.
      await settleView(page());
      found.push({ where: 'view:table', violations: await runAxe(page()) });
    }
    expect(report(found), 'axe violations').toBe('');
  });

  it('the table details panel in the catalog', async () => {
    const toggle = page().locator('[data-testid=catalog] button[aria-expanded]').first();
    await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-expanded')).toBe('true');
    const id = await toggle.getAttribute('aria-controls');
    const panel = page().locator(`[id="${id}"]`);
    await panel.waitFor();
    const violations = await runAxe(page(), '[data-testid=catalog]');
    await toggle.click();
    expect(formatViolations('table details', violations), 'axe violations').toBe('');
  });

  it('the import dialog, opened by choosing a CSV', async () => {
    await page()
      .getByTestId('file-input')
      .setInputFiles({ name: 'petit.csv', mimeType: 'text/csv', buffer: Buffer.from(paymentsCsv(5)) });
    const dialog = page().getByTestId('import-dialog');
    await dialog.waitFor();
    await expect.poll(() => dialog.locator('table').count()).toBeGreaterThan(0);
    const violations = await runAxe(page(), '[data-testid=import-dialog]');
    await page().keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(formatViolations('import dialog', violations), 'axe violations').toBe('');
  });

  // A view, a field or a recommendation that has vanished fails here: it is not skipped.
  it('the Charts view with a chart drawn', async () => {
    expect(await viewTab(page(), 'charts').count(), 'the Charts view tab').toBe(1);
    await openTab(page(), 'charts');
    const field = page().getByTestId('chart-field').first();
    await field.waitFor({ timeout: 15_000 });
    await field.click();
    const adopt = page().getByTestId('chart-adopt').first();
    await adopt.waitFor({ timeout: 15_000 });
    await adopt.click();
    await page().locator('[data-testid=chart-preview] svg').first().waitFor({ timeout: 30_000 });
    await painted(page());
    const violations = await runAxe(page());
    expect(formatViolations('charts with a chart', violations), 'axe violations').toBe('');
  });

  it('the command palette (Ctrl+K)', async () => {
    await page()
      .locator('#view-panel')
      .click({ position: { x: 5, y: 5 } })
      .catch(() => undefined);
    await page().keyboard.press('Control+k');
    await page().getByTestId('palette-input').waitFor({ timeout: 3000 });
    await page().getByTestId('palette-option').first().waitFor();
    await painted(page());
    const violations = await runAxe(page());
    await page().keyboard.press('Escape');
    expect(formatViolations('command palette', violations), 'axe violations').toBe('');
  });

  it('the open-project dialog', async () => {
    await page().getByTestId('open-project').click();
    const dialog = page().locator('dialog[open]');
    await dialog.waitFor();
    await expect.poll(() => dialog.locator('[data-testid=project-item], p').count()).toBeGreaterThan(0);
    await painted(page());
    const violations = await runAxe(page(), 'dialog[open]');
    await page().keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(formatViolations('open-project dialog', violations), 'axe violations').toBe('');
  });
});

interface Stop {
  area: 'topbar' | 'catalog' | 'tabs' | 'other';
  what: string;
  focusVisible: boolean;
  indicator: boolean;
}

describe('keyboard', () => {
  it('Tab reaches the top bar, the catalog and the view tabs, each with a visible focus', async () => {
    await page()
      .locator('body')
      .click({ position: { x: 1, y: 1 } })
      .catch(() => undefined);
    await page().evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const stops: Stop[] = [];
    for (let i = 0; i < 120; i++) {
      await page().keyboard.press('Tab');
      const stop = await page().evaluate((): Stop | null => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return null;
        const area = el.closest('header')
          ? 'topbar'
          : el.closest('[data-testid=catalog]')
            ? 'catalog'
            : el.closest('[role=tablist]')
              ? 'tabs'
              : 'other';
        const cs = getComputedStyle(el);
        const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0;
        const shadow = cs.boxShadow !== 'none' && cs.boxShadow !== '';
        const what = `${el.tagName.toLowerCase()}${el.dataset.testid ? `[data-testid=${el.dataset.testid}]` : ''}${el.id ? `#${el.id}` : ''} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40)}"`;
        return { area, what, focusVisible: el.matches(':focus-visible'), indicator: outline || shadow };
      });
      if (!stop) continue;
      stops.push(stop);
      if (stops.length > 3 && stop.what === stops[0]!.what) break; // wrapped around
    }
    const areas = new Set(stops.map((s) => s.area));
    expect([...areas], stops.map((s) => `${s.area}: ${s.what}`).join('\n')).toEqual(expect.arrayContaining(['topbar', 'catalog']));
    if ((await viewIds(page())).length > 1) expect([...areas]).toContain('tabs');
    const invisible = stops
      .filter((s) => !s.focusVisible || !s.indicator)
      .map((s) => `${s.area}: ${s.what} (focus-visible ${s.focusVisible})`);
    expect(invisible, 'focused by Tab without a visible focus indicator').toEqual([]);
  });

  it('arrow keys, Home and End move between the view tabs', async () => {
    const ids = await viewIds(page());
    expect(ids.length, 'view tabs shown').toBeGreaterThanOrEqual(2);
    const tab = (id: string) => viewTab(page(), id);
    const selected = () => page().locator('[data-testid=view-tab][aria-selected=true]').getAttribute('data-view');
    const focused = () => page().evaluate(() => document.activeElement?.getAttribute('data-view') ?? null);
    await tab(ids[0]!).click();
    await tab(ids[0]!).focus();
    await page().keyboard.press('ArrowRight');
    await expect.poll(selected).toBe(ids[1]);
    expect(await focused()).toBe(ids[1]);
    await page().keyboard.press('ArrowLeft');
    await expect.poll(selected).toBe(ids[0]);
    expect(await focused()).toBe(ids[0]);
    await page().keyboard.press('ArrowLeft'); // wraps to the last
    await expect.poll(selected).toBe(ids.at(-1));
    await page().keyboard.press('Home');
    await expect.poll(selected).toBe(ids[0]);
    await page().keyboard.press('End');
    await expect.poll(selected).toBe(ids.at(-1));
    expect(await focused()).toBe(ids.at(-1));
    // Only the selected tab is in the Tab order (roving tabindex).
    const tabbable = await page()
      .getByTestId('view-tab')
      .evaluateAll((els) => els.filter((e) => e.getAttribute('tabindex') !== '-1').map((e) => e.getAttribute('data-view')));
    expect(tabbable).toEqual([ids.at(-1)]);
    await tab(ids[0]!).click();
  });
});
