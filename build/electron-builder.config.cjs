// Packaging (run on a release machine with internet: electron-builder downloads Electron and rebuilds
// better-sqlite3 for Electron's ABI; never in CI here). `npm run dist`.
// test/unit/build/electron-builder-config.test.ts checks every Electron fuse is set explicitly.

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
    // The headset udev rule ships inside the package; the deb installs it (see build/linux/after-install.sh).
    extraResources: [{ from: 'build/udev/70-lianluo-headsets.rules', to: 'udev/70-lianluo-headsets.rules' }],
  },
  deb: {
    afterInstall: 'build/linux/after-install.sh',
    afterRemove: 'build/linux/after-remove.sh',
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
