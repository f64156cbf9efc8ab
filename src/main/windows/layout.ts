import type { Screen } from '../../shared/view';

export interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The part of Electron's `Display` the layout needs. */
export interface DisplayInfo {
  id: number;
  bounds: Bounds;
}

export type WindowRole = 'primary' | 'secondary';

export interface LayoutPlan {
  /** Displays that have no window yet. */
  create: { displayId: number; bounds: Bounds; role: WindowRole }[];
  /** Windows whose display has gone. */
  close: number[];
  /** Windows that stay, with their (possibly new) bounds and role. */
  keep: { displayId: number; bounds: Bounds; role: WindowRole }[];
}

/**
 * One window per display, the primary display's window drawing the full screen (agreement,
 * unlock box) and the others a plain cover. Run at start and on every display change: a
 * projector plugged in while locked gets its cover at once, an unplugged one loses its
 * window, and a changed resolution moves the window with it.
 */
export function planLayout(
  displays: readonly DisplayInfo[],
  primaryId: number,
  existing: readonly number[],
): LayoutPlan {
  const have = new Set(existing);
  const present = new Set(displays.map((d) => d.id));
  // With no primary reported (it happens for a moment while displays change), the first
  // display acts as primary so the unlock box is always somewhere.
  const primary = present.has(primaryId) ? primaryId : displays[0]?.id;
  const plan: LayoutPlan = { create: [], close: [], keep: [] };
  for (const d of displays) {
    const entry = {
      displayId: d.id,
      bounds: { ...d.bounds },
      role: (d.id === primary ? 'primary' : 'secondary') as WindowRole,
    };
    (have.has(d.id) ? plan.keep : plan.create).push(entry);
  }
  plan.close = existing.filter((id) => !present.has(id));
  return plan;
}

/** The renderer page each window loads: the primary gets the full screen. */
export function rendererQuery(role: WindowRole): Record<string, string> {
  return role === 'primary' ? {} : { display: 'secondary' };
}

/** Windows are shown whenever the View covers the desktop; 'none' hides them all. */
export function windowsVisibleFor(screen: Screen): boolean {
  return screen !== 'none';
}
