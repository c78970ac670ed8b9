// What the desktop shell asks before quitting while saved work waits for delivery (the renderer's own
// warning covers signing out). The items stay in outbox.sqlite and go at the next start either way;
// the question is whether the agent wants to wait for them now. English and Simplified Chinese.
import type { OutboxStatus } from '../../../shared/outbox/desktop';

export interface QuitWarning {
  title: string;
  message: string;
  detail: string;
  /** [quit anyway, stay]: showMessageBox returns 0 to quit. */
  buttons: [string, string];
  defaultId: 1;
  cancelId: 1;
}

export function quitWarning(status: OutboxStatus, locale: string): QuitWarning | null {
  if (!status.signedIn || status.pending === 0) return null;
  const n = status.pending;
  if (locale.toLowerCase().startsWith('zh')) {
    return {
      title: '联络',
      message: `还有 ${n} 条已保存的记录尚未发送到服务器。`,
      detail: '它们会保留在这台电脑上，下次启动并登录后自动发送。现在退出吗？',
      buttons: ['仍然退出', '不退出'],
      defaultId: 1,
      cancelId: 1,
    };
  }
  return {
    title: 'Lianluo',
    message: n === 1 ? '1 saved item has not reached the server yet.' : `${n} saved items have not reached the server yet.`,
    detail: 'They stay on this computer and are sent by themselves the next time you start Lianluo and sign in. Quit now?',
    buttons: ['Quit anyway', 'Stay'],
    defaultId: 1,
    cancelId: 1,
  };
}
