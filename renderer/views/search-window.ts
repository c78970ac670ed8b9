// The windowing behind the virtualised results list: which rows to render for a scroll position, and
// where to scroll so a highlighted row is in view. Fixed row height; pure, so it is unit-tested.

export interface RowWindow {
  /** First row to render (inclusive). */
  start: number;
  /** Row after the last one to render (exclusive). */
  end: number;
}

/** The rows that intersect the viewport, plus `overscan` on each side, within [0, count). */
export function visibleRows(scrollTop: number, viewport: number, rowHeight: number, count: number, overscan = 4): RowWindow {
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const top = Math.max(0, scrollTop);
  const first = Math.min(count - 1, Math.floor(top / rowHeight));
  const last = Math.min(count - 1, Math.floor((top + Math.max(0, viewport) - 1) / rowHeight));
  return { start: Math.max(0, first - overscan), end: Math.min(count, Math.max(first, last) + 1 + overscan) };
}

/** The scrollTop that shows row `index` whole, moving as little as possible (unchanged when it is visible). */
export function revealRow(index: number, scrollTop: number, viewport: number, rowHeight: number): number {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewport) return Math.max(0, bottom - viewport);
  return scrollTop;
}

/** Rows one Page Up / Page Down moves: a viewport less one row of context. */
export function pageRows(viewport: number, rowHeight: number): number {
  return Math.max(1, Math.floor(viewport / rowHeight) - 1);
}
