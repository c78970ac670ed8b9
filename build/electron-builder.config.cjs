// Packaging (run on a release machine with internet: electron-builder downloads Electron and rebuilds
// better-sqlite3 for Electron's ABI; never in CI here). `npm run dist`.
// test/unit/build/electron-builder-config.test.ts checks every Electron fuse is set explicitly.

/* eslint-disable @typescript-eslint/no-require-imports -- electron-builder loads this file as CommonJS */
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * A .deb maintainer script: electron-builder's own default template, then ours. A custom afterInstall or
 * afterRemove *replaces* the default (electron-userland/electron-builder FpmTarget.createScripts), which
 * would silently drop the /usr/bin link, the chrome-sandbox mode and the AppArmor profile that Ubuntu
 * 24.04 needs to start Electron at all; composing keeps them, also when electron-builder changes them.
 * The result is still a template: electron-builder fills in ${executable} and ${sanitizedProductName}.
 */
function withDefaultScript(template, ours) {
  const defaults = join(dirname(require.resolve('app-builder-lib/package.json')), 'templates', 'linux', template);
  const out = join(__dirname, '..', '.tmp', 'deb-scripts', template);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${readFileSync(defaults, 'utf8').trimEnd()}\n\n${readFileSync(join(__dirname, 'linux', ours), 'utf8')}`, { mode: 0o755 });
  return out;
}

/** @type {import('electron-builder').Configuration} */
const config = {
  appId: 'cn.lianluo.desktop',
  productName: 'Lianluo',
  copyright: 'Lianluo',
  directories: { output: 'dist', buildResources: 'build' },
  files: ['out/**', 'package.json', '!**/*.map'],
  asar: true,
  // better-sqlite3's native addon cannot load from inside the archive; the DB worker script may need it too.
  asarUnpack: ['**/*.node', 'out/main/db-writer.js'],
  npmRebuild: true,
  protocols: [
    { name: 'Telephone number', schemes: ['tel'] },
    { name: 'SIP address', schemes: ['sip'] },
  ],
  // Every fuse explicitly (Element Desktop's practice): a new fuse must be decided, not inherited.
  electronFuses: {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    loadBrowserProcessSpecificV8Snapshot: false,
    grantFileProtocolExtraPrivileges: false,
  },
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Office',
    maintainer: 'Lianluo',
    icon: 'build/icons',
    // The headset udev rule ships inside the package; the deb installs it (build/linux/after-install.sh).
    // An AppImage cannot: the README says how to install the rule by hand.
    extraResources: [{ from: 'build/udev/70-lianluo-headsets.rules', to: 'udev/70-lianluo-headsets.rules' }],
  },
  deb: {
    afterInstall: withDefaultScript('after-install.tpl', 'after-install.sh'),
    afterRemove: withDefaultScript('after-remove.tpl', 'after-remove.sh'),
  },
  mac: {
    category: 'public.app-category.business',
    hardenedRuntime: true,
    entitlements: 'build/entitlements.mac.plist',
    entitlementsInherit: 'build/entitlements.mac.plist',
    extendInfo: { NSMicrophoneUsageDescription: 'Lianluo needs the microphone for phone calls. 联络需要使用麦克风进行通话。' },
  },
  win: { target: ['nsis'] },
  nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true },
};

module.exports = config;
