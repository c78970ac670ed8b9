import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where Lianluo keeps its files. The same folder Electron's app.getPath('userData') gives for the
 * product name "Lianluo", so the desktop, `npm run web` and the admin commands share one cache.
 * LIANLUO_DATA_DIR overrides it (tests, several agents on one machine).
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.LIANLUO_DATA_DIR) return env.LIANLUO_DATA_DIR;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Lianluo');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Lianluo');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Lianluo');
}

export const cacheFile = (dataDir: string) => join(dataDir, 'cache.sqlite');
export const settingsFile = (dataDir: string) => join(dataDir, 'settings.json');
