import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { FuseV1Options } from '@electron/fuses';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const config = require('../../../build/electron-builder.config.cjs') as {
  electronFuses: Record<string, boolean>;
  asarUnpack: string[];
  deb: { afterInstall: string; afterRemove: string };
  linux: { extraResources: { from: string }[] };
  mac: { entitlements: string };
};

// '@electron/fuses' enum names are PascalCase (RunAsNode); electron-builder's keys are camelCase.
const fuseNames = Object.keys(FuseV1Options).filter((k) => Number.isNaN(Number(k)));
const camel = (s: string) => s[0]!.toLowerCase() + s.slice(1);

describe('electron-builder config', () => {
  it('sets every Electron fuse explicitly', () => {
    const set = Object.keys(config.electronFuses);
    for (const name of fuseNames) expect(set, `fuse ${name} must be decided`).toContain(camel(name));
  });

  it('closes the doors a packaged app does not need', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
      enableCookieEncryption: true,
    });
  });

  it('unpacks native addons and references files that exist', () => {
    expect(config.asarUnpack).toContain('**/*.node');
    for (const f of [config.deb.afterInstall, config.deb.afterRemove, config.mac.entitlements, ...config.linux.extraResources.map((r) => r.from)]) {
      expect(existsSync(f), f).toBe(true);
    }
  });
});
