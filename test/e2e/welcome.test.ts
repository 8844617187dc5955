// Where to start, as a newcomer meets it in Chromium: the demo says it is the demo and how to leave it;
// files come in through one place (the top bar), never through the browser's own « Choose Files »;
// the bar says everything is saved, and when; an empty project shows the three ways in.
import { describe, expect, it } from 'vitest';
import { shell as fr } from '../../src/i18n/fr/shell.ts';
import { catalogShown } from './harness.ts';
import { appSession } from './session.ts';
import { importFile } from './steps.ts';

const app = appSession();
const page = () => app.page;

/** The HH:MM:SS of « Enregistré à … » in the top bar, as seconds since midnight. */
async function savedSeconds(): Promise<number> {
  const text = (await page().getByTestId('save-status').textContent()) ?? '';
  const m = /Enregistré à (\d{2}):(\d{2}):(\d{2})/.exec(text);
  if (!m) throw new Error(`no save time in « ${text} »`);
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

describe('where to start', () => {
  it('says in the demo that it is the demo, with a way out, and forgets the note once dismissed', async () => {
    const note = page().getByTestId('welcome-demo-note');
    await note.waitFor({ timeout: 30_000 });
    expect(await note.textContent()).toContain(fr['welcome.inDemo']);
    expect(await note.getByTestId('welcome-new').isVisible()).toBe(true);
    await note.getByTestId('welcome-dismiss').click();
    await note.waitFor({ state: 'detached' });
    await page().reload();
    await catalogShown(page());
    expect(await page().getByTestId('welcome-demo-note').count()).toBe(0);
  });

  it('imports through one place: the top bar, in the app’s words, no native file control on show', async () => {
    // The sidebar is the catalog only.
    expect(await page().locator('aside.sidebar').locator('button:has-text("Import"), input[type=file]').count()).toBe(0);
    const header = page().locator('header');
    const importButtons = page().getByRole('button', { name: /^Importer des fichiers/ });
    expect(await importButtons.count()).toBe(1);
    expect(await header.getByTestId('file-button').textContent()).toBe(fr['topbar.importFiles']);
    expect(await header.getByTestId('folder-button').textContent()).toBe(fr['topbar.importFolder']);
    const boxes = await page()
      .locator('input[type=file]')
      .evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => r.width * r.height));
    expect(boxes.every((a) => a <= 1)).toBe(true);
    expect(await page().locator('body').innerText()).not.toMatch(/Choose Files?|No file chosen|Aucun fichier choisi|Parcourir/);
    const [chooser] = await Promise.all([page().waitForEvent('filechooser'), header.getByTestId('file-button').click()]);
    expect(chooser.isMultiple()).toBe(true);
  });

  it('says everything is saved, and the time moves when an import is written, without pressing « Enregistrer »', async () => {
    await expect.poll(() => page().getByTestId('save-status').textContent(), { timeout: 10_000 }).toMatch(/Enregistré à \d{2}:\d{2}:\d{2}/);
    const title = (await page().getByTestId('save-status').getAttribute('title')) ?? '';
    expect(title).toMatch(/rien n’est en attente/);
    const before = await savedSeconds();
    // The next write must fall in a later second than the last one for the shown time to move.
    const now = () => page().evaluate(() => new Date().getHours() * 3600 + new Date().getMinutes() * 60 + new Date().getSeconds());
    await expect.poll(now, { timeout: 5000, interval: 100 }).toBeGreaterThan(before);
    expect(await importFile(page(), 'petit.csv', 'nom;montant\nA;12,5\nB;3\n')).toBe('petit');
    await expect.poll(savedSeconds, { timeout: 10_000 }).toBeGreaterThan(before);
  });

  it('shows the three ways in for an empty project, and opens the demo from there', async () => {
    await page().getByTestId('new-project').click();
    await page().getByTestId('new-project-name').fill('Enquête vide');
    await Promise.all([page().waitForURL(/project=/, { timeout: 30_000 }), page().getByTestId('new-project-confirm').click()]);
    const welcome = page().getByTestId('welcome');
    await welcome.waitFor({ timeout: 60_000 });
    expect(await page().getByTestId('project-name').textContent()).toBe('Enquête vide');
    expect(await welcome.textContent()).toContain(fr['welcome.title']);
    for (const id of ['welcome-demo', 'welcome-import', 'welcome-open']) expect(await welcome.getByTestId(id).isVisible(), id).toBe(true);
    const [chooser] = await Promise.all([page().waitForEvent('filechooser'), welcome.getByTestId('welcome-import').click()]);
    await chooser.setFiles([]);
    await welcome.getByTestId('welcome-demo').click();
    await expect.poll(() => page().getByTestId('project-name').textContent(), { timeout: 60_000 }).toMatch(/Démo/);
    await catalogShown(page());
    expect(await page().getByTestId('welcome').count()).toBe(0);
  });
});
