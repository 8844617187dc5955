// The CLI's identity: one Ed25519 key per user, kept OUTSIDE every project — in the user's config folder
// (LOUPE_HOME overrides it, for tests and for people who keep it elsewhere), readable by that user only.
// Beside it, the trusted-keys list: colleagues' public keys this user chose to recognise.
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import {
  exportPublicKey,
  fromBase64,
  generateKeyPair,
  keyFingerprint,
  makeSigner,
  parsePublicKeyFile,
  toBase64,
  ED25519,
  type Signer,
  type TrustedKey,
} from '../core/identity/identity.ts';

const IDENTITY_FILE = 'identity.json';
const TRUSTED_FILE = 'trusted-keys.json';

export function loupeHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LOUPE_HOME) return env.LOUPE_HOME;
  if (process.platform === 'win32' && env.APPDATA) return join(env.APPDATA, 'Loupe');
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'loupe');
}

function osAccount(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'inconnu';
  }
}

interface StoredIdentity {
  format: 'loupe-identity';
  version: 1;
  account: string;
  name: string;
  publicKey: string;
  /** PKCS#8, base64: the private key, in a file only this user can read. */
  privateKey: string;
  createdAt: string;
}

async function writePrivate(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { encoding: 'utf8', mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

async function readJson(path: string): Promise<unknown | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`${path} illisible : ${(e as Error).message}`, { cause: e });
  }
}

/**
 * This user's signer, made on first use. `name` sets (or changes) the display name; without it the
 * stored one, or LOUPE_NAME, or the OS account is used. Changing the name keeps the key.
 */
export async function localIdentity(opts: { name?: string; home?: string } = {}): Promise<Signer> {
  const home = opts.home ?? loupeHome();
  await mkdir(home, { recursive: true, mode: 0o700 });
  const path = join(home, IDENTITY_FILE);
  let stored = (await readJson(path)) as StoredIdentity | null;
  if (stored && (stored.format !== 'loupe-identity' || typeof stored.privateKey !== 'string'))
    throw new Error(`${path} n’est pas une identité Loupe`);
  const wanted = opts.name?.trim();
  if (!stored) {
    const pair = await generateKeyPair(true);
    const pkcs8 = new Uint8Array(await globalThis.crypto.subtle.exportKey('pkcs8', pair.privateKey));
    stored = {
      format: 'loupe-identity',
      version: 1,
      account: osAccount(),
      name: wanted || process.env.LOUPE_NAME?.trim() || osAccount(),
      publicKey: await exportPublicKey(pair.publicKey),
      privateKey: toBase64(pkcs8),
      createdAt: new Date().toISOString(),
    };
    await writePrivate(path, JSON.stringify(stored, null, 2) + '\n');
  } else if (wanted && wanted !== stored.name) {
    stored = { ...stored, name: wanted };
    await writePrivate(path, JSON.stringify(stored, null, 2) + '\n');
  }
  const key = await globalThis.crypto.subtle.importKey('pkcs8', fromBase64(stored.privateKey) as BufferSource, ED25519, false, ['sign']);
  return makeSigner({ account: stored.account, name: stored.name }, key, stored.publicKey);
}

export async function trustedKeys(home = loupeHome()): Promise<TrustedKey[]> {
  const raw = await readJson(join(home, TRUSTED_FILE));
  return Array.isArray(raw) ? (raw as TrustedKey[]).filter((k) => k && typeof k.publicKey === 'string') : [];
}

/** Adds a colleague's public key file (from `loupe identity --out`) to the trusted list. */
export async function trustKeyFile(text: string, home = loupeHome()): Promise<{ key: TrustedKey; added: boolean }> {
  const id = await parsePublicKeyFile(text);
  const list = await trustedKeys(home);
  const known = list.find((k) => k.publicKey === id.publicKey);
  if (known) return { key: known, added: false };
  const key: TrustedKey = { ...id, fingerprint: await keyFingerprint(id.publicKey), addedAt: new Date().toISOString() };
  await mkdir(home, { recursive: true, mode: 0o700 });
  await writePrivate(join(home, TRUSTED_FILE), JSON.stringify([...list, key], null, 2) + '\n');
  return { key, added: true };
}
