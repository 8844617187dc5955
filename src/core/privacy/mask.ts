// Masking and pseudonymisation of personal columns, as a journaled operation: a new table where the
// chosen columns are replaced (the source table and file are never touched), and a journal entry that
// records which column got which treatment.
//
// Pseudonyms are a salted SHA-256 of the trimmed, lower-cased value, so the same person gets the same
// pseudonym everywhere in the project (rows can still be grouped and joined) and the pseudonym cannot
// be reversed by hashing a list of names without the salt. The salt is a random 256-bit value kept in
// the project folder (privacy-salt.txt); the journal holds only its SHA-256 fingerprint, and the SQL it
// records reads the salt through a session variable, so neither the journal nor a report reveals it.
// Whoever has the project folder has the salt: share the masked table's export, not the project.
import { z } from 'zod';
import { createResultTable, inputOf, OperationError, registerOperation, requireColumn, type OperationContext } from '../ops/registry.ts';
import type { Session } from '../project/session.ts';
import { quoteIdent, quoteLiteral, safeIdentifier } from '../sql/ident.ts';
import { sha256Hex } from '../util/hash.ts';
import { EMAIL_RE, PHONE_RE } from './detect.ts';

export const PRIVACY_SALT_FILE = 'privacy-salt.txt';
const SALT_VAR = 'loupe_privacy_salt';

export const MaskMethod = z.enum(['pseudonym', 'mask', 'drop']);
export type MaskMethod = z.infer<typeof MaskMethod>;

export const PrivacyMaskParams = z.object({
  table: z.string().min(1).max(200).describe('Table à protéger'),
  columns: z
    .array(z.object({ column: z.string().min(1).max(1000), method: MaskMethod }))
    .min(1)
    .max(1000)
    .describe('Colonnes et traitement : pseudonym (pseudonyme stable), mask (masquage partiel), drop (suppression)'),
  output: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/)
    .optional()
    .describe('Nom de la table produite (par défaut <table>_masque)'),
  saltSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .describe('Empreinte du sel du projet (le sel lui-même n’est jamais journalisé)'),
});
export type PrivacyMaskParams = z.infer<typeof PrivacyMaskParams>;

function pseudonymSql(col: string): string {
  const v = `lower(trim(CAST(${quoteIdent(col)} AS VARCHAR)))`;
  return `CASE WHEN ${quoteIdent(col)} IS NULL THEN NULL ELSE 'PSEUDO-' || upper(substr(sha256(getvariable('${SALT_VAR}') || ':' || ${v}), 1, 12)) END`;
}

/** Keeps just enough to recognise the kind of value: e-mail domain, last two phone digits, first letter. */
function maskSql(col: string): string {
  const v = `trim(CAST(${quoteIdent(col)} AS VARCHAR))`;
  return `CASE WHEN ${quoteIdent(col)} IS NULL THEN NULL
    WHEN regexp_full_match(${v}, ${quoteLiteral(EMAIL_RE)}) THEN left(${v}, 1) || '***@' || split_part(${v}, '@', 2)
    WHEN regexp_full_match(${v}, ${quoteLiteral(PHONE_RE)}) THEN '** ** ** ** ' || right(regexp_replace(${v}, '[^0-9]', '', 'g'), 2)
    WHEN length(${v}) = 0 THEN ''
    ELSE left(${v}, 1) || '***' END`;
}

async function readSalt(ctx: OperationContext, expected: string): Promise<string> {
  let salt: string;
  try {
    const file = await ctx.files.open(PRIVACY_SALT_FILE);
    salt = new TextDecoder().decode(await file.bytes()).trim();
  } catch {
    throw new OperationError(
      `Sel de pseudonymisation introuvable dans le projet (${PRIVACY_SALT_FILE}) : les pseudonymes ne peuvent pas être recalculés`,
    );
  }
  if ((await sha256Hex(salt)) !== expected) {
    throw new OperationError('Le sel de pseudonymisation du projet a changé : les pseudonymes ne correspondraient plus à ceux journalisés');
  }
  return salt;
}

export const privacyMask = registerOperation<PrivacyMaskParams, { table: string; columns: PrivacyMaskParams['columns'] }>({
  id: 'privacy-mask',
  kind: 'view',
  description: 'Masque ou pseudonymise des colonnes de données personnelles dans une nouvelle table',
  params: PrivacyMaskParams,
  async run(ctx, p) {
    const seen = new Set<string>();
    for (const c of p.columns) {
      requireColumn(ctx, p.table, c.column);
      if (seen.has(c.column)) throw new OperationError(`Colonne « ${c.column} » indiquée deux fois`);
      seen.add(c.column);
    }
    const drop = p.columns.filter((c) => c.method === 'drop').map((c) => quoteIdent(c.column));
    const replace = p.columns
      .filter((c) => c.method !== 'drop')
      .map((c) => `${c.method === 'pseudonym' ? pseudonymSql(c.column) : maskSql(c.column)} AS ${quoteIdent(c.column)}`);
    const select = `SELECT * ${drop.length ? `EXCLUDE (${drop.join(', ')}) ` : ''}${replace.length ? `REPLACE (${replace.join(',\n  ')}) ` : ''}FROM ${quoteIdent(p.table)}`;
    const name = p.output ?? `${safeIdentifier(p.table)}_masque`;
    if (name === p.table) throw new OperationError('La table masquée doit avoir un autre nom que la table source');
    const needsSalt = p.columns.some((c) => c.method === 'pseudonym');
    if (needsSalt) {
      const salt = await readSalt(ctx, p.saltSha256);
      await ctx.engine.exec(`SET VARIABLE ${SALT_VAR} = ${quoteLiteral(salt)}`);
    }
    try {
      const res = await createResultTable(ctx, 'privacy-mask', select, name);
      const counts = { pseudonym: 0, mask: 0, drop: 0 };
      for (const c of p.columns) counts[c.method]++;
      return {
        table: res.table,
        sql: [res.sql],
        inputs: [inputOf(ctx, p.table)],
        summary: `Table « ${res.table} » : ${counts.pseudonym} colonne(s) pseudonymisée(s), ${counts.mask} masquée(s), ${counts.drop} supprimée(s)`,
        detail: { table: res.table, columns: p.columns },
      };
    } finally {
      if (needsSalt) await ctx.engine.exec(`RESET VARIABLE ${SALT_VAR}`);
    }
  },
});

/** The project's salt, created (random, 256 bits) and saved on first use. */
export async function ensurePrivacySalt(session: Session): Promise<{ sha256: string }> {
  let salt = (await session.store.readText(PRIVACY_SALT_FILE))?.trim();
  if (!salt) {
    const bytes = globalThis.crypto.getRandomValues(new Uint8Array(32));
    salt = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
    await session.store.writeTextAtomic(PRIVACY_SALT_FILE, salt + '\n');
  }
  return { sha256: await sha256Hex(salt) };
}

/** Masks a table's personal columns in a new table, with the project's salt; the choice is journaled. */
export async function maskTable(session: Session, params: Omit<PrivacyMaskParams, 'saltSha256'>) {
  const { sha256 } = await ensurePrivacySalt(session);
  return session.run(privacyMask, { ...params, saltSha256: sha256 });
}
