import { useEffect, useRef, useState } from 'react';

const FOCUSABLE = [
  'a[href]',
  'button:not([disabled])',
  'input:not([disabled]):not([type="hidden"])',
  'select:not([disabled])',
  'textarea:not([disabled])',
  '[tabindex]:not([tabindex="-1"])',
].join(',');

export function focusableIn(root: HTMLElement): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
    (el) => el.getClientRects().length > 0 && !el.closest('[inert]'),
  );
}

/**
 * Keeps keyboard focus inside `root`: Tab from the last control goes to the first, Shift+Tab
 * from the first to the last, and focus that lands anywhere else is brought back. The lock
 * window is full screen, so there is nothing behind it; this also stops focus wandering to
 * the window's own chrome.
 */
export function useFocusTrap(root: React.RefObject<HTMLElement | null>): void {
  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      const el = root.current;
      if (e.key !== 'Tab' || !el) return;
      const items = focusableIn(el);
      if (items.length === 0) {
        e.preventDefault();
        return;
      }
      const first = items[0]!;
      const last = items[items.length - 1]!;
      const active = document.activeElement;
      const inside = active instanceof HTMLElement && el.contains(active);
      if (e.shiftKey && (!inside || active === first)) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && (!inside || active === last)) {
        e.preventDefault();
        first.focus();
      }
    };
    const onFocusIn = (e: FocusEvent) => {
      const el = root.current;
      if (el && e.target instanceof Node && !el.contains(e.target)) focusableIn(el)[0]?.focus();
    };
    document.addEventListener('keydown', onKeyDown, true);
    document.addEventListener('focusin', onFocusIn, true);
    return () => {
      document.removeEventListener('keydown', onKeyDown, true);
      document.removeEventListener('focusin', onFocusIn, true);
    };
  }, [root]);
}

/** Moves focus to the element once when it appears (and again when `when` changes). */
export function useFocusOnShow<T extends HTMLElement>(when: unknown = true) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (when !== false) ref.current?.focus({ preventScroll: true });
  }, [when]);
  return ref;
}

/**
 * Text for a polite live region that changes only when `stableKey` does, so a value the
 * core refreshes every second is announced once, not every second.
 */
export function useAnnouncement(text: string, stableKey: string): string {
  const [said, setSaid] = useState({ key: stableKey, text });
  if (said.key !== stableKey) {
    setSaid({ key: stableKey, text });
    return text;
  }
  return said.text;
}
