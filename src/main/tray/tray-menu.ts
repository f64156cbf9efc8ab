import { trayTexts } from '../../shared/tray-texts';
import type { View } from '../../shared/view';

/** One tray menu line, free of Electron so it can be checked in a test. */
export type TrayItem =
  | { kind: 'text'; label: string }
  | { kind: 'separator' }
  | { kind: 'submenu'; label: string; items: string[] }
  | {
      kind: 'action';
      label: string;
      action: 'lockNow' | 'hideScreen';
      accelerator?: string;
      enabled: boolean;
    };

export interface TrayState {
  view: View;
  /** e.g. "Policy 42 from https://policy.school.local/policy.json, checked 09:14". */
  policyStatus: string;
  /** Internet sanction in force, in words; absent when none. */
  restriction?: string;
  /** A sanction that could not be applied, in words for IT. */
  enforcementError?: string;
  rules: string[];
  lockNowAccelerator?: string;
  hideScreenAccelerator?: string;
  /** What does not work on this PC (a shortcut taken, no idle clock), in words for IT. */
  problems?: string[];
}

export function trayMenu(s: TrayState): TrayItem[] {
  const words = trayTexts(s.view.locale);
  const items: TrayItem[] = [
    {
      kind: 'text',
      label: words.signedIn(s.view.user.displayName, words.role[s.view.user.role]),
    },
    { kind: 'text', label: s.policyStatus },
  ];
  if (s.restriction) items.push({ kind: 'text', label: s.restriction });
  if (s.enforcementError) items.push({ kind: 'text', label: s.enforcementError });
  for (const p of s.problems ?? []) items.push({ kind: 'text', label: p });
  items.push({ kind: 'separator' });
  if (s.rules.length) items.push({ kind: 'submenu', label: words.rules, items: s.rules });
  items.push({
    kind: 'action',
    label: words.lockNow,
    action: 'lockNow',
    accelerator: s.lockNowAccelerator,
    // Locking something already covered means nothing; the item says so by greying out.
    enabled: s.view.screen === 'none',
  });
  // Pupils' safe button for anything upsetting; the core records the concern.
  if (s.view.user.role === 'pupil') {
    items.push({
      kind: 'action',
      label: words.hideScreen,
      action: 'hideScreen',
      accelerator: s.hideScreenAccelerator,
      enabled: s.view.screen === 'none' || s.view.screen === 'warning',
    });
  }
  return items;
}

/** The tooltip: one line, as Windows shows it on hover. */
export function trayTooltip(s: TrayState): string {
  const words = trayTexts(s.view.locale);
  return words.tooltip(s.view.user.displayName, words.role[s.view.user.role]);
}

/**
 * The policy's notices (the monitoring notice), each opening its screen: the shell adds
 * these to the menu and sends `{ type: 'showNotice', id }` when one is chosen.
 */
export interface TrayNoticeItem {
  kind: 'notice';
  label: string;
  noticeId: string;
  enabled: boolean;
}

export function trayNoticeItems(view: View): TrayNoticeItem[] {
  const notices = view.screen === 'none' ? (view.notices ?? []) : [];
  return notices.map((n) => ({ kind: 'notice', label: n.title, noticeId: n.id, enabled: true }));
}
