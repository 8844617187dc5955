// Offline and locked down: a session that imports a file and visits every view sends nothing beyond
// 127.0.0.1; the page is cross-origin isolated; the document carries a CSP without 'unsafe-eval',
// and a script loaded by the page under that header really is refused eval and new Function.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentsCsv } from '../fixtures/e2e-fixtures.ts';
import { openApp, saveProject, stopServer, type App, catalogShown } from './harness.ts';
import { catalogItem, catalogTables, importFile, visitEveryView } from './steps.ts';

interface Violation {
  directive: string;
  blocked: string;
  sample: string;
  source: string;
}

let app: App;
const page = () => app.page;

/** Records every CSP violation the app's own code causes, from the first script on. */
function recordViolations() {
  const w = window as unknown as { __csp: Violation[] };
  w.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    w.__csp.push({
      directive: e.effectiveDirective,
      blocked: e.blockedURI,
      sample: e.sample,
      source: `${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`,
    });
  });
}

beforeAll(async () => {
  app = await openApp();
  await page().addInitScript(recordViolations);
  await page().reload();
  await catalogShown(page());
});

afterAll(async () => {
  try {
    await app?.close(); // fails too if anything left 127.0.0.1
  } finally {
    await stopServer();
  }
});

const violations = () => page().evaluate(() => (window as unknown as { __csp?: Violation[] }).__csp ?? null);

describe('offline', () => {
  it('a session that imports a file and visits every view sends no request beyond 127.0.0.1', async () => {
    const before = await catalogTables(page());
    const name = await importFile(page(), 'hors_ligne.csv', paymentsCsv(200));
    expect(await catalogTables(page())).toHaveLength(before.length + 1);
    await catalogItem(page(), name).click();

    const ids = await visitEveryView(page());
    if (ids.length === 0) await expect.poll(() => page().getByTestId('grid-rowcount').textContent()).toMatch(/200/);

    await page().getByTestId('open-project').click();
    await page().locator('dialog[open]').waitFor();
    await page().keyboard.press('Escape');
    await saveProject(page());

    expect(
      app.requests.some((u) => u.endsWith('.wasm')),
      'the recorder saw the engine load',
    ).toBe(true);
    expect(app.foreign(), `requests that left 127.0.0.1:\n${app.foreign().join('\n')}`).toEqual([]);
    for (const u of app.requests) expect(new URL(u).hostname, u).toMatch(/^(127\.0\.0\.1)?$/);
  });

  it('the app itself causes no CSP violation (nothing inline, no eval, nothing remote)', async () => {
    expect(await violations()).toEqual([]);
  });

  it('the harness fails a session when a request left 127.0.0.1', async () => {
    const other = await openApp();
    const extra = await other.context.newPage();
    await extra.goto('http://192.0.2.1/leak').catch(() => undefined); // refused by the route, still recorded
    expect(other.foreign()).toContain('http://192.0.2.1/leak');
    await expect(other.close()).rejects.toThrow(/192\.0\.2\.1\/leak/);
  });
});

describe('isolation and content security policy', () => {
  it('the page is cross-origin isolated', async () => {
    expect(await page().evaluate(() => crossOriginIsolated)).toBe(true);
    expect(await page().evaluate(() => typeof SharedArrayBuffer)).toBe('function');
  });

  it('the document response carries a CSP without unsafe-eval or inline scripts, and COOP/COEP', async () => {
    const res = await page().goto(app.url);
    expect(res?.ok()).toBe(true);
    const headers = res!.headers();
    const csp = headers['content-security-policy'];
    expect(csp, 'Content-Security-Policy header').toBeTruthy();
    const directives = Object.fromEntries(
      csp!
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .filter((d) => d[0])
        .map(([name, ...values]) => [name, values]),
    );
    expect(csp).not.toContain("'unsafe-eval'");
    expect(directives['script-src'], 'script-src').toBeTruthy();
    expect(directives['script-src']).not.toContain("'unsafe-inline'");
    expect(directives['script-src']!.every((s: string) => ["'self'", "'wasm-unsafe-eval'"].includes(s))).toBe(true);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(directives['default-src']).toEqual(["'self'"]);
    for (const d of Object.values(directives) as string[][])
      for (const s of d) expect(s, 'no remote origin in the CSP').not.toMatch(/^(https?:|\*|wss?:)/);
    expect(headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(headers['cross-origin-embedder-policy']).toBe('require-corp');
    await catalogShown(page());
  });

  it("a script the page loads under the app's own headers is refused eval, new Function and inline code", async () => {
    // The real index.html and its real headers, with one more same-origin script. Code run through
    // page.evaluate is exempt from the page's eval rule, so the probe has to be a script the page loads.
    const probeUrl = `${app.url}csp-probe.js`;
    const docUrl = `${app.url}?csp-probe`;
    const probe = `
      const r = (window.__probe = { violations: [] });
      document.addEventListener('securitypolicyviolation', (e) => r.violations.push(e.effectiveDirective + ' ' + e.blockedURI));
      try { r.eval = String(eval('1')); } catch (e) { r.eval = e.name; }
      try { r.fn = String(new Function('return 1')()); } catch (e) { r.fn = e.name; }
      try { r.timer = setTimeout('window.__probe.timerRan = true', 0) ? 'scheduled' : 'refused'; } catch (e) { r.timer = e.name; }
      r.done = true;`;
    let withHeader = true;
    const probePage = await app.context.newPage();
    await probePage.route(probeUrl, (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: probe }));
    await probePage.route(docUrl, async (route) => {
      const real = await route.fetch({ url: app.url });
      const html = (await real.text()).replace(
        '<head>',
        '<head><script src="./csp-probe.js"></script><script>window.__inline = true</script>',
      );
      const headers = { ...real.headers() };
      if (!withHeader) delete headers['content-security-policy'];
      await route.fulfill({ status: 200, headers, body: html });
    });
    const run = async () => {
      await probePage.goto(docUrl);
      await probePage.waitForFunction(
        () => (window as unknown as { __probe?: { done?: boolean } }).__probe?.done === true && document.readyState === 'complete',
      );
      // A task queued now runs after every one queued before it: the probe's 0 ms string timer and
      // the securitypolicyviolation reports.
      await probePage.evaluate(() => new Promise<void>((r) => setTimeout(r, 0)));
      return probePage.evaluate((): Record<string, unknown> => ({
        ...(window as unknown as { __probe: Record<string, unknown> }).__probe,
        inline: (window as unknown as { __inline?: boolean }).__inline ?? false,
      }));
    };

    const locked = await run();
    expect(locked.eval).toBe('EvalError');
    expect(locked.fn).toBe('EvalError');
    expect(locked.timerRan).toBeUndefined();
    expect(locked.inline).toBe(false);
    expect((locked.violations as string[]).some((v) => v.startsWith('script-src'))).toBe(true);

    // The same probe without the header does run: what refused it above was the app's CSP.
    withHeader = false;
    const open = await run();
    expect(open.eval).toBe('1');
    expect(open.fn).toBe('1');
    expect(open.inline).toBe(true);
    await probePage.close();
  });
});
