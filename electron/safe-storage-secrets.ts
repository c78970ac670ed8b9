// Secrets encrypted with the OS keychain through Electron's safeStorage (async API). On Linux without a
// keyring Electron falls back to 'basic_text' (a hard-coded key): we still store, but say so loudly.
import { safeStorage } from 'electron';
import { FileSecretStore, type SecretCodec } from './services/secrets/secret-store';

export async function createSafeStorageSecretStore(file: string, warn: (msg: string) => void): Promise<FileSecretStore> {
  const available = await safeStorage.isAsyncEncryptionAvailable();
  if (!available) throw new Error('The OS keychain is not available, so Lianluo cannot store your SIP password safely.');
  const backend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'os-keychain';
  const weak = backend === 'basic_text' || backend === 'unknown';
  if (weak) {
    warn('No keyring (GNOME Keyring / KWallet) was found: secrets are only obfuscated on this machine. Install and unlock a keyring to encrypt them.');
  }
  const codec: SecretCodec = {
    encode: async (plain) => (await safeStorage.encryptStringAsync(plain)).toString('base64'),
    decode: async (stored) => {
      const { result, shouldReEncrypt } = await safeStorage.decryptStringAsync(Buffer.from(stored, 'base64'));
      return { value: result, stale: shouldReEncrypt };
    },
    name: `safeStorage (${backend})`,
    encrypted: !weak,
  };
  return new FileSecretStore(file, codec);
}
