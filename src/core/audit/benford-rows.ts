// The rows behind one digit of a Benford test, as a relation the grid can page through: the Audit
// view opens it when a digit is clicked, without writing SQL itself.
import { queryRelation, type Relation } from '../explore/window.ts';
import { benfordRowsSql, type BenfordTest } from './benford.ts';

const TESTS: readonly BenfordTest[] = ['first', 'first-two', 'last-two'];

/** Reads the test's own parameters back from its journal entry (they are what ran, defaults applied). */
export function benfordRowsRelation(params: unknown, digit: number): Relation {
  const p = (params ?? {}) as { table?: unknown; column?: unknown; test?: unknown };
  if (typeof p.table !== 'string' || typeof p.column !== 'string') throw new Error('paramètres Benford incomplets');
  const test = TESTS.includes(p.test as BenfordTest) ? (p.test as BenfordTest) : 'first';
  return queryRelation(benfordRowsSql(p.table, p.column, digit, test));
}

/** The digits a test can give, for a picker: 1–9, 10–99 or 00–99. */
export function benfordDigits(test: unknown): number[] {
  const [from, to] = test === 'first-two' ? [10, 99] : test === 'last-two' ? [0, 99] : [1, 9];
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
