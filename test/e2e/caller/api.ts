// What the test caller page (caller.ts) offers to the Node side, through page.evaluate on window.caller.
import type { ToneReport } from './tones';

export interface CallerAccount {
  /** ws://127.0.0.1:8080 */
  wsUrl: string;
  /** The account the caller registers and authenticates as, e.g. sip:caller@127.0.0.1 */
  sipUri: string;
  password: string;
  /** Send REGISTER (default true). false: only connect, so an INVITE is the first request to authenticate. */
  register?: boolean;
  /** Answer incoming calls at once (a customer picking up an agent's outbound call). */
  autoAnswer?: boolean;
}

export interface CallRequest {
  /** Request-URI, e.g. sip:1001@127.0.0.1 */
  target: string;
  /** From header: user part (the caller's number) and display name. */
  fromUser: string;
  fromDisplayName?: string;
  /** A full P-Asserted-Identity value, e.g. <sip:13800138000@127.0.0.1;user=phone> */
  pai?: string;
}

export interface CallStatus {
  /** SIP.js session state: Initial, Establishing, Established, Terminating, Terminated; '' before a call. */
  state: string;
  /** Provisional responses seen (100, 180 …). */
  provisional: number[];
  /** Final response to the INVITE, when there was one. */
  final?: { code: number; reason: string };
  /** Who ended it: 'remote' (BYE from the agent or a final error), 'local'. */
  endedBy?: 'local' | 'remote';
  direction?: 'outbound' | 'inbound';
  /** Calls this caller placed because it was transferred (REFER), so far. */
  transfers: number;
  /** The last REFER received: its Refer-To and the context it carried. */
  lastRefer?: { referTo: string; context?: string; replaces: boolean };
  /** Headers of the last incoming INVITE (when this page was called). */
  lastIncoming?: { from: string; context?: string };
  /** Bodies of SIP INFO requests received (DTMF relay), in order. */
  infos: string[];
}

export interface CallerApi {
  register(account: CallerAccount): Promise<{ ok: true } | { ok: false; error: string }>;
  call(request: CallRequest): Promise<void>;
  status(): CallStatus;
  /** CANCEL while ringing, BYE when established. */
  hangup(): Promise<void>;
  /** Tones in the remote audio (only while established). */
  remoteTones(ms?: number, freqs?: number[]): Promise<ToneReport | null>;
  stop(): Promise<void>;
}

declare global {
  interface Window {
    caller?: CallerApi;
  }
}
