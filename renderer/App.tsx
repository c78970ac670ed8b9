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
import { TeamPanel } from './views/TeamPanel';
import { CallbacksPanel } from './views/CallbacksPanel';
import { WrapUpAttention } from './views/WrapUpAttention';
import { WrapUpPanel } from './views/WrapUpPanel';
import { WrapUpStatus } from './views/WrapUpStatus';

export function App() {
  const settings = useSettingsState((s) => s.settings);
  const [editing, setEditing] = useState(false);
  const needsAccount = !!settings && !settings.account;
  const signIn = useSessionState((s) => needsSignIn(s.session));
  return (
    <div className="app">
      <Header onEditAccount={() => setEditing(true)} />
      <SessionBar />
      <WrapUpStatus />
      <ProblemBanner />
      <main className="workspace">
        {signIn ? (
          <SignIn />
        ) : needsAccount || editing ? (
          <>
            <AccountForm {...(editing ? { onDone: () => setEditing(false) } : {})} />
            {/* A team lead without a phone of their own still watches the team. */}
            <TeamPanel />
          </>
        ) : (
          <>
            <div className="column column-call">
              <CallPanel />
              <WrapUpAttention />
              <TeamPanel />
              <CallbacksPanel />
              <PhoneSettings />
              <HeadsetPanel />
            </div>
            <div className="column column-pop">
              <PopPanel />
              <WrapUpPanel />
            </div>
          </>
        )}
      </main>
      <CallAnnouncer />
    </div>
  );
}
