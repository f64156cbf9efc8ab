/**
 * A stand-in for the parts of Electron 41 the shell uses, behaving the way Electron's own
 * source says it does on each OS (shell/browser/native_window_views.cc), so the shell's
 * window code can be run here, where the binary cannot:
 *
 * - setFullScreen(true) on a hidden window shows it (Linux); setFullScreen(false) on a
 *   hidden full-screen window shows it (Windows); kiosk is full screen.
 * - a window made with `fullscreen` or `kiosk` goes full screen as it is made.
 * - full screen fills the display the window overlaps most.
 * - Windows: a new window is sized with the primary display's DPI, and a setBounds onto a
 *   display of another DPI is first sized with the old one (Electron 41; fixed in 42).
 * - setBounds on a full-screen window changes nothing on screen.
 * - focus() is refused while `foregroundLocked` (Windows' foreground lock, GNOME's focus
 *   stealing prevention); a native route can take it anyway.
 *
 * Use with `vi.mock('electron', () => standIn.module)`; call `standIn.reset()` between tests.
 */
import { EventEmitter } from 'node:events';

export interface StandInBounds {
  x: number;
  y: number;
  width: number;
  height: number;
}
export interface StandInDisplay {
  id: number;
  bounds: StandInBounds;
  scaleFactor: number;
}

function overlap(a: StandInBounds, b: StandInBounds): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

class FakeWebContents extends EventEmitter {
  sent: [string, unknown][] = [];
  crashed = false;
  crashes = 0;
  constructor(readonly owner: FakeWindow) {
    super();
  }
  isDestroyed() {
    return this.owner.destroyed;
  }
  send(channel: string, value: unknown) {
    this.sent.push([channel, value]);
  }
  isCrashed() {
    return this.crashed;
  }
  forcefullyCrashRenderer() {
    this.crashed = true;
    this.crashes++;
  }
  setWindowOpenHandler() {}
  closeDevTools() {}
}

let nextId = 1;

export class FakeWindow extends EventEmitter {
  readonly id = nextId++;
  visible = false;
  destroyed = false;
  fullscreen = false;
  focused = false;
  onTop: string | null = null;
  allWorkspaces = false;
  /** A window the window manager will not move or resize (it keeps its bounds). */
  pinned = false;
  bounds: StandInBounds;
  /** Everything done to the window, in order, with whether it was visible at the time. */
  readonly calls: { call: string; visible: boolean; fullscreen: boolean }[] = [];
  readonly loads: string[] = [];
  readonly webContents: FakeWebContents;

  constructor(readonly opts: Record<string, unknown>) {
    super();
    const o = opts as Partial<StandInBounds> & { fullscreen?: boolean; kiosk?: boolean };
    const wanted = { x: o.x ?? 0, y: o.y ?? 0, width: o.width ?? 800, height: o.height ?? 600 };
    this.bounds = standIn.platform === 'win32' ? standIn.createdSize(wanted) : wanted;
    this.webContents = new FakeWebContents(this);
    standIn.windows.push(this);
    standIn.app.emit('web-contents-created', {}, this.webContents);
    if (opts.fullscreen || opts.kiosk) this.setFullScreen(true);
  }

  private note(call: string) {
    this.calls.push({ call, visible: this.visible, fullscreen: this.fullscreen });
  }

  loadFile(file: string, o?: { query?: Record<string, string> }) {
    const q = new URLSearchParams(o?.query ?? {}).toString();
    this.loads.push(`file://${file}${q ? `?${q}` : ''}`);
    this.webContents.crashed = false;
    return Promise.resolve();
  }
  setMenu() {}
  setAlwaysOnTop(flag: boolean, level = 'floating') {
    this.note(`setAlwaysOnTop(${flag})`);
    this.onTop = flag ? level : null;
  }
  isAlwaysOnTop() {
    return this.onTop !== null;
  }
  setVisibleOnAllWorkspaces(flag: boolean) {
    this.allWorkspaces = flag;
  }
  moveTop() {}
  show() {
    this.note('show');
    this.visible = true;
    this.tryFocus();
  }
  showInactive() {
    this.note('showInactive');
    this.visible = true;
  }
  hide() {
    this.note('hide');
    this.visible = false;
    if (this.focused) this.blurTo(null);
  }
  focus() {
    this.note('focus');
    this.tryFocus();
  }
  private tryFocus() {
    if (!this.visible || this.destroyed) return;
    standIn.focusRequests++;
    if (standIn.foregroundLocked || standIn.focusRequests <= standIn.refuseFirstFocusRequests)
      return;
    this.takeFocus();
  }
  /** What a native foreground route achieves despite the lock. */
  takeFocus() {
    for (const w of standIn.windows) if (w !== this && w.focused) w.blurTo(this);
    this.focused = true;
    standIn.focusedOther = false;
  }
  blurTo(_next: FakeWindow | null) {
    this.focused = false;
    this.emit('blur');
  }
  isFocused() {
    return this.focused;
  }
  isVisible() {
    return this.visible;
  }
  isDestroyed() {
    return this.destroyed;
  }
  isFullScreen() {
    return this.fullscreen;
  }
  isKiosk() {
    return this.fullscreen;
  }
  setKiosk(flag: boolean) {
    this.setFullScreen(flag);
  }
  setFullScreen(flag: boolean) {
    this.note(`setFullScreen(${flag})`);
    if (this.pinned) {
      if (this.visible) this.fullscreen = flag;
      return;
    }
    const leaving = this.fullscreen && !flag;
    if (standIn.platform === 'win32') {
      this.fullscreen = flag;
      if (flag) this.bounds = { ...standIn.nearestDisplay(this.bounds).bounds };
      else this.bounds = { ...this.restore };
      if (leaving && !this.visible) this.visible = true;
      return;
    }
    if (this.visible) {
      this.fullscreen = flag;
      if (flag) this.bounds = { ...standIn.nearestDisplay(this.bounds).bounds };
      else if (leaving) this.bounds = { ...this.restore };
    } else if (flag) {
      // native_widget_private()->Show(kFullscreen): the window appears.
      this.visible = true;
      this.fullscreen = true;
      this.bounds = { ...standIn.nearestDisplay(this.bounds).bounds };
    }
  }
  private restore: StandInBounds = { x: 0, y: 0, width: 800, height: 600 };
  setBounds(b: StandInBounds) {
    this.note('setBounds');
    if (this.pinned) return;
    if (this.fullscreen) {
      this.restore = { ...b };
      return;
    }
    this.restore = { ...b };
    if (standIn.platform === 'win32') {
      const from = standIn.nearestDisplay(this.bounds).scaleFactor;
      const to = standIn.nearestDisplay(b).scaleFactor;
      if (from !== to) {
        // Sized with the DPI of the monitor it is leaving.
        this.bounds = {
          x: b.x,
          y: b.y,
          width: Math.round((b.width * from) / to),
          height: Math.round((b.height * from) / to),
        };
        return;
      }
    }
    this.bounds = { ...b };
  }
  getBounds() {
    return { ...this.bounds };
  }
  getNativeWindowHandle() {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(this.id));
    return b;
  }
  destroy() {
    this.destroyed = true;
    this.visible = false;
    this.focused = false;
  }
  close() {
    const e = {
      defaultPrevented: false,
      preventDefault() {
        this.defaultPrevented = true;
      },
    };
    this.emit('close', e);
    if (!e.defaultPrevented) this.destroy();
  }
  static getFocusedWindow() {
    return standIn.windows.find((w) => w.focused && !w.destroyed) ?? null;
  }
  static getAllWindows() {
    return standIn.windows.filter((w) => !w.destroyed);
  }
}

const screen = Object.assign(new EventEmitter(), {
  getAllDisplays: () => standIn.displays.map((d) => ({ ...d, bounds: { ...d.bounds } })),
  getPrimaryDisplay: () =>
    standIn.displays.find((d) => d.id === standIn.primaryId) ?? standIn.displays[0],
  getDisplayMatching: (b: StandInBounds) => standIn.nearestDisplay(b),
});

export const standIn = {
  platform: 'linux' as 'linux' | 'win32',
  displays: [] as StandInDisplay[],
  primaryId: 1,
  windows: [] as FakeWindow[],
  foregroundLocked: false,
  /** Focus requests refused before one succeeds (a slow window manager). */
  refuseFirstFocusRequests: 0,
  focusRequests: 0,
  /** Another program has the keyboard. */
  focusedOther: false,
  app: new EventEmitter(),
  screen,
  nearestDisplay(b: StandInBounds): StandInDisplay {
    let best = this.displays[0]!;
    let area = -1;
    for (const d of this.displays) {
      const a = overlap(d.bounds, b);
      if (a > area) [best, area] = [d, a];
    }
    return best;
  },
  /** Electron 41 on Windows: a new window is sized with the primary display's DPI. */
  createdSize(b: StandInBounds): StandInBounds {
    const primary = this.displays.find((d) => d.id === this.primaryId)?.scaleFactor ?? 1;
    const target = this.nearestDisplay(b).scaleFactor;
    return {
      ...b,
      width: Math.round((b.width * primary) / target),
      height: Math.round((b.height * primary) / target),
    };
  },
  /** Displays change the way the OS announces it. */
  setDisplays(displays: StandInDisplay[], event = 'display-metrics-changed') {
    this.displays = displays;
    screen.emit(event);
  },
  /** Another program takes the keyboard (a click on the taskbar, Alt+Tab). */
  focusElsewhere() {
    for (const w of this.windows) if (w.focused) w.blurTo(null);
    this.focusedOther = true;
  },
  reset(platform: 'linux' | 'win32', displays: StandInDisplay[], primaryId = displays[0]!.id) {
    this.platform = platform;
    this.displays = displays;
    this.primaryId = primaryId;
    this.windows.length = 0;
    this.foregroundLocked = false;
    this.refuseFirstFocusRequests = 0;
    this.focusRequests = 0;
    this.focusedOther = false;
    screen.removeAllListeners();
    this.app.removeAllListeners();
  },
  live(): FakeWindow[] {
    return this.windows.filter((w) => !w.destroyed);
  },
  module: {} as Record<string, unknown>,
};

standIn.module = {
  BrowserWindow: FakeWindow,
  screen,
  app: standIn.app,
};
