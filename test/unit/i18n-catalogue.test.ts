import { describe, expect, it } from 'vitest';
import { en } from '../../src/i18n/en.ts';
import { formatBytes, formatDate, formatInteger, formatNumber, formatTimestamp } from '../../src/i18n/format.ts';
import { fr } from '../../src/i18n/fr.ts';
import { translate } from '../../src/i18n/i18n.svelte.ts';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('i18n catalogues', () => {
  it('have the same keys in French and English', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(fr).sort());
  });

  it('use the same placeholders in both languages', () => {
    for (const k of Object.keys(fr) as (keyof typeof fr)[]) {
      expect(placeholders(en[k]), k).toEqual(placeholders(fr[k]));
    }
  });

  it('have no empty message', () => {
    for (const [k, v] of [...Object.entries(fr), ...Object.entries(en)]) expect(v.trim(), k).not.toBe('');
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('fr', 'catalog.rows', { count: '1 234' })).toBe('1 234 lignes');
    expect(translate('en', 'import.fileOf', { i: 2, n: 5, file: 'a.csv' })).toBe('File 2 of 5: a.csv');
    expect(translate('en', 'import.fileOf', { i: 2 })).toBe('File 2 of {n}: {file}');
  });
});

describe('French formats', () => {
  it('groups thousands with a narrow no-break space and uses a decimal comma', () => {
    expect(formatInteger(1234567)).toBe('1\u202f234\u202f567');
    expect(formatNumber(1234567.89)).toBe('1\u202f234\u202f567,89');
    expect(formatNumber(-0.5)).toBe('-0,5');
  });

  it('keeps every decimal the engine gave', () => {
    expect(formatNumber(0.123456789012)).toBe('0,123456789012');
  });

  it('writes dates as dd/mm/yyyy', () => {
    expect(formatDate('2024-02-29')).toBe('29/02/2024');
    expect(formatTimestamp('2024-02-29T13:05:00')).toBe('29/02/2024 13:05:00');
  });

  it('writes file sizes in French units', () => {
    expect(formatBytes(512)).toBe('512 o');
    expect(formatBytes(1536)).toBe('1,5 Ko');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5 Mo');
  });
});

describe('decimal columns', () => {
  it('show every decimal of their scale', async () => {
    const { formatDecimal } = await import('../../src/i18n/format.ts');
    expect(formatDecimal(1010.1, 2)).toBe('1\u202f010,10');
    expect(formatDecimal(6000, 2)).toBe('6\u202f000,00');
  });
});

describe('number display', () => {
  it('prints doubles as the decimal they stand for, and codes without grouping', async () => {
    const { formatCode, formatNumber } = await import('../../src/i18n/format.ts');
    expect(formatNumber(0.1 + 0.2)).toBe('0,3');
    expect(formatNumber(2.3184999999999998)).toBe('2,3185');
    expect(formatNumber(1234.5678)).toBe('1\u202f234,5678');
    expect(formatCode(75101)).toBe('75101');
    expect(formatCode(2024)).toBe('2024');
  });
});
