// Global hotkeys (configurable in the settings): Electron's globalShortcut, registered from the
// settings and re-registered when they change. An accelerator another application holds cannot be
// registered; that action simply has no global hotkey (reported back, never thrown).
import { HOTKEY_ACTIONS, type HotkeyAction, type Hotkeys } from '../../shared/domain/settings';

/** The part of Electron's globalShortcut this needs. */
export interface ShortcutRegistry {
  register(accelerator: string, callback: () => void): boolean;
  unregister(accelerator: string): void;
}

export class GlobalHotkeys {
  private registered: string[] = [];

  constructor(
    private readonly registry: ShortcutRegistry,
    private readonly onAction: (action: HotkeyAction) => void,
  ) {}

  /** Replace every hotkey of ours with these. Returns the actions whose accelerator could not be registered. */
  apply(hotkeys: Hotkeys): HotkeyAction[] {
    this.clear();
    const failed: HotkeyAction[] = [];
    const taken = new Set<string>();
    for (const action of HOTKEY_ACTIONS) {
      const acc = hotkeys[action];
      if (!acc) continue;
      const key = acc.toLowerCase();
      let ok = false;
      if (!taken.has(key)) {
        try {
          ok = this.registry.register(acc, () => this.onAction(action));
        } catch {
          ok = false;
        }
      }
      if (ok) {
        taken.add(key);
        this.registered.push(acc);
      } else failed.push(action);
    }
    return failed;
  }

  clear(): void {
    for (const acc of this.registered) this.registry.unregister(acc);
    this.registered = [];
  }
}
