// Who signs: a local identity (an account on this machine and a display name) with an Ed25519 key made
// through WebCrypto, the same API in Node, Chromium and Electron's renderer. The private key never
// enters a project: each host keeps it per user (the CLI in the user's config folder, the browser in
// IndexedDB as a non-extractable key). A project only carries public keys and signatures, so a
// colleague can check them, and tell a known key from an unknown one through their trusted-keys list.
import { canonicalJson, sha256Hex } from '../util/hash.ts';

/** What anyone may know of an identity: enough to check its signatures and to recognise it. */
export interface PublicIdentity {
  /** The account on the machine where the key was made (an OS login; « navigateur » in web mode). */
  account: string;
  /** The display name the person signs with. */
  name: string;
  /** Raw Ed25519 public key, base64. */
  publicKey: string;
}

export interface Signer extends PublicIdentity {
  fingerprint: string;
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/** A colleague's public key this user has chosen to trust (exchanged out of band, see README). */
export interface TrustedKey extends PublicIdentity {
  fingerprint: string;
  addedAt: string;
}

export const ED25519 = { name: 'Ed25519' } as const;

// Lowercase letters of other scripts that pass for Latin ones in a name field (Cyrillic « а », Greek « ο »).
const LOOKALIKE: Record<string, string> = {
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  һ: 'h',
  ӏ: 'l',
  α: 'a',
  β: 'b',
  ε: 'e',
  η: 'n',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
};

/**
 * One spelling per person for the four-eyes rule: compatibility forms folded (NFKC: fullwidth letters,
 * ligatures), case folded, common look-alike Cyrillic and Greek letters read as Latin, then only letters
 * and digits kept — accents, spaces, punctuation, invisible and zero-width characters all go. So
 * « Alice\u200b » is « Alice », and « ＡＬＩＣＥ martin », « Alice\tMartin » and « Alice Martin. » are
 * « Alice Martin ». A false refusal is cheap; a false acceptance is the bypass this rule exists to stop.
 * Signed steps are also compared by key, which no spelling changes.
 */
export function normaliseIdentity(name: string): string {
  return name
    .normalize('NFKC')
    .toLocaleUpperCase('und')
    .toLocaleLowerCase('und')
    .normalize('NFKD')
    .replace(/[^\p{L}\p{N}]+/gu, '')
    .replace(/\p{L}/gu, (c) => LOOKALIKE[c] ?? c)
    .normalize('NFKC');
}

export function sameIdentity(a: string, b: string): boolean {
  return normaliseIdentity(a) === normaliseIdentity(b);
}

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** SHA-256 of the raw public key, hex: the same key has the same fingerprint everywhere. */
export async function keyFingerprint(publicKey: string): Promise<string> {
  return sha256Hex(fromBase64(publicKey));
}

/** The first 16 hex digits in groups of four, as people read them aloud to compare keys. */
export function shortFingerprint(fp: string): string {
  return (
    fp
      .slice(0, 16)
      .toUpperCase()
      .match(/.{1,4}/g) ?? []
  ).join(' ');
}

export async function generateKeyPair(extractable: boolean): Promise<CryptoKeyPair> {
  return (await globalThis.crypto.subtle.generateKey(ED25519, extractable, ['sign', 'verify'])) as CryptoKeyPair;
}

export async function exportPublicKey(key: CryptoKey): Promise<string> {
  return toBase64(new Uint8Array(await globalThis.crypto.subtle.exportKey('raw', key)));
}

/** A signer over a private key the host keeps; the key itself is never handed out. */
export async function makeSigner(who: { account: string; name: string }, privateKey: CryptoKey, publicKey: string): Promise<Signer> {
  return {
    account: who.account,
    name: who.name,
    publicKey,
    fingerprint: await keyFingerprint(publicKey),
    async sign(data) {
      return new Uint8Array(await globalThis.crypto.subtle.sign(ED25519, privateKey, data as BufferSource));
    },
  };
}

/** False for a bad signature, and for a key or signature that is not even well formed. */
export async function verifyBytes(publicKey: string, data: Uint8Array, signature: string): Promise<boolean> {
  try {
    const raw = fromBase64(publicKey);
    if (raw.length !== 32) return false;
    const key = await globalThis.crypto.subtle.importKey('raw', raw as BufferSource, ED25519, false, ['verify']);
    return await globalThis.crypto.subtle.verify(ED25519, key, fromBase64(signature) as BufferSource, data as BufferSource);
  } catch {
    return false;
  }
}

/** A public key file as `loupe identity --out` writes it and `loupe keys trust` reads it. */
export function publicKeyFile(id: PublicIdentity & { fingerprint: string }): string {
  return (
    JSON.stringify(
      { format: 'loupe-public-key', version: 1, name: id.name, account: id.account, publicKey: id.publicKey, fingerprint: id.fingerprint },
      null,
      2,
    ) + '\n'
  );
}

export async function parsePublicKeyFile(text: string): Promise<PublicIdentity & { fingerprint: string }> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error('fichier de clé publique illisible (JSON attendu)');
  }
  const o = raw as Record<string, unknown>;
  if (o?.format !== 'loupe-public-key' || typeof o.publicKey !== 'string' || typeof o.name !== 'string') {
    throw new Error('ce fichier n’est pas une clé publique Loupe (format « loupe-public-key » attendu)');
  }
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(o.publicKey);
  } catch {
    throw new Error('clé publique mal encodée (base64 attendu)');
  }
  if (bytes.length !== 32) throw new Error('clé publique Ed25519 attendue (32 octets)');
  const fingerprint = await keyFingerprint(o.publicKey);
  if (typeof o.fingerprint === 'string' && o.fingerprint !== fingerprint)
    throw new Error('l’empreinte annoncée ne correspond pas à la clé');
  return {
    name: o.name.slice(0, 200),
    account: typeof o.account === 'string' ? o.account.slice(0, 200) : '',
    publicKey: o.publicKey,
    fingerprint,
  };
}

/** What a signed journal step commits to, as bytes: the finding's content hashes, the action, the identity. */
export function signedBytes(p: {
  findingId: string;
  action: string;
  contentSha256: string;
  sealSha256: string;
  by: string;
  account: string;
  publicKey: string;
  signedAt: string;
}): Uint8Array {
  return new TextEncoder().encode(canonicalJson({ v: 1, ...p }));
}
