/**
 * Moving focus after an action whose control disappears (Run becomes Cancel, a card's Remove
 * button goes with its file, a screen changes): the focus lands on the next thing to use instead
 * of falling back to the page, and the view scrolls only as far as needed to show it.
 */

/** True when nothing has focus any more (the focused control was removed or disabled). */
export function focusIsLost(): boolean {
  const active = document.activeElement;
  return !active || active === document.body || active === document.documentElement;
}

/**
 * Focuses the element with this id after React has painted it, scrolling only as far as needed
 * to show it (`scroll: false`: not at all, where the view must stay as the user left it).
 */
export function focusById(id: string, opts: { onlyIfLost?: boolean; scroll?: boolean } = {}): void {
  // The element may appear a frame or two later (the state that renders it is still settling).
  let tries = 5;
  const attempt = () => {
    if (opts.onlyIfLost && !focusIsLost()) return;
    const el = document.getElementById(id);
    if (!el || (el as HTMLButtonElement).disabled) {
      if (--tries > 0) requestAnimationFrame(attempt);
      return;
    }
    el.focus({ preventScroll: true });
    if (opts.scroll !== false) el.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  };
  requestAnimationFrame(attempt);
}

/** Ids of the controls focus is moved to. */
export const FOCUS_IDS = {
  run: 'run-button',
  cancel: 'cancel-button',
  eventsCard: 'input-card-events',
  usersCard: 'input-card-users',
  dropZone: 'drop-zone',
} as const;
