// The Findings view in Chromium: a finding made from an audit result on the demo's subsidies, a chart
// and the source file joined to it, reviewed by someone else than its owner, then exported as a
// self-contained HTML report that carries the chart, the title and the source file's SHA-256.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { appSession } from './session.ts';
import {
  fillDuplicatePayments,
  findingFromAudit,
  importFile,
  openTab,
  pick,
  runAuditForFinding,
  throughPrivacyCheck,
  viewTab,
} from './steps.ts';

const app = appSession({
  ready: async (a) => {
    await a.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(a.url).origin });
  },
});
const TITLE = 'Subvention versée deux fois au même bénéficiaire';
let findingId = '';
let viaAudit = false;

const page = () => app.page;
const editor = () => page().getByTestId('finding-editor');

/** The SHA-256 the catalog's table details show for a table's source file. */
async function catalogSha256(table: string): Promise<string> {
  const toggle = page().locator(`[aria-controls="details-${table}"]`);
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  const text = (await page().locator(`[id="details-${table}"] .hash`).first().textContent())?.trim() ?? '';
  await toggle.click();
  return text;
}

describe('the Findings view', () => {
  it('creates a draft finding from the duplicates test on subventions_versees, its result frozen as evidence', async () => {
    await openTab(page(), 'findings');
    await page().getByTestId('findings-user').fill('Alice Martin');
    await page().getByTestId('findings-user').press('Enter');

    viaAudit = (await viewTab(page(), 'audit').count()) > 0;
    if (viaAudit) {
      // The Audit view's own button calls app.createFinding with the test's result.
      await openTab(page(), 'audit');
      await fillDuplicatePayments(page());
      await runAuditForFinding(page());
      await findingFromAudit(page());
    } else {
      // No Audit view in this build: the follow-up panel's own « Créer un constat » goes through the
      // same app.createFinding.
      await page()
        .getByRole('button', { name: /Suivi des recommandations/ })
        .click();
      await page().getByTestId('followup-run').click();
      await page().getByTestId('followup-create-finding').click();
    }
    await editor().waitFor({ timeout: 60_000 });
    expect(await editor().getAttribute('data-status')).toBe('draft');
    findingId = (await editor().getAttribute('data-id')) ?? '';
    expect(findingId).toMatch(/^C-\d{4}$/);
    const snap = page().locator('[data-testid=finding-evidence][data-kind=snapshot]');
    await expect.poll(() => snap.count()).toBe(1);
    expect(await snap.textContent()).toMatch(/SELECT/);
    if (viaAudit) expect(await snap.textContent()).toMatch(/subventions-versees\.csv/);
    expect(await page().locator(`[data-testid=finding-list-item][data-id="${findingId}"]`).count()).toBe(1);

    // The standard structure, saved in one journaled update.
    await page().getByTestId('finding-title').fill(TITLE);
    await page().getByTestId('finding-criteria').fill('Une subvention votée est versée une fois.');
    await page().getByTestId('finding-amount').fill('12 000,50');
    await page().getByTestId('finding-save').click();
    await expect.poll(() => page().locator(`[data-testid=finding-list-item][data-id="${findingId}"]`).textContent()).toContain(TITLE);
  });

  it('joins a chart of the subsidies (rendered SVG, journaled) and the source file with its hash', async () => {
    await pick(page().getByTestId('finding-chart-table'), /^subventions_versees$/);
    await pick(page().getByTestId('finding-chart-column'), /^Exercice$/);
    await page().getByTestId('finding-chart-title').fill('Versements par exercice');
    await page().getByTestId('finding-attach-chart').click();
    const chart = page().locator('[data-testid=finding-evidence][data-kind=chart]');
    await chart.waitFor({ timeout: 60_000 });
    const img = chart.getByTestId('finding-evidence-chart');
    expect(await img.getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
    // The frozen SVG really draws as an image (a namespace-less SVG would show only its alt text).
    await expect
      .poll(() => img.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth))
      .toBeGreaterThan(50);

    await pick(page().getByTestId('finding-attach-source-table'), /^subventions_versees$/);
    await page().getByTestId('finding-attach-source').click();
    const source = page().locator('[data-testid=finding-evidence][data-kind=source]');
    await source.waitFor({ timeout: 30_000 });
    const sha = await catalogSha256('subventions_versees');
    expect(sha).toMatch(/^[0-9a-f]{64}$/);
    expect(await source.getByTestId('evidence-source-hash').textContent()).toBe(sha);
  });

  it('copies a citation of the frozen result, naming the source file and its hash', async () => {
    await page().locator('[data-testid=finding-evidence][data-kind=chart]').getByTestId('cite-copy').click();
    const text = page().getByTestId('cite-text');
    await text.waitFor();
    expect(await text.textContent()).toMatch(/subventions-versees\.csv, SHA-256 [0-9a-f]{64}/);
    const clip = await page().evaluate(() => navigator.clipboard.readText().catch(() => ''));
    if (clip) expect(clip).toBe(await text.textContent());
  });

  it('goes to review, refuses the owner as reviewer, and is signed off by another reviewer', async () => {
    await page().getByTestId('finding-comment-text').fill('Joindre le second mandat.');
    await page().getByTestId('finding-comment').click();
    await expect.poll(() => page().getByTestId('finding-history').locator('tr[data-action=comment]').count()).toBe(1);

    await page().getByTestId('finding-submit').click();
    await expect.poll(() => editor().getAttribute('data-status')).toBe('in-review');
    await page().getByTestId('finding-signoff-name').fill('alice martin');
    await page().getByTestId('finding-signoff').click();
    await expect.poll(() => page().getByTestId('findings-error').textContent()).toMatch(/autre relecteur/);
    expect(await editor().getAttribute('data-status')).toBe('in-review');

    await page().getByTestId('finding-signoff-name').fill('Bruno Roux');
    await page().getByTestId('finding-signoff').click();
    await expect.poll(() => editor().getAttribute('data-status')).toBe('final');
    expect(await editor().textContent()).toMatch(/Validé par Bruno Roux/);
    // Every step sits in the history with its journal entry.
    const actions = await page()
      .getByTestId('finding-history')
      .locator('tbody tr')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-action')));
    expect(actions).toEqual(['create', 'attach', 'update', 'attach', 'attach', 'comment', 'submit', 'sign-off']);
    expect(await page().getByTestId('finding-history').textContent()).toMatch(/n° \d+/);
    // Final: the evidence can no longer be changed from the view.
    expect(await page().getByTestId('finding-attach-chart').count()).toBe(0);
  });

  it('exports the HTML report with the chart, the title and the source files’ SHA-256', async () => {
    await page().getByTestId('finding-filter-status').selectOption('final');
    const download = page().waitForEvent('download', { timeout: 60_000 });
    await page().getByTestId('report-export-html').click();
    // The personal-data check may flag beneficiary names first: exported as is, knowingly.
    const file = await throughPrivacyCheck(page(), download);
    expect(file.suggestedFilename()).toBe('rapport.html');
    const html = await readFile((await file.path())!, 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain(TITLE);
    const expected = createHash('sha256')
      .update(await readFile('static/demo/subventions/subventions-versees.csv'))
      .digest('hex');
    expect(await catalogSha256('subventions_versees')).toBe(expected);
    expect(html).toContain(expected);
    expect(html).toMatch(/Validée par Bruno Roux/);
    expect(html).not.toMatch(/<script/i);
  });

  it('prints the report from an iframe that runs no script', async () => {
    await page().getByTestId('report-print').click();
    const frame = page().getByTestId('report-print-frame');
    await throughPrivacyCheck(page(), frame.waitFor({ state: 'attached', timeout: 60_000 }));
    expect(await frame.getAttribute('sandbox')).not.toMatch(/allow-scripts/);
    expect(await frame.getAttribute('srcdoc')).toContain(TITLE);
  });

  it('reopens a final finding only with a reason', async () => {
    await page().getByTestId('finding-filter-status').selectOption('');
    expect(await page().getByTestId('finding-reopen').isDisabled()).toBe(true);
    await page().getByTestId('finding-reopen-reason').fill('Second mandat retrouvé');
    await page().getByTestId('finding-reopen').click();
    await expect.poll(() => editor().getAttribute('data-status')).toBe('draft');
  });

  it('groups the finding in an investigation whose summary adds the amount at stake', async () => {
    await page()
      .getByRole('button', { name: /^Enquêtes$/ })
      .click();
    await page().getByTestId('investigation-name').fill('Subventions 2023');
    await page().getByTestId('investigation-create').click();
    const summary = page().getByTestId('investigation-summary');
    await summary.waitFor();
    // The list of unfiled findings is rebuilt once the creation (journaled, checked) is done: choose in it then.
    await expect
      .poll(async () => {
        await page().getByTestId('investigation-file-pick').selectOption(findingId);
        return page().getByTestId('investigation-file').isEnabled();
      })
      .toBe(true);
    await page().getByTestId('investigation-file').click();
    await expect.poll(() => page().getByTestId('investigation-count').textContent()).toBe('1');
    expect(await page().getByTestId('investigation-amount').textContent()).toMatch(/12\s000,50\s€/);
  });

  it('runs the recommendations follow-up on rapports and recommandations, and keeps its result across panels and views', async () => {
    const followUp = () =>
      page()
        .getByRole('button', { name: /Suivi des recommandations/ })
        .click();
    await followUp();
    await page().getByTestId('followup-run').click();
    const rate = page().getByTestId('followup-rate');
    await rate.waitFor({ timeout: 60_000 }).catch(async (e) => {
      // What the page says instead: a refusal, or a change still under way.
      const error = await page().getByTestId('findings-error').allTextContents();
      const busy = await page().getByTestId('followup-run').isDisabled();
      throw new Error(
        `${e} — findings error: ${JSON.stringify(error)}, run button disabled: ${busy}, page errors: ${JSON.stringify(app.errors)}`,
      );
    });
    const shown = await rate.textContent();
    expect(shown).toMatch(/\d+(,\d)?\s%/);
    expect(Number(await page().getByTestId('followup-overdue').textContent())).toBeGreaterThanOrEqual(0);

    // The panel is rebuilt on every change of panel or view: the result is the project's, not the panel's.
    await page()
      .getByRole('button', { name: /^Constats$/ })
      .click();
    await openTab(page(), 'journal');
    await openTab(page(), 'findings');
    await followUp();
    await rate.waitFor({ timeout: 10_000 });
    expect(await rate.textContent()).toBe(shown);

    await page().locator('[data-testid=followup-tab][data-table=overdue]').click();
    await page().getByTestId('grid-rowcount').last().waitFor();
    expect(app.errors).toEqual([]);
  });

  it('flags personal columns behind the evidence before a report, and masks them in a journaled new table', async () => {
    const csv =
      'Nom;Courriel;Montant\n' + Array.from({ length: 20 }, (_, i) => `Personne ${i};personne${i}@exemple.fr;${100 + i}`).join('\n') + '\n';
    expect(await importFile(page(), 'personnes.csv', csv)).toBe('personnes');
    await openTab(page(), 'findings');
    await page()
      .getByRole('button', { name: /^Constats$/ })
      .click();
    await page().getByTestId('finding-new-title').fill('Versements à des particuliers');
    await page().getByTestId('finding-new').click();
    await expect.poll(() => editor().getAttribute('data-id')).not.toBe(findingId);
    await pick(page().getByTestId('finding-attach-source-table'), /^personnes$/);
    await page().getByTestId('finding-attach-source').click();
    await page().locator('[data-testid=finding-evidence][data-kind=source]').waitFor({ timeout: 30_000 });
    await page().getByTestId('finding-filter-status').selectOption('draft');
    const item = page().locator('[data-testid=finding-list-item]').filter({ hasText: 'particuliers' });
    // The report reads the listed findings: wait until the list knows the evidence just joined.
    await expect.poll(() => item.textContent(), { timeout: 30_000 }).toMatch(/1\s*preuve/);
    await item.click();
    // The report covers the listed (draft) findings; the tables behind their evidence are checked first.
    await page().getByTestId('report-export-html').click();
    const check = page().getByTestId('privacy-check');
    await check.waitFor({ timeout: 60_000 }).catch(async (e) => {
      throw new Error(`${e} — errors: ${JSON.stringify(app.errors)} — status: ${await page().getByTestId('status-message').textContent()}`);
    });
    expect(await check.locator('[data-testid=privacy-column][data-column=courriel]').count()).toBe(1);
    await check.locator('[data-testid=privacy-column][data-column=courriel] select').selectOption('pseudonym');
    await page().getByTestId('privacy-mask').click();
    await page().locator('[data-testid=catalog-item][data-table="personnes_masque"]').waitFor({ timeout: 30_000 });
    expect(await check.count()).toBe(0);
    await page().getByTestId('finding-filter-status').selectOption('');
    // The choice is journaled with its parameters: which table, which column, which method.
    await openTab(page(), 'journal');
    const entry = page().locator('[data-testid=journal-entry][data-op=privacy-mask]').last();
    await entry.waitFor({ timeout: 30_000 });
    await entry.click();
    await expect.poll(() => page().locator('main').textContent()).toMatch(/courriel[\s\S]*pseudonym/);
  });
});
