// The desktop's plain-Node services as a test starts them: a data folder, secrets in memory, the writer
// worker run from source, nothing logged. Options override any of it.
import { startServices, type Services, type ServicesOptions } from '../../../electron/services/app-services';
import { MemorySecretStore } from '../../../electron/services/secrets/secret-store';

export const WRITER_FROM_SOURCE = { url: new URL('./writer-worker-from-source.mjs', import.meta.url) };
export const QUIET = { info: () => {}, warn: () => {}, error: () => {} };

export function startTestServices(dataDir: string, o: Partial<ServicesOptions> = {}): Promise<Services> {
  return startServices({
    dataDir,
    transport: 'web',
    version: '0.0.0-test',
    platform: process.platform,
    secrets: new MemorySecretStore(),
    writerScript: WRITER_FROM_SOURCE,
    log: QUIET,
    ...o,
  });
}
