/**
 * The lock windows (src/main/windows/lock-windows.ts) driven through the Electron stand-in,
 * which behaves as Electron 41's source says it does on Linux and Windows.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { standIn, type FakeWindow, type StandInDisplay } from '../support/electron-stand-in';
import type { View } from '../../src/shared/view';

vi.mock('electron', async () => (await import('../support/electron-stand-in')).standIn.module);

const { LockWindows } = await import('../../src/main/windows/lock-windows');
const { coverageProblems } = await import('../../src/main/windows/layout');
const { RendererRecovery, RELOAD_MEMORY_MS, HUNG_GRACE_MS } =
  await import('../../src/main/windows/renderer-recovery');
const { followCurrentDesktop } = await import('../../src/main/windows/virtual-desktops');
const { keyDecision } = await import('../../src/main/windows/keyboard-guard');

const user = { account: 'SCHOOL\\mjones', displayName: 'mjones', role: 'staff' as const };
const none: View = { screen: 'none', locale: 'en-GB', user };
const locked = {
  screen: 'locked',
  locale: 'en-GB',
  user,
  since: '2026-11-30T09:00:00Z',
  rules: [],
  methods: ['pin'],
} as unknown as View;

const laptop: StandInDisplay = {
  id: 1,
  bounds: { x: 0, y: 0, width: 1920, height: 1080 },
  scaleFactor: 1,
};
const projector: StandInDisplay = {
  id: 2,
  bounds: { x: 1920, y: 0, width: 1280, height: 720 },
  scaleFactor: 1,
};

let lw: InstanceType<typeof LockWindows>;
let logs: string[];

async function make(extra: Partial<ConstructorParameters<typeof LockWindows>[0]> = {}) {
  logs = [];
  lw = new LockWindows({
    preloadPath: '/app/preload.cjs',
    rendererIndex: '/app/renderer/index.html',
    allowDevTools: false,
    log: (m) => logs.push(m),
    settle: () => Promise.resolve(),
    watchMs: 3_600_000,
    ...extra,
  });
  lw.start();
  await lw.settled();
  return lw;
}

const covers = () =>
  standIn
    .live()
    .map((w) => ({ displayId: displayOf(w), bounds: w.getBounds(), visible: w.visible }));
/** The display each window was made for: its first load is for that display's role, its creation bounds that display. */
const madeFor = new Map<FakeWindow, number>();
const displayOf = (w: FakeWindow) => madeFor.get(w) ?? -1;
const recordMadeFor = () => {
  for (const w of standIn.live()) {
    if (madeFor.has(w)) continue;
    const o = w.opts as { x: number; y: number };
    const d = standIn.displays.find((x) => x.bounds.x === o.x && x.bounds.y === o.y);
    madeFor.set(w, d?.id ?? -1);
  }
};
/** Full-screen changes asked of a window while it was hidden. */
const hiddenFullScreenCalls = () =>
  standIn.windows.flatMap((w) =>
    w.calls.filter((c) => c.call.startsWith('setFullScreen') && !c.visible),
  );

beforeEach(() => madeFor.clear());
afterEach(() => lw?.dispose());

describe('covers on Linux', () => {
  beforeEach(() => standIn.reset('linux', [laptop, projector]));

  it('are made hidden and stay hidden when the first View is none', async () => {
    await make();
    lw.present(none);
    await lw.settled();
    expect(standIn.live()).toHaveLength(2);
    expect(standIn.live().filter((w) => w.visible)).toEqual([]);
    expect(hiddenFullScreenCalls()).toEqual([]);
  });

  it('go full screen only once shown, one on each display, and hide again on unlock', async () => {
    await make();
    recordMadeFor();
    lw.present(locked);
    await lw.settled();
    expect(
      standIn.live().every((w) => w.visible && w.fullscreen && w.onTop === 'screen-saver'),
    ).toBe(true);
    expect(standIn.live().every((w) => w.allWorkspaces)).toBe(true);
    expect(coverageProblems(standIn.displays, covers())).toEqual([]);
    expect(lw.problems()).toEqual([]);
    lw.present(none);
    await lw.settled();
    expect(standIn.live().some((w) => w.visible)).toBe(false);
    expect(hiddenFullScreenCalls()).toEqual([]);
  });

  it('a resolution change while unlocked shows nothing', async () => {
    await make();
    lw.present(locked);
    await lw.settled();
    lw.present(none);
    await lw.settled();
    standIn.setDisplays([
      { ...laptop, bounds: { ...laptop.bounds, width: 1366, height: 768 } },
      {
        ...projector,
        bounds: { ...projector.bounds, x: 1366 },
      },
    ]);
    await lw.settled();
    expect(standIn.live().some((w) => w.visible)).toBe(false);
    expect(hiddenFullScreenCalls()).toEqual([]);
  });

  it('a projector plugged in while locked gets its own cover at once', async () => {
    standIn.reset('linux', [laptop]);
    await make();
    recordMadeFor();
    lw.present(locked);
    await lw.settled();
    standIn.setDisplays([laptop, projector], 'display-added');
    await lw.settled();
    recordMadeFor();
    expect(standIn.live()).toHaveLength(2);
    expect(coverageProblems(standIn.displays, covers())).toEqual([]);
  });

  it('takes focus back when another program takes it while locked', async () => {
    await make({ foregroundRoute: (w) => ((w as unknown as FakeWindow).takeFocus(), true) });
    lw.present(locked);
    await lw.settled();
    expect(lw.hasFocus()).toBe(true);
    standIn.focusElsewhere();
    await new Promise((r) => setTimeout(r, 5));
    await lw.settled();
    await vi.waitFor(() => expect(lw.hasFocus()).toBe(true));
  });

  it('asks again until a slow window manager gives the focus, and says how many tries it took', async () => {
    standIn.refuseFirstFocusRequests = 3;
    await make();
    lw.present(locked);
    await lw.settled();
    expect(lw.hasFocus()).toBe(true);
    expect(lw.focusResult()).toMatchObject({ focused: true });
    // Three refusals, then the fourth request got it.
    expect(standIn.focusRequests).toBe(4);
  });
});

describe('a window manager that will not move a cover', () => {
  it('is asked a bounded number of times, then the log says so, instead of flickering forever', async () => {
    standIn.reset('linux', [laptop, projector]);
    await make({ watchMs: 2 });
    lw.present(locked);
    await lw.settled();
    standIn.live()[1]!.pinned = true;
    // The projector is moved in the display settings; its cover cannot follow.
    standIn.setDisplays([laptop, { ...projector, bounds: { ...projector.bounds, x: 5000 } }]);
    await vi.waitFor(() => expect(logs.some((l) => /not moving them again/.test(l))).toBe(true), {
      timeout: 5000,
    });
    // Some more checks go by: nothing more is tried.
    await new Promise((r) => setTimeout(r, 30));
    await lw.settled();
    const placed = logs.filter((l) => /display 2 could not be placed/.test(l));
    // Once for the display change, then at most three re-tries.
    expect(placed.length).toBeGreaterThan(1);
    expect(placed.length).toBeLessThanOrEqual(4);
    expect(logs.filter((l) => /not moving them again/.test(l))).toHaveLength(1);
    expect(lw.problems()).toEqual([
      'the cover for display 2 is off every screen',
      'display 2 has no cover',
    ]);
  });
});

describe('covers on Windows', () => {
  it('a display change after an unlock leaves no phantom cover', async () => {
    standIn.reset('win32', [laptop, projector]);
    await make();
    lw.present(locked);
    await lw.settled();
    lw.present(none);
    await lw.settled();
    standIn.setDisplays([
      laptop,
      { ...projector, bounds: { ...projector.bounds, width: 1920, height: 1080 } },
    ]);
    await lw.settled();
    expect(standIn.live().some((w) => w.visible)).toBe(false);
    // And the next lock still lands one cover per display, at the new size.
    lw.present(locked);
    await lw.settled();
    expect(lw.problems()).toEqual([]);
    expect(
      standIn
        .live()
        .map((w) => w.getBounds().width)
        .sort(),
    ).toEqual([1920, 1920]);
  });

  it('mixed-DPI screens: one cover per display, none stacked, none moved while full screen', async () => {
    // A high-DPI laptop as primary, two ordinary monitors: Electron 41 sizes each new
    // window with the laptop's DPI, so a naive cover spills over its neighbour.
    const hi = { id: 1, bounds: { x: 0, y: 0, width: 1280, height: 800 }, scaleFactor: 2 };
    const left = { id: 2, bounds: { x: 1280, y: 0, width: 1280, height: 1024 }, scaleFactor: 1 };
    const right = { id: 3, bounds: { x: 2560, y: 0, width: 1920, height: 1080 }, scaleFactor: 1 };
    standIn.reset('win32', [hi, left, right]);
    await make();
    recordMadeFor();
    lw.present(locked);
    await lw.settled();
    expect(lw.problems()).toEqual([]);
    expect(coverageProblems(standIn.displays, covers())).toEqual([]);
    // The projector changes scale while locked: leave, move, re-enter, in that order.
    standIn.setDisplays([hi, { ...left, scaleFactor: 1.5 }, right]);
    await lw.settled();
    expect(lw.problems()).toEqual([]);
    const movedWhileFullScreen = standIn.windows.flatMap((w) =>
      w.calls.filter((c) => c.call === 'setBounds' && c.fullscreen),
    );
    expect(movedWhileFullScreen).toEqual([]);
  });

  it('takes the keyboard under the foreground lock through the native route, after the plain request fails', async () => {
    standIn.reset('win32', [laptop]);
    standIn.foregroundLocked = true;
    let routed = 0;
    await make({
      foregroundRoute: (w) => {
        routed++;
        (w as unknown as FakeWindow).takeFocus();
        return true;
      },
    });
    lw.present(locked);
    await lw.settled();
    expect(lw.hasFocus()).toBe(true);
    expect(routed).toBe(1);
  });

  it('without a route that works, reports that the lock does not have the keyboard', async () => {
    standIn.reset('win32', [laptop]);
    standIn.foregroundLocked = true;
    await make();
    lw.present(locked);
    await lw.settled();
    expect(lw.hasFocus()).toBe(false);
    expect(lw.focusResult()).toMatchObject({ focused: false, abandoned: false });
    expect(logs.join('\n')).toMatch(/did not get the keyboard/);
  });
});

describe('a lock screen that stops', () => {
  it('is reloaded first, and its window replaced if it stops again soon after', async () => {
    standIn.reset('linux', [laptop]);
    let t = 0;
    await make({ now: () => t });
    lw.present(locked);
    await lw.settled();
    const first = standIn.live()[0]!;
    first.webContents.emit('render-process-gone', {}, { reason: 'crashed' });
    await lw.settled();
    expect(standIn.live()).toEqual([first]);
    expect(first.loads).toHaveLength(2);
    t += 10_000;
    first.webContents.emit('render-process-gone', {}, { reason: 'oom' });
    await lw.settled();
    const now = standIn.live();
    expect(now).toHaveLength(1);
    expect(now[0]).not.toBe(first);
    expect(now[0]!.visible && now[0]!.fullscreen).toBe(true);
  });

  it('a hang long after the last reload is reloaded again, not replaced', () => {
    let t = 0;
    const r = new RendererRecovery(() => t);
    expect(r.next()).toBe('reload');
    t += RELOAD_MEMORY_MS + 1;
    expect(r.next()).toBe('reload');
    t += 1000;
    expect(r.next()).toBe('recreate');
    expect(r.next()).toBe('reload');
  });
});

describe('a hung lock screen', () => {
  afterEach(() => vi.useRealTimers());

  it('is reloaded once it has been unresponsive past the grace period, not before', async () => {
    standIn.reset('linux', [laptop]);
    await make();
    lw.present(locked);
    await lw.settled();
    vi.useFakeTimers();
    const w = standIn.live()[0]!;
    w.webContents.emit('unresponsive');
    vi.advanceTimersByTime(HUNG_GRACE_MS - 1);
    w.webContents.emit('responsive');
    vi.advanceTimersByTime(HUNG_GRACE_MS);
    expect(w.webContents.crashes).toBe(0);
    w.webContents.emit('unresponsive');
    vi.advanceTimersByTime(HUNG_GRACE_MS);
    expect(w.webContents.crashes).toBe(1);
    expect(w.loads).toHaveLength(2);
  });
});

describe('virtual desktops (Windows)', () => {
  const win = (visible = true) => {
    standIn.reset('win32', [laptop]);
    const w = new (standIn.module.BrowserWindow as typeof FakeWindow)({ ...laptop.bounds });
    if (visible) w.showInactive();
    return w;
  };

  it('a pupil opening a new desktop finds the cover there: it is moved to the desktop in use', () => {
    const w = win();
    const onCurrent = new Set<unknown>();
    const moved = followCurrentDesktop([w as never], {
      isOnCurrent: (x) => onCurrent.has(x),
      moveToCurrent: (x) => (onCurrent.add(x), true),
    });
    expect(moved).toBe(1);
    expect(onCurrent.has(w)).toBe(true);
    expect(
      followCurrentDesktop([w as never], { isOnCurrent: () => true, moveToCurrent: () => false }),
    ).toBe(0);
  });

  it('when Windows will not move it, the cover is hidden and shown again, which brings it to the desktop in use', () => {
    const w = win();
    followCurrentDesktop([w as never], { isOnCurrent: () => false, moveToCurrent: () => false });
    expect(w.calls.map((c) => c.call).slice(-2)).toEqual(['hide', 'showInactive']);
    expect(w.visible).toBe(true);
  });

  it('leaves hidden covers, and covers Windows cannot judge, alone', () => {
    const hidden = win(false);
    expect(
      followCurrentDesktop([hidden as never], {
        isOnCurrent: () => false,
        moveToCurrent: () => false,
      }),
    ).toBe(0);
    expect(hidden.visible).toBe(false);
    const shown = win();
    expect(
      followCurrentDesktop([shown as never], {
        isOnCurrent: () => undefined,
        moveToCurrent: () => false,
      }),
    ).toBe(0);
  });
});

describe('keys while covered (the Windows keyboard guard)', () => {
  it('a PIN typed while another window has the foreground is dropped, and the lock takes focus back', async () => {
    standIn.reset('win32', [laptop, projector]);
    await make();
    lw.present(locked);
    await lw.settled();
    const ours = lw.nativeHandles();
    expect(ours.size).toBe(2);
    const chat = 999;
    expect(keyDecision({ covered: lw.isCovering(), foreground: chat, ours })).toEqual({
      swallow: true,
      refocus: true,
    });
    for (const h of ours) {
      expect(keyDecision({ covered: true, foreground: h, ours })).toEqual({
        swallow: false,
        refocus: false,
      });
    }
    standIn.focusElsewhere();
    lw.refocus();
    await vi.waitFor(() => expect(lw.hasFocus()).toBe(true));
  });

  it('nothing is dropped while the desktop is in use', async () => {
    standIn.reset('win32', [laptop]);
    await make();
    lw.present(none);
    await lw.settled();
    expect(
      keyDecision({ covered: lw.isCovering(), foreground: 999, ours: lw.nativeHandles() }),
    ).toEqual({ swallow: false, refocus: false });
  });
});
