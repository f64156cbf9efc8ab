import { ShellReportSchema } from '../../shared/service-protocol';
import type { IdleSourceStatus } from '../idle/idle-source';
import type { HotkeyResult } from '../tray/hotkeys';
import type { TrayPlan } from '../tray/tray-plan';

export type ShellReport = ReturnType<typeof ShellReportSchema.parse>;

/**
 * What the client can see and the machine service cannot, for the protocol's shellReport
 * message (the service audits it and shows it in `classlock-admin doctor`), the tray and
 * the log: whether an idle clock works, which shortcuts registered, whether a tray icon
 * shows, and each problem in words.
 */
export function buildShellReport(o: {
  idle?: IdleSourceStatus;
  hotkeys: readonly HotkeyResult[];
  tray?: TrayPlan;
  extra?: readonly string[];
}): ShellReport {
  const problems = [
    ...(o.idle && !o.idle.working ? [o.idle.detail] : []),
    ...o.hotkeys.flatMap((h) => (h.problem ? [h.problem] : [])),
    ...(o.tray?.control && o.tray.reason
      ? [`No tray icon: ${o.tray.reason}; the on-screen control is shown.`]
      : []),
    ...(o.extra ?? []),
  ].map((p) => p.slice(0, 300));
  return ShellReportSchema.parse({
    ...(o.idle ? { idleSource: o.idle.working ? 'ok' : 'unavailable' } : {}),
    hotkeys: o.hotkeys
      .slice(0, 8)
      .map((h) => ({ accelerator: h.accelerator.slice(0, 60), registered: h.registered })),
    ...(o.tray ? { tray: o.tray.control ? 'unavailable' : 'shown' } : {}),
    problems: problems.slice(0, 16),
  });
}
