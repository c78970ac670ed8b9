// The results list's windowing and keys: which rows are rendered for a scroll position, where the list
// scrolls to keep the highlighted row in view, the shortcut that focuses the box, and the keys inside it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSearchShortcut, searchKeyAction, type KeyLike } from '../../../renderer/views/search-keys';
import { pageRows, revealRow, visibleRows } from '../../../renderer/views/search-window';

const ROW = 40;

describe('visibleRows', () => {
  it('renders the rows in view plus an overscan on each side', () => {
    expect(visibleRows(0, 800, ROW, 300)).toEqual({ start: 0, end: 24 }); // 20 rows + 4 below
    expect(visibleRows(4000, 800, ROW, 300)).toEqual({ start: 96, end: 124 });
    expect(visibleRows(4020, 800, ROW, 300)).toEqual({ start: 96, end: 125 }); // half rows at both ends
    expect(visibleRows(99999, 800, ROW, 300)).toEqual({ start: 295, end: 300 });
    expect(visibleRows(0, 800, ROW, 3)).toEqual({ start: 0, end: 3 });
    expect(visibleRows(0, 800, ROW, 0)).toEqual({ start: 0, end: 0 });
  });

  it('always covers the viewport and never renders more than it plus the overscan (property)', () => {
    fc.assert(
      fc.property(fc.nat(500), fc.nat(20_000), fc.integer({ min: 1, max: 1200 }), (count, scroll, viewport) => {
        const { start, end } = visibleRows(scroll, viewport, ROW, count);
        expect(start).toBeGreaterThanOrEqual(0);
        expect(end).toBeLessThanOrEqual(count);
        expect(end - start).toBeLessThanOrEqual(Math.ceil(viewport / ROW) + 1 + 8);
        // every row intersecting [scroll, scroll + viewport) is rendered
        for (let i = 0; i < count; i++) {
          const visible = i * ROW < scroll + viewport && (i + 1) * ROW > scroll;
          if (visible) expect(i >= start && i < end, `row ${i}`).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('revealRow', () => {
  it('scrolls as little as needed to show a row whole', () => {
    expect(revealRow(5, 0, 800, ROW)).toBe(0); // already visible
    expect(revealRow(20, 0, 800, ROW)).toBe(40); // just below: scroll one row
    expect(revealRow(3, 400, 800, ROW)).toBe(120); // above: align to the top
    expect(revealRow(299, 0, 800, ROW)).toBe(299 * ROW + ROW - 800);
  });

  it('the revealed row is then fully inside the viewport (property)', () => {
    fc.assert(
      fc.property(fc.nat(499), fc.nat(20_000), fc.integer({ min: ROW, max: 1200 }), (i, scroll, viewport) => {
        const top = revealRow(i, scroll, viewport, ROW);
        expect(i * ROW).toBeGreaterThanOrEqual(top);
        expect((i + 1) * ROW).toBeLessThanOrEqual(top + viewport);
      }),
    );
  });

  it('a page is a viewport less one row of context', () => {
    expect(pageRows(800, ROW)).toBe(19);
    expect(pageRows(30, ROW)).toBe(1);
  });
});

const key = (k: Partial<KeyLike> & { key: string }): KeyLike => ({ altKey: false, ctrlKey: false, metaKey: false, shiftKey: false, ...k });

describe('keys', () => {
  it('Ctrl+K or ⌘K from anywhere, "/" only when not typing in a field', () => {
    expect(isSearchShortcut(key({ key: 'k', code: 'KeyK', ctrlKey: true }), true)).toBe(true);
    expect(isSearchShortcut(key({ key: 'k', code: 'KeyK', metaKey: true }), false)).toBe(true);
    expect(isSearchShortcut(key({ key: 'л', code: 'KeyK', ctrlKey: true }), false)).toBe(true); // any layout
    expect(isSearchShortcut(key({ key: '/' }), false)).toBe(true);
    expect(isSearchShortcut(key({ key: '/' }), true)).toBe(false);
    expect(isSearchShortcut(key({ key: 'k', code: 'KeyK', ctrlKey: true, altKey: true }), false)).toBe(false);
    expect(isSearchShortcut(key({ key: 'a', code: 'KeyA', altKey: true }), false)).toBe(false); // Alt+A answers a call
    expect(isSearchShortcut(key({ key: 'k', code: 'KeyK', ctrlKey: true, isComposing: true }), false)).toBe(false);
  });

  it('arrows move, pages move by a page, Enter opens, Esc steps back; the rest is the input’s', () => {
    expect(searchKeyAction(key({ key: 'ArrowDown' }), 19)).toEqual({ kind: 'move', delta: 1 });
    expect(searchKeyAction(key({ key: 'ArrowUp' }), 19)).toEqual({ kind: 'move', delta: -1 });
    expect(searchKeyAction(key({ key: 'PageDown' }), 19)).toEqual({ kind: 'move', delta: 19 });
    expect(searchKeyAction(key({ key: 'PageUp' }), 19)).toEqual({ kind: 'move', delta: -19 });
    expect(searchKeyAction(key({ key: 'Enter' }), 19)).toEqual({ kind: 'open' });
    expect(searchKeyAction(key({ key: 'Escape' }), 19)).toEqual({ kind: 'escape' });
    expect(searchKeyAction(key({ key: 'a' }), 19)).toBeUndefined();
    expect(searchKeyAction(key({ key: 'Home' }), 19)).toBeUndefined();
    expect(searchKeyAction(key({ key: 'Enter', isComposing: true }), 19)).toBeUndefined(); // the IME picks a word
    expect(searchKeyAction(key({ key: 'a', altKey: true }), 19)).toBeUndefined();
  });
});
