import { useState } from 'react';
import { useSessionState, useSettingsState } from './app-context';
import { needsSignIn } from './stores/session-store';
import { AccountForm } from './views/AccountForm';
import { CallAnnouncer, CallPanel } from './views/CallPanel';
import { Header } from './views/Header';
import { HeadsetPanel } from './views/HeadsetPanel';
import { PhoneSettings } from './views/PhoneSettings';
import { PopPanel } from './views/PopPanel';
import { ProblemBanner } from './views/ProblemBanner';
import { SessionBar } from './views/SessionBar';
import { SignIn } from './views/SignIn';

export function App() {
  const settings = useSettingsState((s) => s.settings);
  const [editing, setEditing] = useState(false);
  const needsAccount = !!settings && !settings.account;
  const signIn = useSessionState((s) => needsSignIn(s.session));
  return (
    <div className="app">
      <Header onEditAccount={() => setEditing(true)} />
      <SessionBar />
      <ProblemBanner />
      <main className="workspace">
        {signIn ? (
          <SignIn />
        ) : needsAccount || editing ? (
          <AccountForm {...(editing ? { onDone: () => setEditing(false) } : {})} />
        ) : (
          <>
            <div className="column column-call">
              <CallPanel />
              <PhoneSettings />
              <HeadsetPanel />
            </div>
            <div className="column column-pop">
              <PopPanel />
            </div>
          </>
        )}
      </main>
      <CallAnnouncer />
    </div>
  );
}
