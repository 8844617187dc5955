// Languages: French by default, English through the top bar's language switch, remembered across a
// reload, and back; numbers in the grid written the French way (1 234,5).
import { describe, expect, it } from 'vitest';
import { shell as en } from '../../src/i18n/en/shell.ts';
import { shell as fr } from '../../src/i18n/fr/shell.ts';
import { catalogShown } from './harness.ts';
import { appSession } from './session.ts';
import { catalogItem, catalogTables, importFile, openTab } from './steps.ts';

type Key = keyof typeof fr;
type Catalogue = Record<Key, string>;

const app = appSession();
const page = () => app.page;

const TOPBAR_BUTTONS: Key[] = ['topbar.importFiles', 'topbar.importFolder', 'topbar.newProject', 'topbar.openProject', 'topbar.save'];

/** The shell as the user reads it: top-bar buttons, the language label, the catalog title, the tabs. */
async function shellText() {
  const header = page().locator('header');
  const buttons = (await header.locator('button').allTextContents()).map((s) => s.trim());
  const language = ((await header.locator('label:has([data-testid=lang-switch]) > span').first().textContent()) ?? '').trim();
  const catalog = ((await page().locator('#catalog-title').textContent()) ?? '').trim();
  const tabs = await page()
    .getByTestId('view-tab')
    .evaluateAll((els) => els.map((e) => ({ id: e.getAttribute('data-view') ?? '', label: (e.textContent ?? '').trim() })));
  const lang = await page().evaluate(() => document.documentElement.lang);
  return { buttons, language, catalog, tabs, lang };
}

async function expectShellIn(cat: Catalogue, lang: 'fr' | 'en') {
  await expect.poll(async () => (await shellText()).buttons).toEqual(expect.arrayContaining(TOPBAR_BUTTONS.map((k) => cat[k])));
  const s = await shellText();
  expect(s.language).toBe(cat['topbar.language']);
  expect(s.catalog).toBe(cat['catalog.title']);
  expect(s.lang).toBe(lang);
  for (const tab of s.tabs) expect(tab.label, `tab ${tab.id}`).toBe(cat[`view.${tab.id}` as Key]);
  expect(await page().getByTestId('lang-switch').inputValue()).toBe(lang);
}

async function waitForApp() {
  await catalogShown(page());
}

describe('interface language', () => {
  it('starts in French', async () => {
    await expectShellIn(fr, 'fr');
  });

  it('switches to English with the language switch: top bar, catalog and view tabs', async () => {
    await page().getByTestId('lang-switch').selectOption('en');
    await expectShellIn(en, 'en');
    // Nothing French is left in the top bar where the two catalogues differ.
    const header = (await page().locator('header').textContent()) ?? '';
    for (const k of [...TOPBAR_BUTTONS, 'topbar.language', 'topbar.project'] as Key[]) {
      if (fr[k] !== en[k]) expect(header).not.toContain(fr[k]);
    }
  });

  it('remembers English after a reload', async () => {
    await page().reload();
    await waitForApp();
    await expectShellIn(en, 'en');
  });

  it('switches back to French, and remembers that too', async () => {
    await page().getByTestId('lang-switch').selectOption('fr');
    await expectShellIn(fr, 'fr');
    await page().reload();
    await waitForApp();
    await expectShellIn(fr, 'fr');
  });
});

describe('French number formats in the grid', () => {
  it('writes the amount 1234,5 as "1 234,50" and 1234567.25 as "1 234 567,25", with a (narrow) no-break space', async () => {
    const csv = 'libellé;montant;quantité\nA;1234,5;1500\nB;1234567,25;2\nC;-0,5;1000000\n';
    const before = await catalogTables(page());
    const name = await importFile(page(), 'montants.csv', csv);
    expect(await catalogTables(page())).toHaveLength(before.length + 1);
    await openTab(page(), 'table');
    await catalogItem(page(), name).click();
    const row = (i: number) => page().locator(`[data-testid=grid-row][data-row-index="${i}"] [role=gridcell]`);
    await page().locator('[data-testid=grid-row][data-row-index="2"]').waitFor();
    const cells = async (i: number) => (await row(i).allTextContents()).map((s) => s.trim());
    const SP = '[\\u202f\\u00a0]'; // fr-FR groups digits with a narrow no-break space (U+202F), some engines with U+00A0
    const [a, b, c] = [await cells(0), await cells(1), await cells(2)];
    // Amounts of at most two decimals are imported as DECIMAL(18,2): shown with their cents.
    expect(a[1]).toMatch(new RegExp(`^1${SP}234,50$`));
    expect(a[2]).toMatch(new RegExp(`^1${SP}500$`));
    expect(b[1]).toMatch(new RegExp(`^1${SP}234${SP}567,25$`));
    expect(c[1]).toMatch(/^[-−]0,50$/);
    expect(c[2]).toMatch(new RegExp(`^1${SP}000${SP}000$`));
    // Never an ordinary space or a comma as the thousands separator, never a decimal point.
    for (const v of [a[1], a[2], b[1], c[2]]) expect(v).not.toMatch(/\d[ ,.]\d{3}(\D|$)/);
  });
});
