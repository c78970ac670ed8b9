// Hooks shared by the call views: a ticking clock, the caller's name, dialling, and the keyboard shortcuts.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useDeps, usePopState } from '../app-context';
import { commandForKey, runCommand, toTarget } from '../phone/commands';
import type { CallSnapshot } from '../stores/phone-store';

/** Date.now(), refreshed every second while `active`. */
export function useNow(active = true): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

/** Who is on the line, in one line of text: the chosen customer, else the network's display name, else the number. */
export function useCallerName(call: CallSnapshot | undefined): string {
  const { t } = useTranslation();
  const customer = usePopState((s) => {
    const pop = call ? s.pops[call.id] : undefined;
    return pop?.result?.customers.find((c) => c.id === pop.selectedId)?.name;
  });
  if (!call) return '';
  return customer || call.displayName || call.number || t('call.withheld');
}

/** Dial typed input, a record's number or a link; failures go to the call UI's error line. Resolves true when a call was placed. */
export function useDialer(): (input: string, source: 'typed' | 'record' | 'link', customerId?: string) => Promise<boolean> {
  const { phone, settingsStore, callUi } = useDeps();
  return useCallback(
    async (input, source, customerId) => {
      const s = settingsStore.getState().settings;
      const r = toTarget(input, source, s?.numberPlan ?? { defaultRegion: 'CN', localAreaCode: '', outsideLinePrefix: '' }, s?.account?.sipUri);
      if (!r.ok) {
        callUi.getState().fail(r.key);
        return false;
      }
      try {
        await phone.dial(r.target, customerId ? { customerId } : {});
        callUi.getState().clearError();
        return true;
      } catch (e) {
        callUi.getState().fail('error.dialFailed', e instanceof Error ? e.message : String(e));
        return false;
      }
    },
    [phone, settingsStore, callUi],
  );
}

/** In-page keyboard shortcuts (Alt + letter) for the call commands. */
export function useCallShortcuts(): void {
  const { phone, phoneStore, callUi } = useDeps();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const cmd = commandForKey(e);
      if (!cmd) return;
      e.preventDefault();
      void runCommand(cmd, { phone, phoneStore, ui: callUi }).catch((err: unknown) => callUi.getState().fail('error.actionFailed', String(err)));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [phone, phoneStore, callUi]);
}
