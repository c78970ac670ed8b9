// The .deb installs the headset udev rule without losing electron-builder's own post-install steps: the
// maintainer scripts are rendered here the way electron-builder renders them (FpmTarget writeConfigFile:
// ${name} macros, an unknown one is an error) and checked with bash.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const config = require('../../../build/electron-builder.config.cjs') as {
  productName: string;
  deb: { afterInstall: string; afterRemove: string };
  linux: { extraResources: { from: string; to: string }[] };
};
const TEMPLATES = join(dirname(require.resolve('app-builder-lib/package.json')), 'templates', 'linux');
const MACROS: Record<string, string> = { executable: 'lianluo', sanitizedProductName: config.productName, productFilename: config.productName };

function render(file: string): string {
  return readFileSync(file, 'utf8').replace(/\$\{([a-zA-Z]+)\}/g, (_m, name: string) => {
    const v = MACROS[name];
    if (v === undefined) throw new Error(`${file}: macro \${${name}} is not defined by electron-builder`);
    return v;
  });
}

const bashSyntax = (script: string) => spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });

describe('Linux package scripts', () => {
  const install = render(config.deb.afterInstall);
  const remove = render(config.deb.afterRemove);

  it('keep everything electron-builder’s default scripts do, first', () => {
    expect(install.startsWith(render(join(TEMPLATES, 'after-install.tpl')).trimEnd())).toBe(true);
    expect(remove.startsWith(render(join(TEMPLATES, 'after-remove.tpl')).trimEnd())).toBe(true);
    for (const step of ["/usr/bin/lianluo", "chrome-sandbox", 'apparmor_parser']) expect(install, step).toContain(step);
  });

  it('install the udev rule the package ships, from where the package puts it', () => {
    const shipped = config.linux.extraResources.find((r) => r.from.endsWith('70-lianluo-headsets.rules'));
    expect(shipped).toBeDefined();
    expect(existsSync(join(ROOT, shipped!.from))).toBe(true);
    expect(install).toContain(`'/opt/${config.productName}/resources/${shipped!.to}'`);
    expect(install).toMatch(/install -m 0644 "\$LIANLUO_UDEV_RULE" \/etc\/udev\/rules\.d\/70-lianluo-headsets\.rules/);
    expect(install).toContain('udevadm trigger --subsystem-match=hidraw');
    expect(remove).toContain('rm -f /etc/udev/rules.d/70-lianluo-headsets.rules');
  });

  it('are valid bash', () => {
    for (const [name, script] of [['after-install', install], ['after-remove', remove]] as const) {
      const r = bashSyntax(script);
      expect(r.status, `${name}: ${r.stderr}`).toBe(0);
    }
  });

  it('a macro electron-builder does not know fails the render, as it would fail the build', () => {
    expect(() => render(join(ROOT, 'build/linux/after-install.sh'))).not.toThrow();
    expect(readFileSync(join(ROOT, 'build/linux/after-install.sh'), 'utf8')).not.toMatch(/\$\{(?!sanitizedProductName\}|executable\})/);
  });
});
