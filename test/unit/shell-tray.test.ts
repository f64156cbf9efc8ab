import { describe, expect, it } from 'vitest';
import { readPolicyYamlFile } from '../../src/core/policy/policy-file';
import {
  DEFAULT_HOTKEYS,
  chooseHotkey,
  hotkeyClashes,
  registerHotkeys,
} from '../../src/main/tray/hotkeys';
import { buildShellReport } from '../../src/main/self-test/shell-report';
import { trayPlan } from '../../src/main/tray/tray-plan';
import {
  controlActionFrom,
  controlBounds,
  controlButtons,
  controlPageHtml,
  controlPageUrl,
} from '../../src/main/tray/control-page';
import { ShellReportSchema } from '../../src/shared/service-protocol';
import { padlockBitmap } from '../../src/main/tray/tray-icon';
import { trayMenu, trayTooltip, type TrayState } from '../../src/main/tray/tray-menu';
import { deriveFacts } from '../../src/core/session/derive-facts';
import { parseUser } from '../../src/core/identity/user';
import type { View } from '../../src/shared/view';

const user = { account: 'SCHOOL\\mjones', displayName: 'mjones', role: 'staff' as const };
const desktop: View = { screen: 'none', locale: 'en-GB', user };

const state = (over: Partial<TrayState> = {}): TrayState => ({
  view: desktop,
  policyStatus: 'Policy 42 from 09:14; last check 09:15 ok',
  rules: ['Lock your screen when you leave it.'],
  lockNowAccelerator: 'Alt+Shift+L',
  hideScreenAccelerator: 'Alt+Shift+H',
  ...over,
});

describe('the tray menu', () => {
  it("shows who is signed in, the policy's state, the rules and Lock now", () => {
    const items = trayMenu(state());
    expect(items[0]).toEqual({ kind: 'text', label: 'Signed in: mjones (staff)' });
    expect(items[1]).toEqual({ kind: 'text', label: 'Policy 42 from 09:14; last check 09:15 ok' });
    expect(items).toContainEqual({
      kind: 'submenu',
      label: 'Rules',
      items: ['Lock your screen when you leave it.'],
    });
    expect(items.at(-1)).toEqual({
      kind: 'action',
      label: 'Lock now',
      action: 'lockNow',
      accelerator: 'Alt+Shift+L',
      enabled: true,
    });
    expect(trayTooltip(state())).toBe('Classlock: mjones (staff)');
  });

  it('gives pupils, and only pupils, "Hide the screen and tell a teacher"', () => {
    const pupil: View = { ...desktop, user: { ...user, role: 'pupil' } };
    const hide = trayMenu(state({ view: pupil })).find(
      (i) => i.kind === 'action' && i.action === 'hideScreen',
    );
    expect(hide).toMatchObject({
      label: 'Hide the screen and tell a teacher',
      enabled: true,
      accelerator: 'Alt+Shift+H',
    });
    expect(trayMenu(state()).some((i) => i.kind === 'action' && i.action === 'hideScreen')).toBe(
      false,
    );
  });

  it('tells IT when a sanction could not be enforced', () => {
    const labels = trayMenu(
      state({
        restriction: 'Access withdrawn: internet',
        enforcementError: 'Could not withdraw internet access',
      }),
    ).map((i) => ('label' in i ? i.label : ''));
    expect(labels).toContain('Access withdrawn: internet');
    expect(labels).toContain('Could not withdraw internet access');
  });

  it('greys out Lock now while the screen is already covered', () => {
    const locked = {
      ...desktop,
      screen: 'warning',
      lockAt: 0,
      secondsLeft: 5,
      canHideScreen: false,
    } as View;
    const last = trayMenu(state({ view: locked })).at(-1);
    expect(last?.kind === 'action' && last.enabled).toBe(false);
  });

  it("lists the rules of the user's own role from the policy", async () => {
    // The tray shows the session's own facts.rules, chosen by the core for role and locale.
    const policy = await readPolicyYamlFile('resources/default-policy.yaml');
    const rulesOf = (account: string, groups: string[]) =>
      deriveFacts({
        policy,
        user: parseUser(account),
        groups,
        hostname: 'LAB-01',
        locale: 'en-GB',
        acceptances: new Map(),
        hasPin: true,
        sanctions: { network: null, internet: null, active: [], nextChangeAt: null },
        now: 0,
        sessionStartedAt: 0,
      }).rules;
    const staff = rulesOf('mjones', ['Teaching Staff']);
    const pupil = rulesOf('y7.pupil', []);
    expect(staff.length).toBeGreaterThan(0);
    expect(pupil.length).toBeGreaterThan(0);
    expect(staff).not.toEqual(pupil);
  });
});

describe('the shortcuts', () => {
  it('default to keys that are not AltGr and that no common desktop uses', () => {
    expect(chooseHotkey('lockNow', undefined).accelerator).toBe(DEFAULT_HOTKEYS.lockNow);
    expect(chooseHotkey('hideScreen', undefined).accelerator).toBe(DEFAULT_HOTKEYS.hideScreen);
    for (const acc of Object.values(DEFAULT_HOTKEYS)) expect(hotkeyClashes(acc), acc).toEqual([]);
  });

  it('names what the old Ctrl+Alt+L default took from people', () => {
    const clashes = hotkeyClashes('CommandOrControl+Alt+L').join('\n');
    expect(clashes).toMatch(/AltGr/);
    expect(clashes).toMatch(/Cinnamon, Xfce, MATE/);
  });

  it('takes a well-formed shortcut from the machine config', () => {
    expect(chooseHotkey('lockNow', 'Ctrl+Shift+F9')).toEqual({ accelerator: 'Ctrl+Shift+F9' });
    expect(chooseHotkey('hideScreen', 'Alt+Shift+K')).toEqual({ accelerator: 'Alt+Shift+K' });
  });

  it("falls back to the default, saying why, for the OS's own keys, typos and bare keys", () => {
    for (const bad of [
      'Super+L',
      'Meta+l',
      'Alt+Tab',
      'L',
      'Ctrl+',
      'Ctrl+Alt',
      'Ctlr+L',
      'Ctrl+Alt+Delete',
    ]) {
      const c = chooseHotkey('lockNow', bad);
      expect(c.accelerator, bad).toBe(DEFAULT_HOTKEYS.lockNow);
      expect(c.problem, bad).toMatch(
        new RegExp(`"${bad.replace(/[+]/g, '\\+')}".*using Alt\\+Shift\\+L`),
      );
    }
  });

  it('a shortcut another program holds, or Electron cannot read, is reported, and the other still works', () => {
    const taken = new Set(['Alt+Shift+L']);
    const registered: string[] = [];
    const registry = {
      register: (acc: string) => {
        if (acc === 'Bad+Key') throw new Error('conversion failure');
        if (taken.has(acc)) return false;
        registered.push(acc);
        return true;
      },
    };
    const r = registerHotkeys(registry, [
      { name: 'lockNow', accelerator: 'Alt+Shift+L', action: () => undefined },
      { name: 'hideScreen', accelerator: 'Alt+Shift+H', action: () => undefined },
    ]);
    expect(r.map((x) => x.registered)).toEqual([false, true]);
    expect(r[0]!.problem).toMatch(
      /lock-now shortcut Alt\+Shift\+L does not work here: another program/,
    );
    expect(registered).toEqual(['Alt+Shift+H']);
    const odd = registerHotkeys(registry, [
      { name: 'lockNow', accelerator: 'Bad+Key', action: () => undefined },
    ]);
    expect(odd[0]!.problem).toMatch(/Electron refused it/);
    // ...and the tray says so.
    const labels = trayMenu(state({ problems: [r[0]!.problem!] })).map((i) =>
      'label' in i ? i.label : '',
    );
    expect(labels).toContain(r[0]!.problem);
  });
});

describe('where no tray icon can be seen', () => {
  it('Windows always has one; Linux only with a StatusNotifier host on the session bus', () => {
    expect(trayPlan({ platform: 'win32', statusNotifierHost: undefined })).toEqual({
      tray: true,
      control: false,
    });
    expect(trayPlan({ platform: 'linux', statusNotifierHost: true })).toEqual({
      tray: true,
      control: false,
    });
    expect(trayPlan({ platform: 'linux', statusNotifierHost: false })).toMatchObject({
      control: true,
      reason: expect.stringMatching(/GNOME/),
    });
    expect(trayPlan({ platform: 'linux', statusNotifierHost: undefined }).control).toBe(true);
    expect(
      trayPlan({ platform: 'win32', statusNotifierHost: undefined, trayFailed: true }),
    ).toMatchObject({ tray: false, control: true });
  });

  it('the on-screen control offers Lock now to all, and Hide the screen to pupils only', () => {
    expect(controlButtons('staff').map((b) => b.action)).toEqual(['lockNow']);
    expect(controlButtons('pupil').map((b) => b.action)).toEqual(['lockNow', 'hideScreen']);
    const html = controlPageHtml(controlButtons('pupil'));
    expect(html).toContain('href="#lock-now"');
    expect(html).toContain('Hide the screen and tell a teacher');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain("default-src 'none'");
  });

  it('acts only on its own two fragments', () => {
    const url = controlPageUrl(controlButtons('pupil'));
    expect(controlActionFrom(`${url}#lock-now`)).toBe('lockNow');
    expect(controlActionFrom(`${url}#hide-screen`)).toBe('hideScreen');
    expect(controlActionFrom(url)).toBeUndefined();
    expect(controlActionFrom(`${url}#logoff`)).toBeUndefined();
    expect(controlActionFrom('file:///etc/passwd#lock-now')).toBeUndefined();
    expect(controlActionFrom('https://evil.example/#lock-now')).toBeUndefined();
  });

  it('sits in the bottom-right corner of the work area, above the panel', () => {
    const b = controlBounds({ x: 0, y: 0, width: 1920, height: 1040 }, 2);
    expect(b.x + b.width).toBe(1912);
    expect(b.y + b.height).toBe(1032);
  });
});

describe("the shell's report to the machine service", () => {
  it('names what does not work on this PC, within the protocol limits', () => {
    const r = buildShellReport({
      idle: { source: 'none', working: false, detail: 'No idle clock works (x)' },
      hotkeys: [
        { name: 'lockNow', accelerator: 'Alt+Shift+L', registered: false, problem: 'taken' },
        { name: 'hideScreen', accelerator: 'Alt+Shift+H', registered: true },
      ],
      tray: { tray: true, control: true, reason: 'no host' },
    });
    expect(ShellReportSchema.safeParse(r).success).toBe(true);
    expect(r).toMatchObject({ idleSource: 'unavailable', tray: 'unavailable' });
    expect(r.problems).toEqual([
      'No idle clock works (x)',
      'taken',
      'No tray icon: no host; the on-screen control is shown.',
    ]);
    const long = buildShellReport({
      hotkeys: [],
      extra: Array.from({ length: 30 }, () => 'x'.repeat(500)),
    });
    expect(long.problems).toHaveLength(16);
    expect(long.problems!.every((p) => p.length <= 300)).toBe(true);
  });
});

describe('the tray icon', () => {
  it('is a 32×32 padlock: opaque body, a see-through keyhole and background', () => {
    const px = padlockBitmap(32);
    expect(px.length).toBe(32 * 32 * 4);
    const alpha = (x: number, y: number) => px[(y * 32 + x) * 4 + 3];
    expect(alpha(8, 20)).toBe(255); // body
    expect(alpha(16, 22)).toBe(0); // keyhole
    expect(alpha(1, 1)).toBe(0); // background
    expect(alpha(16, 6)).toBe(255); // top of the shackle
  });
});
