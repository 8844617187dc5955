// Signing identities in the browser and in Electron's renderer: an Ed25519 key pair made by WebCrypto
// with a NON-extractable private key, kept in IndexedDB (a CryptoKey is stored as itself; its bytes
// can never be read back, not even by this code). One key per display name on this browser profile —
// the same name always signs with the same key, another name gets its own. Never in a project folder.
// The trusted-keys list (colleagues' public keys) sits beside it.
import {
  exportPublicKey,
  generateKeyPair,
  makeSigner,
  normaliseIdentity,
  parsePublicKeyFile,
  publicKeyFile,
  type Signer,
  type TrustedKey,
} from '../core/identity/identity.ts';

const DB = 'loupe-identity';
const KEYS = 'keys';
const TRUSTED = 'trusted';
/** Web mode has no OS account to name; the key is this browser profile's. */
export const BROWSER_ACCOUNT = 'navigateur';

interface StoredKey {
  id: string;
  name: string;
  account: string;
  publicKey: string;
  privateKey: CryptoKey;
  createdAt: string;
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

let opened: Promise<IDBDatabase> | null = null;

function db(): Promise<IDBDatabase> {
  opened ??= new Promise<IDBDatabase>((resolve, reject) => {
    const r = indexedDB.open(DB, 1);
    r.onupgradeneeded = () => {
      r.result.createObjectStore(KEYS, { keyPath: 'id' });
      r.result.createObjectStore(TRUSTED, { keyPath: 'publicKey' });
    };
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  }).catch((e) => {
    opened = null;
    throw e;
  });
  return opened;
}

async function store(name: string, mode: IDBTransactionMode): Promise<IDBObjectStore> {
  return (await db()).transaction(name, mode).objectStore(name);
}

// Where IndexedDB is refused (some private windows), keys live for the page only: still signed, but a
// reload makes a new key — said in the UI by the fingerprint changing, never hidden.
const memory = new Map<string, StoredKey>();

const signers = new Map<string, Promise<Signer>>();

/** The signer for `name` on this browser profile, made the first time that name signs. */
export function browserSigner(name: string): Promise<Signer> {
  const id = normaliseIdentity(name);
  if (!id) return Promise.reject(new Error('nom vide : impossible de signer'));
  let s = signers.get(id);
  if (!s) {
    s = loadOrCreate(id, name.trim());
    signers.set(id, s);
    s.catch(() => signers.delete(id));
  }
  return s;
}

async function loadOrCreate(id: string, name: string): Promise<Signer> {
  let rec: StoredKey | undefined;
  let persistent = true;
  try {
    rec = await request((await store(KEYS, 'readonly')).get(id) as IDBRequest<StoredKey | undefined>);
  } catch {
    persistent = false;
    rec = memory.get(id);
  }
  if (!rec) {
    const pair = await generateKeyPair(false);
    rec = {
      id,
      name,
      account: BROWSER_ACCOUNT,
      publicKey: await exportPublicKey(pair.publicKey),
      privateKey: pair.privateKey,
      createdAt: new Date().toISOString(),
    };
    if (persistent) {
      try {
        await request((await store(KEYS, 'readwrite')).add(rec));
      } catch {
        memory.set(id, rec);
      }
    } else memory.set(id, rec);
  }
  // The name as typed now is the one signed; the key is the same for every spelling of it.
  return makeSigner({ account: rec.account, name }, rec.privateKey, rec.publicKey);
}

export async function browserTrustedKeys(): Promise<TrustedKey[]> {
  try {
    return await request((await store(TRUSTED, 'readonly')).getAll() as IDBRequest<TrustedKey[]>);
  } catch {
    return [];
  }
}

/** Adds a colleague's public key file (as `loupe identity --out` or « Exporter ma clé » writes it). */
export async function trustPublicKeyText(text: string): Promise<TrustedKey> {
  const id = await parsePublicKeyFile(text);
  const key: TrustedKey = { ...id, addedAt: new Date().toISOString() };
  await request((await store(TRUSTED, 'readwrite')).put(key));
  return key;
}

export function publicKeyText(s: Signer): string {
  return publicKeyFile(s);
}
