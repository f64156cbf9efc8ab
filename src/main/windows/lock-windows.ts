import { BrowserWindow, screen as electronScreen, type Display } from 'electron';
import type { Screen, View } from '../../shared/view';
import { mayCloseLockWindow, type CloseReason } from './close-policy';
import {
  planLayout,
  rendererQuery,
  windowsVisibleFor,
  type Bounds,
  type WindowRole,
} from './layout';

export interface LockWindowsOptions {
  preloadPath: string;
  /** Absolute path of the renderer's index.html. */
  rendererIndex: string;
  allowDevTools: boolean;
  log: (message: string) => void;
  /** Told after displays were added or removed (the session may want to know). */
  onDisplaysChanged?: () => void;
}

interface LockWindow {
  win: BrowserWindow;
  role: WindowRole;
  bounds: Bounds;
}

/**
 * One window per display, created hidden at start and kept painted (no background
 * throttling) so showing the lock costs one frame. They cover everything at the
 * screen-saver level when the View covers the desktop, and hide when it is 'none'.
 */
export class LockWindows {
  private readonly windows = new Map<number, LockWindow>();
  private screen: Screen = 'none';
  private quitting = false;
  private sessionEnding = false;
  private started = false;

  constructor(private readonly opts: LockWindowsOptions) {}

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
    if (visible) this.showAll();
    else this.hideAll();
  }

  /** Classlock is quitting on its own account (after a logoff it ordered). */
  setQuitting(): void {
    this.quitting = true;
  }

  /** The OS is ending the session: let the windows go. */
  setSessionEnding(): void {
    this.sessionEnding = true;
  }

  webContents(): Electron.WebContents[] {
    return [...this.windows.values()]
      .map((w) => w.win)
      .filter((w) => !w.isDestroyed())
      .map((w) => w.webContents);
  }

  private closeReason(): CloseReason {
    if (this.sessionEnding) return 'osSessionEnding';
    return this.quitting ? 'appQuitting' : 'user';
  }

  private relayout(): void {
    const displays: Display[] = electronScreen.getAllDisplays();
    const plan = planLayout(
      displays.map((d) => ({ id: d.id, bounds: d.bounds })),
      electronScreen.getPrimaryDisplay().id,
      [...this.windows.keys()],
    );
    for (const id of plan.close) {
      const w = this.windows.get(id);
      this.windows.delete(id);
      // The display has gone: this is not a user closing a lock, so destroy outright.
      if (w && !w.win.isDestroyed()) w.win.destroy();
    }
    for (const k of plan.keep) {
      const w = this.windows.get(k.displayId);
      if (!w) continue;
      if (!sameBounds(w.bounds, k.bounds)) {
        w.bounds = k.bounds;
        this.place(w.win, k.bounds);
      }
      if (w.role !== k.role) {
        w.role = k.role;
        void this.load(w.win, k.role);
      }
    }
    for (const c of plan.create) {
      this.windows.set(c.displayId, {
        win: this.create(c.bounds, c.role),
        role: c.role,
        bounds: c.bounds,
      });
    }
    if (windowsVisibleFor(this.screen)) this.showAll();
  }

  private create(bounds: Bounds, role: WindowRole): BrowserWindow {
    const win = new BrowserWindow({
      ...bounds,
      show: false,
      paintWhenInitiallyHidden: true,
      frame: false,
      kiosk: true,
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
    win.setVisibleOnAllWorkspaces(true, { visibleOnFullScreen: true });
    win.setMenu(null);

    win.on('close', (event) => {
      if (!mayCloseLockWindow(this.screen, this.closeReason())) {
        event.preventDefault();
        this.opts.log('Refused to close a Classlock window.');
      }
    });
    // Windows only: the user is logging off or the PC is shutting down.
    win.on('session-end', () => this.setSessionEnding());
    win.on('blur', () => this.takeFocusBack());
    win.webContents.on('render-process-gone', (_e, details) => {
      this.opts.log(`A Classlock screen stopped (${details.reason}); reloading it.`);
      const entry = [...this.windows.values()].find((w) => w.win === win);
      if (entry && !win.isDestroyed()) void this.load(win, entry.role);
    });
    void this.load(win, role);
    return win;
  }

  private async load(win: BrowserWindow, role: WindowRole): Promise<void> {
    try {
      await win.loadFile(this.opts.rendererIndex, { query: rendererQuery(role) });
    } catch (err) {
      this.opts.log(`Could not load the Classlock screen: ${String(err)}`);
    }
  }

  private place(win: BrowserWindow, bounds: Bounds): void {
    if (win.isDestroyed()) return;
    // A full-screen window keeps its old size until it leaves full screen.
    const wasKiosk = win.isKiosk();
    if (wasKiosk) win.setKiosk(false);
    win.setBounds(bounds);
    if (wasKiosk) win.setKiosk(true);
  }

  private showAll(): void {
    for (const { win } of this.windows.values()) {
      if (win.isDestroyed()) continue;
      win.setAlwaysOnTop(true, 'screen-saver');
      if (!win.isVisible()) win.showInactive();
      win.moveTop();
    }
    this.primary()?.focus();
  }

  private hideAll(): void {
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

  /**
   * While the lock is up, focus belongs to it. Moving between our own windows is allowed
   * (a click on a second display's cover); focus going anywhere else is taken back for the
   * primary window, where the unlock box is.
   */
  private takeFocusBack(): void {
    if (!windowsVisibleFor(this.screen)) return;
    setTimeout(() => {
      if (!windowsVisibleFor(this.screen)) return;
      const focused = BrowserWindow.getFocusedWindow();
      const ours = [...this.windows.values()].some((w) => w.win === focused);
      if (!ours) {
        const p = this.primary();
        p?.moveTop();
        p?.focus();
      }
    }, 0);
  }
}

function sameBounds(a: Bounds, b: Bounds): boolean {
  return a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
}
