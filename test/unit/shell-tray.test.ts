import { describe, expect, it } from 'vitest';
import { readPolicyYamlFile } from '../../src/core/policy/policy-file';
import {
  DEFAULT_LOCK_NOW_ACCELERATOR,
  lockNowAccelerator,
} from '../../src/main/tray/lock-now-hotkey';
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
  lockNowAccelerator: 'CommandOrControl+Alt+L',
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
      accelerator: 'CommandOrControl+Alt+L',
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
      accelerator: 'CommandOrControl+Alt+H',
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

describe('the lock-now hotkey', () => {
  it('defaults to Ctrl+Alt+L, because Win+L belongs to the OS', () => {
    expect(lockNowAccelerator(undefined)).toBe('CommandOrControl+Alt+L');
  });

  it('takes a well-formed shortcut from the machine', () => {
    expect(lockNowAccelerator('Ctrl+Shift+F9')).toBe('Ctrl+Shift+F9');
    expect(lockNowAccelerator('Alt+Shift+K')).toBe('Alt+Shift+K');
  });

  it("falls back to the default for the OS's own keys, typos and bare keys", () => {
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
      expect(lockNowAccelerator(bad), bad).toBe(DEFAULT_LOCK_NOW_ACCELERATOR);
    }
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
