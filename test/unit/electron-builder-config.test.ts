import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// js-yaml and app-builder-lib come with electron-builder; loaded untyped, they are only read here.
const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };
const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  validateConfiguration(config: unknown, logger: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

const config = yaml.load(readFileSync('electron-builder.yml', 'utf8')) as Record<string, any>;
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { main: string };

describe('electron-builder.yml', () => {
  it('passes electron-builder’s own schema validation (offline)', async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('is checked for real: an unknown key fails the same validation', async () => {
    await expect(validateConfiguration({ ...config, notAKey: true }, new DebugLogger(false))).rejects.toThrow(/notAKey/);
  });

  it('names the app and packages the built renderer and shell only', () => {
    expect(config.appId).toBe('fr.paris.loupe');
    expect(config.productName).toBe('Loupe');
    expect(config.files).toEqual(expect.arrayContaining(['dist/**', 'dist-electron/**', 'package.json']));
    expect(config.files.some((f: string) => /^(src|electron|test|node_modules)\b/.test(f))).toBe(false);
    expect(config.asarUnpack).toContain('**/*.wasm');
    expect(pkg.main).toBe('dist-electron/main.cjs');
    expect(config.extraMetadata.main).toBe(pkg.main);
  });

  it('sets the Electron fuses: no RunAsNode, no NODE_OPTIONS, no inspect arguments, ASAR integrity and ASAR only', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('targets AppImage and deb, NSIS and DMG, with the generated icon', () => {
    expect(config.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(config.win.target).toContain('nsis');
    expect(config.mac.target).toContain('dmg');
    for (const os of ['linux', 'win', 'mac']) expect(config[os].icon).toBe('static/icons/icon.png');
    const png = readFileSync('static/icons/icon.png');
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(512);
    expect(png.readUInt32BE(20)).toBe(512);
  });

  it('opens .loupe projects and publishes nowhere', () => {
    expect(config.fileAssociations).toEqual([expect.objectContaining({ ext: 'loupe', name: expect.any(String) })]);
    expect(config.publish).toBeNull();
  });
});
