/**
 * Which rows of a long table are on screen, and which pages to fetch for them. Browsers cap an
 * element's height (about 33 million px in Chromium), so past MAX_SCROLL_PX the scroll
 * position is mapped proportionally onto the rows instead of 1 px = 1 px.
 */

export const MAX_SCROLL_PX = 8_000_000;

export interface WindowInput {
  scrollTop: number;
  viewportHeight: number;
  rowHeight: number;
  totalRows: number;
  overscan?: number;
}

export interface VisibleWindow {
  /** First and one-past-last row index to render. */
  start: number;
  end: number;
  /** Height of the scrollable spacer. */
  spacerHeight: number;
  /** Top, in spacer px, at which row `start` is drawn. */
  offsetTop: number;
}

export function spacerHeightFor(totalRows: number, rowHeight: number): number {
  return Math.min(totalRows * rowHeight, MAX_SCROLL_PX);
}

export function visibleWindow({
  scrollTop,
  viewportHeight,
  rowHeight,
  totalRows,
  overscan = 5,
}: WindowInput): VisibleWindow {
  const spacerHeight = spacerHeightFor(totalRows, rowHeight);
  if (totalRows <= 0 || viewportHeight <= 0) return { start: 0, end: 0, spacerHeight, offsetTop: 0 };
  const visibleCount = Math.ceil(viewportHeight / rowHeight) + 1;
  const fullHeight = totalRows * rowHeight;
  let first: number;
  let firstTop: number;
  if (fullHeight <= MAX_SCROLL_PX) {
    first = Math.floor(scrollTop / rowHeight);
    firstTop = first * rowHeight;
  } else {
    // Scaled: the scroll fraction picks the (fractional) first row; rows are drawn from the
    // scroll top, so at the very end the last row's bottom meets the viewport's bottom.
    const maxScroll = Math.max(1, spacerHeight - viewportHeight);
    const fraction = Math.min(1, Math.max(0, scrollTop / maxScroll));
    const exact = fraction * Math.max(0, totalRows - viewportHeight / rowHeight);
    first = Math.floor(exact);
    firstTop = scrollTop - (exact - first) * rowHeight;
  }
  first = Math.min(Math.max(0, first), Math.max(0, totalRows - 1));
  const start = Math.max(0, first - overscan);
  const end = Math.min(totalRows, first + visibleCount + overscan);
  const offsetTop = firstTop - (first - start) * rowHeight;
  return { start, end, spacerHeight, offsetTop };
}

/** The scrollTop that puts `row` at the top of the viewport (inverse of visibleWindow). */
export function scrollTopForRow(row: number, viewportHeight: number, rowHeight: number, totalRows: number): number {
  const fullHeight = totalRows * rowHeight;
  if (fullHeight <= MAX_SCROLL_PX) return row * rowHeight;
  const maxScroll = Math.max(1, spacerHeightFor(totalRows, rowHeight) - viewportHeight);
  const span = Math.max(1, totalRows - viewportHeight / rowHeight);
  return Math.min(maxScroll, (row / span) * maxScroll);
}

/** Page indices (of `pageSize` rows) covering rows [start, end). */
export function pagesFor(start: number, end: number, pageSize: number): number[] {
  if (end <= start) return [];
  const pages: number[] = [];
  for (let p = Math.floor(start / pageSize); p <= Math.floor((end - 1) / pageSize); p++) pages.push(p);
  return pages;
}
