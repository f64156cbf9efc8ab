import type { Bounds } from './layout';

/**
 * The part of Electron's BrowserWindow a cover uses. Kept as an interface so placement and
 * focus can be driven by a stand-in that behaves the way Electron 41 does on each OS.
 */
export interface CoverWindow {
  isDestroyed(): boolean;
  isVisible(): boolean;
  isFocused(): boolean;
  isFullScreen(): boolean;
  show(): void;
  showInactive(): void;
  hide(): void;
  focus(): void;
  moveTop(): void;
  getBounds(): Bounds;
  setBounds(bounds: Bounds): void;
  setFullScreen(flag: boolean): void;
  setAlwaysOnTop(flag: boolean, level?: 'screen-saver' | 'floating'): void;
  setVisibleOnAllWorkspaces(flag: boolean, options?: { visibleOnFullScreen?: boolean }): void;
  getNativeWindowHandle(): Buffer;
}

/** Waits for the window manager to act on a request (full screen on X11 is asynchronous). */
export type Settle = (ms: number) => Promise<void>;

export const realSettle: Settle = (ms) => new Promise((r) => setTimeout(r, ms));
