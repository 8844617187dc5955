// Prints the suite's closing line in the plain "N passed, N failed, N skipped" form, and lists the
// skipped tests with their reason so a skip is never silent.
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(process.argv[2] ?? 'test-results/vitest.json', 'utf8'));
let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of report.testResults ?? []) {
  for (const t of file.assertionResults ?? []) {
    if (t.status === 'passed') passed++;
    else if (t.status === 'failed') failed++;
    else {
      skipped++;
      console.log(`skipped: ${t.fullName}${t.failureMessages?.length ? ` — ${t.failureMessages.join(' ')}` : ''}`);
    }
  }
  if (file.status === 'failed' && !(file.assertionResults ?? []).length) failed++;
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed || !report.success ? 1 : 0);
