import { BrowserWindow, screen as electronScreen, type Display } from 'electron';
import type { Screen, View } from '../../shared/view';
import { mayCloseLockWindow, type CloseReason } from './close-policy';
import { placeCover } from './cover-placement';
import { realSettle, type CoverWindow, type Settle } from './cover-window';
import { ensureFocus, type FocusResult, type ForegroundRoute } from './focus-guard';
import {
  coverageProblems,
  planLayout,
  rendererQuery,
  windowsVisibleFor,
  type CoverState,
  type DisplayInfo,
  type WindowRole,
} from './layout';
import { hwndOf } from './native-koffi';
import { HUNG_GRACE_MS, RendererRecovery } from './renderer-recovery';
import { followCurrentDesktop, type VirtualDesktops } from './virtual-desktops';

export interface LockWindowsOptions {
  preloadPath: string;
  /** Absolute path of the renderer's index.html. */
  rendererIndex: string;
  allowDevTools: boolean;
  log: (message: string) => void;
  /** Told after displays were added or removed (the session may want to know). */
  onDisplaysChanged?: () => void;
  /** A stronger way to the foreground than focus() (Windows: win32-foreground.ts). */
  foregroundRoute?: ForegroundRoute;
  /** Follows Windows' virtual desktops while covered (win32-virtual-desktops.ts). */
  virtualDesktops?: VirtualDesktops;
  /** Waits for the window manager; tests pass one that does not wait. */
  settle?: Settle;
  /** How often a shown lock re-checks its covers, focus and desktop. */
  watchMs?: number;
  now?: () => number;
}

interface LockWindow {
  win: BrowserWindow;
  role: WindowRole;
  displayId: number;
  recovery: RendererRecovery;
  hung?: ReturnType<typeof setTimeout>;
}

const asCover = (w: BrowserWindow) => w as unknown as CoverWindow;
const MAX_REPLACE_TRIES = 3;

/**
 * One window per display, created hidden at start and kept painted (no background
 * throttling) so showing the lock costs one frame. They cover everything at the
 * screen-saver level when the View covers the desktop, and hide when it is 'none'.
 *
 * Windows are made without kiosk or full screen and enter full screen only once shown:
 * on Linux setting full screen on a hidden window shows it, and on Windows leaving it
 * does, so nothing here touches full screen on a hidden window. Each cover belongs to a
 * display by id and is checked to be on it after every show and display change.
 */
export class LockWindows {
  private readonly windows = new Map<number, LockWindow>();
  private screen: Screen = 'none';
  private quitting = false;
  private sessionEnding = false;
  private started = false;
  private work: Promise<void> = Promise.resolve();
  private watch: ReturnType<typeof setInterval> | undefined;
  private focusing: Promise<FocusResult> | undefined;
  private lastFocus: FocusResult | undefined;
  /** Re-placements tried since the covers were last right: bounded, so a refusing window manager cannot make them flicker forever. */
  private replaceTries = 0;
  private readonly settle: Settle;
  private readonly now: () => number;

  constructor(private readonly opts: LockWindowsOptions) {
    this.settle = opts.settle ?? realSettle;
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.relayout();
    const changed = () => {
      this.relayout();
      this.opts.onDisplaysChanged?.();
    };
    electronScreen.on('display-added', changed);
    electronScreen.on('display-removed', changed);
    electronScreen.on('display-metrics-changed', () => this.relayout());
  }

  /** The session's shell: show on every display, or hide them all. */
  present(view: View): void {
    const wasVisible = windowsVisibleFor(this.screen);
    this.screen = view.screen;
    // Countdowns push a View every second; only a change of visibility moves windows, so
    // focus is not yanked back to the primary display once a second.
    const visible = windowsVisibleFor(view.screen);
    if (visible === wasVisible) return;
    this.enqueue(() => (visible ? this.showAll() : this.hideAll()));
  }

  /** Resolves once every show, hide and re-layout asked for so far has been carried out. */
  settled(): Promise<void> {
    return this.work;
  }

  /** Classlock is quitting on its own account (after a logoff it ordered). */
  setQuitting(): void {
    this.quitting = true;
  }

  /** The OS is ending the session: let the windows go. */
  setSessionEnding(): void {
    this.sessionEnding = true;
  }

  /** Stops the periodic check (quit, tests). */
  dispose(): void {
    this.stopWatch();
    for (const w of this.windows.values()) clearTimeout(w.hung);
  }

  webContents(): Electron.WebContents[] {
    return [...this.windows.values()]
      .map((w) => w.win)
      .filter((w) => !w.isDestroyed())
      .map((w) => w.webContents);
  }

  /** The covers as they really are, for the self-test and the log. */
  covers(): CoverState[] {
    return [...this.windows.values()]
      .filter((w) => !w.win.isDestroyed())
      .map((w) => ({
        displayId: w.displayId,
        bounds: w.win.getBounds(),
        visible: w.win.isVisible(),
      }));
  }

  /** The last focus check after showing: did the unlock box really get the keyboard? */
  focusResult(): FocusResult | undefined {
    return this.lastFocus;
  }

  /** Whether one of the covers has the keyboard. */
  hasFocus(): boolean {
    const focused = BrowserWindow.getFocusedWindow();
    return [...this.windows.values()].some((w) => w.win === focused && w.win.isFocused());
  }

  /** Whether the covers are up (the View covers the desktop). */
  isCovering(): boolean {
    return windowsVisibleFor(this.screen);
  }

  /** The covers' native handles (HWNDs on Windows), for the keyboard guard. */
  nativeHandles(): Set<number> {
    const out = new Set<number>();
    for (const w of this.windows.values()) {
      if (!w.win.isDestroyed()) out.add(hwndOf(w.win.getNativeWindowHandle()));
    }
    return out;
  }

  /** Take the keyboard back if a cover does not have it (the keyboard guard saw a key go astray). */
  refocus(): void {
    if (windowsVisibleFor(this.screen) && !this.hasFocus()) void this.focusPrimary();
  }

  problems(): string[] {
    return coverageProblems(this.displays(), this.covers());
  }

  private enqueue(step: () => Promise<void> | void): void {
    this.work = this.work.then(step).catch((err: unknown) => {
      this.opts.log(`Arranging the Classlock windows failed: ${String(err)}`);
    });
  }

  private closeReason(): CloseReason {
    if (this.sessionEnding) return 'osSessionEnding';
    return this.quitting ? 'appQuitting' : 'user';
  }

  private displays(): DisplayInfo[] {
    return electronScreen.getAllDisplays().map((d: Display) => ({
      id: d.id,
      bounds: { ...d.bounds },
      scaleFactor: d.scaleFactor,
    }));
  }

  private relayout(): void {
    this.replaceTries = 0;
    this.enqueue(async () => {
      const displays = this.displays();
      const plan = planLayout(displays, electronScreen.getPrimaryDisplay().id, [
        ...this.windows.keys(),
      ]);
      for (const id of plan.close) {
        const w = this.windows.get(id);
        this.windows.delete(id);
        // The display has gone: this is not a user closing a lock, so destroy outright.
        if (w) this.destroy(w);
      }
      const covering = windowsVisibleFor(this.screen);
      for (const k of plan.keep) {
        const w = this.windows.get(k.displayId);
        if (!w) continue;
        if (w.role !== k.role) {
          w.role = k.role;
          void this.load(w.win, k.role);
        }
        const display = displays.find((d) => d.id === k.displayId);
        if (!display || w.win.isDestroyed()) continue;
        // A shown cover is placed by showAll below. A hidden one may be moved, but never
        // taken in or out of full screen (that would show it); a full-screen hidden one is
        // placed when it is next shown.
        if (!w.win.isVisible() && !w.win.isFullScreen()) w.win.setBounds(display.bounds);
      }
      for (const c of plan.create) {
        this.windows.set(c.displayId, this.create(c.displayId, c.bounds, c.role));
      }
      if (covering) await this.showAll();
    });
  }

  private create(displayId: number, bounds: DisplayInfo['bounds'], role: WindowRole): LockWindow {
    const win = new BrowserWindow({
      ...bounds,
      show: false,
      paintWhenInitiallyHidden: true,
      frame: false,
      // Never kiosk or fullscreen here: either would show the window at once on Linux.
      fullscreenable: true,
      resizable: false,
      movable: false,
      minimizable: false,
      maximizable: false,
      closable: false,
      skipTaskbar: true,
      alwaysOnTop: true,
      focusable: true,
      backgroundColor: '#1b2a3a',
      title: 'Classlock',
      webPreferences: {
        preload: this.opts.preloadPath,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        navigateOnDragDrop: false,
        spellcheck: false,
        backgroundThrottling: false,
        devTools: this.opts.allowDevTools,
        safeDialogs: true,
        disableDialogs: true,
      },
    });
    win.setAlwaysOnTop(true, 'screen-saver');
    win.setMenu(null);
    const entry: LockWindow = { win, role, displayId, recovery: new RendererRecovery(this.now) };

    win.on('close', (event) => {
      if (!mayCloseLockWindow(this.screen, this.closeReason())) {
        event.preventDefault();
        this.opts.log('Refused to close a Classlock window.');
      }
    });
    // Windows only: the user is logging off or the PC is shutting down.
    win.on('session-end', () => this.setSessionEnding());
    win.on('blur', () => this.takeFocusBack());
    win.webContents.on('unresponsive', () => {
      clearTimeout(entry.hung);
      entry.hung = setTimeout(() => this.recover(entry, 'stopped responding'), HUNG_GRACE_MS);
    });
    win.webContents.on('responsive', () => clearTimeout(entry.hung));
    win.webContents.on('render-process-gone', (_e, details) => {
      this.recover(entry, `stopped (${details.reason})`);
    });
    void this.load(win, role);
    return entry;
  }

  /** A page that hung or died: reload it, and if that did not last, make a new window. */
  private recover(entry: LockWindow, what: string): void {
    clearTimeout(entry.hung);
    if (entry.win.isDestroyed() || this.windows.get(entry.displayId) !== entry) return;
    const step = entry.recovery.next();
    this.opts.log(
      `A Classlock screen ${what}; ${step === 'reload' ? 'reloading it' : 'replacing its window'}.`,
    );
    if (step === 'reload') {
      const wc = entry.win.webContents;
      if (!wc.isCrashed()) wc.forcefullyCrashRenderer();
      void this.load(entry.win, entry.role);
      return;
    }
    this.enqueue(async () => {
      const displays = this.displays();
      const display = displays.find((d) => d.id === entry.displayId);
      this.windows.delete(entry.displayId);
      this.destroy(entry);
      if (!display) return;
      const fresh = this.create(display.id, display.bounds, entry.role);
      this.windows.set(display.id, fresh);
      if (windowsVisibleFor(this.screen)) await this.showAll();
    });
  }

  private destroy(w: LockWindow): void {
    clearTimeout(w.hung);
    if (!w.win.isDestroyed()) w.win.destroy();
  }

  private async load(win: BrowserWindow, role: WindowRole): Promise<void> {
    try {
      await win.loadFile(this.opts.rendererIndex, { query: rendererQuery(role) });
    } catch (err) {
      this.opts.log(`Could not load the Classlock screen: ${String(err)}`);
    }
  }

  private async place(w: LockWindow, display: DisplayInfo, displays: DisplayInfo[]) {
    const r = await placeCover(asCover(w.win), display, displays, this.settle);
    if (!r.ok && windowsVisibleFor(this.screen)) {
      this.opts.log(
        `The cover for display ${display.id} could not be placed on it (it is on ${r.on ?? 'no display'}).`,
      );
    }
  }

  private async showAll(): Promise<void> {
    if (!windowsVisibleFor(this.screen)) return;
    const displays = this.displays();
    for (const w of this.windows.values()) {
      const { win } = w;
      if (win.isDestroyed()) continue;
      const display = displays.find((d) => d.id === w.displayId);
      if (!win.isVisible()) {
        // Sized while hidden and windowed (safe), shown, and only then made full screen.
        if (display && !win.isFullScreen()) win.setBounds(display.bounds);
        win.showInactive();
      }
      win.setAlwaysOnTop(true, 'screen-saver');
      // Linux: on every workspace; Windows ignores this (virtual-desktops.ts follows instead).
      win.setVisibleOnAllWorkspaces(true, { visibleOnFullScreen: true });
      if (display) await this.place(w, display, displays);
      win.moveTop();
    }
    const problems = this.problems();
    if (problems.length) this.opts.log(`Covers: ${problems.join('; ')}.`);
    this.startWatch();
    this.lastFocus = await this.focusPrimary();
    if (!this.lastFocus.focused && !this.lastFocus.abandoned) {
      this.opts.log(
        `The lock did not get the keyboard after ${this.lastFocus.attempts} tries; still trying.`,
      );
    }
  }

  private hideAll(): void {
    this.stopWatch();
    for (const { win } of this.windows.values()) {
      if (!win.isDestroyed() && win.isVisible()) win.hide();
    }
  }

  private primary(): BrowserWindow | undefined {
    for (const w of this.windows.values()) {
      if (w.role === 'primary' && !w.win.isDestroyed()) return w.win;
    }
    return undefined;
  }

  /** One focus attempt at a time; a second caller waits for the running one. */
  private focusPrimary(): Promise<FocusResult> {
    const p = this.primary();
    if (!p) return Promise.resolve({ focused: false, attempts: 0, abandoned: true });
    if (!this.focusing) {
      this.focusing = ensureFocus(p, {
        ...(this.opts.foregroundRoute ? { route: this.opts.foregroundRoute } : {}),
        settle: this.settle,
        stillWanted: () => windowsVisibleFor(this.screen),
      }).finally(() => (this.focusing = undefined));
    }
    return this.focusing;
  }

  private startWatch(): void {
    if (this.watch) return;
    this.watch = setInterval(() => this.check(), this.opts.watchMs ?? 1000);
    this.watch.unref?.();
  }

  private stopWatch(): void {
    if (this.watch) clearInterval(this.watch);
    this.watch = undefined;
  }

  /**
   * Once a second while covered: every display still has its own cover (a display change
   * the OS did not announce), the covers are on the desktop the user is looking at, and
   * the keyboard is ours.
   */
  private check(): void {
    if (!windowsVisibleFor(this.screen)) return this.stopWatch();
    const covers = [...this.windows.values()].map((w) => asCover(w.win));
    if (this.opts.virtualDesktops) {
      const moved = followCurrentDesktop(covers, this.opts.virtualDesktops);
      if (moved) this.opts.log(`Moved ${moved} cover(s) to the virtual desktop in use.`);
    }
    const problems = this.problems();
    if (!problems.length) {
      this.replaceTries = 0;
      if (!this.hasFocus()) void this.focusPrimary();
      return;
    }
    if (this.replaceTries < MAX_REPLACE_TRIES) {
      this.replaceTries++;
      this.enqueue(() => this.showAll());
    } else if (this.replaceTries === MAX_REPLACE_TRIES) {
      this.replaceTries++;
      this.opts.log(
        `The covers are still wrong (${problems.join('; ')}); not moving them again until the displays change.`,
      );
    }
  }

  /**
   * While the lock is up, focus belongs to it. Moving between our own windows is allowed
   * (a click on a second display's cover); focus going anywhere else is taken back for the
   * primary window, where the unlock box is.
   */
  private takeFocusBack(): void {
    if (!windowsVisibleFor(this.screen)) return;
    setTimeout(() => {
      if (!windowsVisibleFor(this.screen)) return;
      if (!this.hasFocus()) void this.focusPrimary();
    }, 0);
  }
}
