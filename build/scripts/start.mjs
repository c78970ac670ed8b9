#!/usr/bin/env node
// `npm start`: build, then open the desktop app with Electron. Electron fetches its binary on the first
// start (it is not bundled with npm install). Where that cannot work (no internet for the download, no
// display), say so plainly and point to `npm run web`, which runs the same app in a browser.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', shell: process.platform === 'win32' });

const build = run('npx', ['electron-vite', 'build']);
if (build.status !== 0) process.exit(build.status ?? 1);

const fallback = (why) => {
  console.error(`\nLianluo cannot open its desktop window here: ${why}`);
  console.error('The same app runs in a browser on this machine instead:  npm run web\n');
  process.exit(1);
};

if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
  fallback('there is no graphical display (DISPLAY / WAYLAND_DISPLAY is not set).');
}

let electronPath;
try {
  // From Electron 42 on, requiring the package downloads its binary on first use.
  electronPath = createRequire(import.meta.url)('electron');
} catch (e) {
  fallback(`Electron's binary could not be downloaded (${String(e?.message ?? e).split('\n')[0]}).`);
}

const child = spawn(electronPath, ['.'], { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 0));
child.on('error', (e) => fallback(`Electron did not start (${e.message}).`));
