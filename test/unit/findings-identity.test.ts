// Local identities: a signing key per user kept outside projects (LOUPE_HOME here), public keys
// exchanged as files and trusted one by one, names compared the way four-eyes needs them compared.
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/core/ops/all.ts';
import { localIdentity, trustedKeys, trustKeyFile } from '../../src/cli/identity-store.ts';
import { main } from '../../src/cli/main.ts';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { createFinding, signOff, submitForReview } from '../../src/core/findings/index.ts';
import {
  exportPublicKey,
  generateKeyPair,
  keyFingerprint,
  makeSigner,
  normaliseIdentity,
  parsePublicKeyFile,
  publicKeyFile,
  sameIdentity,
  verifyBytes,
  toBase64,
} from '../../src/core/identity/identity.ts';
import { nodeFileResolver } from '../../src/node/node-source.ts';
import { NodeProjectStore } from '../../src/node/node-store.ts';
import { Session } from '../../src/core/project/session.ts';

let dir: string;
let engine: Engine;
const io = () => {
  const o = { text: '', io: { out: (x: string) => void (o.text += x), err: (x: string) => void (o.text += x) } };
  return o;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loupe-identity-'));
  engine = await createNodeEngine();
}, 60_000);
afterAll(async () => {
  delete process.env.LOUPE_HOME;
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('names for the four-eyes rule', () => {
  it('folds case, compatibility forms, invisible characters, accents and spaces', () => {
    for (const x of ['Alice\u200b', 'ALICE', ' alice ', 'Ａｌｉｃｅ', 'Al\u00adice', 'Alic\u0065\u0301', 'A\u2060lice', 'Alice\ufeff']) {
      expect(normaliseIdentity(x), JSON.stringify(x)).toBe('alice');
    }
    expect(sameIdentity('Élise  Durand', 'elise durand')).toBe(true);
    expect(sameIdentity('Straße', 'STRASSE')).toBe(true);
    expect(sameIdentity('Alice\tMartin', 'alice martin.')).toBe(true);
    expect(sameIdentity('Alice\u200bMartin', 'Alice Martin')).toBe(true);
    expect(sameIdentity('\u0410lice Martin', 'Alice Martin')).toBe(true); // Cyrillic А
    expect(sameIdentity('Alice Martin', 'Alice Marin')).toBe(false);
    expect(sameIdentity('Bruno Roux', 'Alice Martin')).toBe(false);
    expect(normaliseIdentity('\u200b\u200c')).toBe('');
  });
});

describe('Ed25519 through WebCrypto', () => {
  it('signs and verifies; another key, other bytes or a malformed key do not verify', async () => {
    const a = await generateKeyPair(false);
    const b = await generateKeyPair(false);
    const pubA = await exportPublicKey(a.publicKey);
    const signer = await makeSigner({ account: 'a', name: 'A' }, a.privateKey, pubA);
    const data = new TextEncoder().encode('C-0001 sign-off');
    const sig = toBase64(await signer.sign(data));
    expect(await verifyBytes(pubA, data, sig)).toBe(true);
    expect(await verifyBytes(await exportPublicKey(b.publicKey), data, sig)).toBe(false);
    expect(await verifyBytes(pubA, new TextEncoder().encode('C-0001 sign-of'), sig)).toBe(false);
    expect(await verifyBytes('pas-une-clé', data, sig)).toBe(false);
    expect(signer.fingerprint).toBe(await keyFingerprint(pubA));
  });
});

describe('the CLI identity', () => {
  it('is made on first use under LOUPE_HOME, readable by its user only, and keeps its key when renamed', async () => {
    const home = join(dir, 'home-a');
    const first = await localIdentity({ home, name: 'Alice Martin' });
    const file = join(home, 'identity.json');
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);
    const again = await localIdentity({ home });
    expect(again.publicKey).toBe(first.publicKey);
    expect(again.name).toBe('Alice Martin');
    const renamed = await localIdentity({ home, name: 'Alice M.' });
    expect([renamed.name, renamed.publicKey]).toEqual(['Alice M.', first.publicKey]);
  });

  it('exports a public key a colleague trusts; a tampered file is refused', async () => {
    process.env.LOUPE_HOME = join(dir, 'home-b');
    const out = join(dir, 'bruno.json');
    const r = io();
    expect(await main(['identity', '--name', 'Bruno Roux', '--out', out], r.io)).toBe(0);
    const exported = await parsePublicKeyFile(await readFile(out, 'utf8'));
    expect(r.text).toContain(exported.fingerprint);
    expect(await readFile(out, 'utf8')).not.toMatch(/privateKey/);

    process.env.LOUPE_HOME = join(dir, 'home-c');
    const t = io();
    expect(await main(['keys', 'trust', out], t.io)).toBe(0);
    expect(t.text).toMatch(/Clé de confiance ajoutée : Bruno Roux/);
    expect((await trustedKeys(join(dir, 'home-c'))).map((k) => k.publicKey)).toEqual([exported.publicKey]);
    expect((await trustKeyFile(await readFile(out, 'utf8'), join(dir, 'home-c'))).added).toBe(false);

    const other = await generateKeyPair(true);
    const forged = JSON.parse(publicKeyFile({ ...exported }));
    forged.publicKey = await exportPublicKey(other.publicKey);
    await writeFile(join(dir, 'forged.json'), JSON.stringify(forged));
    const f = io();
    expect(await main(['keys', 'trust', join(dir, 'forged.json')], f.io)).toBe(1);
    expect(f.text).toMatch(/empreinte annoncée ne correspond pas/);
  });

  it('signs a sign-off whose report names the key as trusted only for who trusts it; no key lands in the project', async () => {
    const project = join(dir, 'proj');
    const s = await Session.create(engine, new NodeProjectStore(project), nodeFileResolver, 'Contrôle');
    const aliceKeys = await generateKeyPair(false);
    const alice = await makeSigner(
      { account: 'amartin', name: 'Alice Martin' },
      aliceKeys.privateKey,
      await exportPublicKey(aliceKeys.publicKey),
    );
    const bruno = await localIdentity({ home: join(dir, 'home-b') });
    let f = await createFinding(s, { title: 'Régie sans inventaire' }, { by: alice.name, signer: alice });
    f = await submitForReview(s, f.id, { by: alice.name, signer: alice });
    f = await signOff(s, f.id, { by: 'ignored', signer: bruno });
    expect(f.signedOff?.by).toBe('Bruno Roux');

    const report = async (home: string) => {
      process.env.LOUPE_HOME = home;
      const out = join(dir, 'rapport.html');
      const r = io();
      expect(await main(['report', '--project', project, '--out', out], r.io), r.text).toBe(0);
      return readFile(out, 'utf8');
    };
    expect(await report(join(dir, 'home-c'))).toMatch(
      /Validée par Bruno Roux [^<]*<span class="ok">Signature Ed25519 valide<\/span> \([^)]*compte[^)]*\) — <span class="ok">clé de confiance<\/span>/,
    );
    expect(await report(join(dir, 'home-empty'))).toContain('clé absente de vos clés de confiance');

    const files = await readdir(project, { recursive: true });
    for (const name of files) {
      const p = join(project, String(name));
      if ((await stat(p)).isFile()) expect(await readFile(p, 'utf8'), String(name)).not.toMatch(/privateKey|PRIVATE/);
    }
  }, 120_000);
});
