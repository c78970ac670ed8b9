// Keys of the search box, as pure decisions (unit-tested): the shortcut that focuses it from anywhere,
// and what each key does inside it. Keys an input method editor is composing with are never ours.

export interface KeyLike {
  key: string;
  code?: string;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  isComposing?: boolean;
}

/** Shown to the agent and announced (aria-keyshortcuts). */
export const SEARCH_SHORTCUT = { label: 'Ctrl+K', aria: 'Control+K Meta+K /' } as const;

/** Ctrl+K (⌘K on a Mac) from anywhere; "/" when the agent is not typing in a field. */
export function isSearchShortcut(e: KeyLike, typingInField: boolean): boolean {
  if (e.isComposing) return false;
  if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && (e.code === 'KeyK' || e.key.toLowerCase() === 'k')) return true;
  return e.key === '/' && !e.ctrlKey && !e.metaKey && !e.altKey && !typingInField;
}

export type SearchKeyAction = { kind: 'move'; delta: number } | { kind: 'open' } | { kind: 'escape' };

/** What a key pressed in the search box does; undefined: the input's own behaviour (caret, typing, Alt shortcuts). */
export function searchKeyAction(e: KeyLike, pageRows: number): SearchKeyAction | undefined {
  if (e.isComposing || e.altKey || e.ctrlKey || e.metaKey) return undefined;
  switch (e.key) {
    case 'ArrowDown':
      return { kind: 'move', delta: 1 };
    case 'ArrowUp':
      return { kind: 'move', delta: -1 };
    case 'PageDown':
      return { kind: 'move', delta: pageRows };
    case 'PageUp':
      return { kind: 'move', delta: -pageRows };
    case 'Enter':
      return { kind: 'open' };
    case 'Escape':
      return { kind: 'escape' };
    default:
      return undefined;
  }
}
