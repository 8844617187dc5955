// Labels the Audit view builds from names it does not know in advance (fields, figures, tests): a
// translated label when the catalogue has one, the name itself otherwise (never a blank).
import { fr, type MessageKey } from '../../i18n/fr.ts';
import { t } from '../../i18n/index.ts';
import { cellKind as kindOfType } from '../../core/sql/types.ts';

function known(key: string): key is MessageKey {
  return key in fr;
}

export function labelOr(key: string, fallback: string): string {
  return known(key) ? t(key) : fallback;
}

export const fieldLabel = (name: string) => labelOr(`audit.field.${name}`, name);
export const figureLabel = (name: string) => labelOr(`audit.figure.${name}`, name);
export const testTitle = (id: string) => labelOr(`audit.op.${id}`, id);
export const testWhen = (id: string) => labelOr(`audit.when.${id}`, '');
/** What a test does, in the interface language (the operation's own description is French). */
export const testDescription = (id: string, fallback: string) => labelOr(`audit.desc.${id}`, fallback);

/** An enum option in words (« premier chiffre » for `first`): the schema's code is never shown. */
export const optionLabel = (field: string, value: string) => labelOr(`audit.option.${field}.${value}`, value);

/**
 * A parameter's help in the interface language: the test's own text (`audit.help.<op>.<path>`,
 * list indexes dropped), else the one shared by every test (`audit.help.<path>`), else the schema's
 * French description.
 */
export function fieldHelp(op: string, path: string, fallback: string | undefined): string | undefined {
  const p = path.replace(/\.\d+(?=\.|$)/g, '');
  return labelOr(`audit.help.${op}.${p}`, labelOr(`audit.help.${p}`, fallback ?? '')) || undefined;
}

/** A column's type in words: « nombre », « date », « texte »… */
export function typeHint(type: string): string {
  const k = kindOfType(type);
  return t(
    k === 'number'
      ? 'audit.type.number'
      : k === 'date' || k === 'timestamp'
        ? 'audit.type.date'
        : k === 'text'
          ? 'audit.type.text'
          : k === 'boolean'
            ? 'audit.type.boolean'
            : 'audit.type.other',
  );
}

/** An id usable in the DOM (for label/aria links) from a field path. */
export function domId(key: string): string {
  return `audit-f-${key.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}
