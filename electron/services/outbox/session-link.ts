// The outbox's link to the backend, made from the desktop's session (services/session): where the
// backend is, a fetch that carries the session's token, and whose items to deliver. The session owns
// the token; the outbox only borrows it for its requests and tells the session when it is refused.
import type { SessionInfo } from '../../../shared/domain/session';
import type { PushLink } from './pusher';

/** What the outbox needs from the session service. */
export interface SessionLike {
  info(): SessionInfo;
  connection(): { baseUrl: string; token: string } | null;
  refused(): Promise<void>;
}

/** "<backend> <username>": the same owner for the same agent on the same backend, across restarts. */
export function ownerOf(info: SessionInfo): string | null {
  if (info.status !== 'signed_in' || !info.user) return null;
  const backend = info.backend.mode === 'embedded' ? 'embedded' : (info.backend.url ?? '').replace(/\/+$/, '');
  return backend ? `${backend} ${info.user.username}` : null;
}

export function linkFromSession(session: SessionLike, fetchImpl: typeof fetch = fetch): PushLink | null {
  const conn = session.connection();
  const owner = ownerOf(session.info());
  if (!conn || !owner) return null;
  return {
    baseUrl: conn.baseUrl,
    owner,
    fetch: (url, init) => fetchImpl(url, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${conn.token}` } }),
    unauthorized: () => void session.refused(),
  };
}
