// One language at a time, and numbers for reading, in Chromium on the demo workspace, driven like a
// person: the sidebar imports through a labelled button (never the browser's « Choose Files / No
// file chosen »), the Audit view's options, help and descriptions are words of the interface's
// language (no `first-two`, no « { label, amount } »), Benford's key figures and the GeoJSON
// centroids in the grid are shown at a readable precision.
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { audit as enAudit } from '../../src/i18n/en/audit.ts';
import { audit as frAudit } from '../../src/i18n/fr/audit.ts';
import { shell as frShell } from '../../src/i18n/fr/shell.ts';
import { appSession } from './session.ts';
import { auditField, catalogItem, openAuditTest, openTab, pick } from './steps.ts';

const app = appSession();
const page = () => app.page;
const field = (name: string) => auditField(page(), name);
const RAW_CODES = /(^|[\s(«,:/])(first|first-two|last-two|just-below|split|round|calendar)($|[\s),»;:/])/;

const openTest = (op: string) => openAuditTest(page(), op);

const optionTexts = (select: Locator) => select.locator('option').allTextContents();

describe('one language at a time (French)', () => {
  it('imports from the sidebar through a button in French that opens the file chooser', async () => {
    const panel = page().locator('section[aria-labelledby=import-panel-title]');
    const button = page().getByTestId('file-button');
    expect((await button.textContent())?.trim()).toBe(`${frShell['import.fileInput']}…`);
    expect(await panel.innerText()).not.toMatch(/Choose Files?|No file chosen|Browse/);
    // The browser's own control, which writes in the browser's language, is not what one sees.
    const box = await page().getByTestId('file-input').boundingBox();
    expect(box === null || (box.width <= 1 && box.height <= 1)).toBe(true);
    const [chooser] = await Promise.all([page().waitForEvent('filechooser'), button.click()]);
    expect(chooser.isMultiple()).toBe(true);
    await chooser.setFiles({ name: 'petit.csv', mimeType: 'text/csv', buffer: Buffer.from('nom;montant\nA;12,5\nB;3\n') });
    const dialog = page().getByTestId('import-dialog');
    await dialog.waitFor({ timeout: 30_000 });
    await page().keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('names Benford’s tests in words, not by their codes', async () => {
    await openTest('benford');
    const select = field('test').locator('select');
    expect((await optionTexts(select)).map((s) => s.trim())).toEqual([
      frAudit['audit.option.test.first'],
      frAudit['audit.option.test.first-two'],
      frAudit['audit.option.test.last-two'],
    ]);
    const form = (await page().getByTestId('audit-form').innerText()) ?? '';
    expect(form).not.toMatch(RAW_CODES);
    expect(await page().locator('[data-testid=audit-form] .desc').first().innerText()).toBe(frAudit['audit.desc.benford']);
  });

  it('writes the thresholds’ checks and help in French words, without a JSON shape', async () => {
    await openTest('thresholds');
    const checks = (await field('checks').locator('label').allTextContents()).map((s) => s.trim());
    expect(checks).toEqual(
      ['just-below', 'split', 'round', 'calendar'].map((c) => frAudit[`audit.option.checks.${c}` as keyof typeof frAudit]),
    );
    const form = await page().getByTestId('audit-form').innerText();
    expect(form).not.toMatch(RAW_CODES);
    expect(form).not.toMatch(/\{\s*\w+\s*,/);
    expect(form).toContain(frAudit['audit.help.thresholds.thresholds']);
  });
});

describe('numbers shown for reading', () => {
  it('shows Benford’s key figures in words and with a few significant digits, not 15', async () => {
    await openTest('benford');
    await pick(field('table').locator('select'), /^subventions_versees$/);
    await pick(field('column').locator('select'), /^Montant/);
    await page().getByTestId('audit-run').click();
    const figures = page().getByTestId('audit-figures');
    await figures.locator('[data-figure=chi2]').waitFor({ timeout: 60_000 });
    const value = async (key: string) => ((await figures.locator(`[data-figure="${key}"] dd`).textContent()) ?? '').trim();
    expect(await value('test')).toBe(frAudit['audit.option.test.first']);
    const all = (await figures.locator('dd').allTextContents()).map((s) => s.trim());
    for (const v of all) expect(v, v).not.toMatch(/,\d{7,}/);
    // A chi-square of a few hundred at most: three decimals or fewer, a decimal comma.
    expect(await value('chi2')).toMatch(/^\d[\d\u202f]*(,\d{1,3})?$/);
    expect(await value('mad')).toMatch(/^0,\d{1,6}$/);
  });

  it('shows the arrondissements’ computed centroids with 6 decimals at most in the grid', async () => {
    await openTab(page(), 'table');
    await catalogItem(page(), 'arrondissements').click();
    const header = page().locator('[data-testid=grid-header][data-column=centroid_lon]');
    const grid = page().getByTestId('grid');
    await page().locator('[data-testid=grid-row]').first().waitFor({ timeout: 30_000 });
    await grid.evaluate((el) => (el.scrollLeft = el.scrollWidth));
    await header.waitFor({ timeout: 10_000 });
    const col = await header.getAttribute('aria-colindex');
    const cells = page().locator(`[data-testid=grid-row] [role=gridcell][aria-colindex="${col}"]`);
    await expect.poll(() => cells.count(), { timeout: 10_000 }).toBeGreaterThan(0);
    const texts = (await cells.allTextContents()).map((s) => s.trim()).filter(Boolean);
    expect(texts.length).toBeGreaterThan(0);
    for (const t of texts) expect(t).toMatch(/^-?\d{1,3},\d{1,6}$/);
    expect(app.errors).toEqual([]);
  });
});

describe('one language at a time (English)', () => {
  it('shows the Audit view’s description, help and options in English, none of the French', async () => {
    await page().getByTestId('lang-switch').selectOption('en');
    await openTest('benford');
    expect((await optionTexts(field('test').locator('select'))).map((s) => s.trim())).toEqual([
      enAudit['audit.option.test.first'],
      enAudit['audit.option.test.first-two'],
      enAudit['audit.option.test.last-two'],
    ]);
    const form = await page().getByTestId('audit-form').innerText();
    expect(form).toContain(enAudit['audit.desc.benford']);
    expect(form).toContain(enAudit['audit.help.benford.test']);
    for (const k of ['audit.desc.benford', 'audit.help.benford.test', 'audit.help.benford.column', 'audit.help.table'] as const)
      expect(form).not.toContain(frAudit[k]);
    await page().getByTestId('lang-switch').selectOption('fr');
    await expect.poll(() => page().evaluate(() => document.documentElement.lang)).toBe('fr');
  });
});
