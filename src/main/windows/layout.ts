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
  /** DIP-to-pixel scale (1, 1.25, 1.5, 2...); absent means 1. */
  scaleFactor?: number;
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

function overlap(a: Bounds, b: Bounds): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * The display a window is on, as Windows and X11 decide it when a window goes full screen:
 * the one it overlaps most. A window overlapping none is on no display (undefined).
 */
export function displayUnder(displays: readonly DisplayInfo[], bounds: Bounds): number | undefined {
  let best: { id: number; area: number } | undefined;
  for (const d of displays) {
    const area = overlap(d.bounds, bounds);
    if (area > 0 && (!best || area > best.area)) best = { id: d.id, area };
  }
  return best?.id;
}

export function sameBounds(a: Bounds, b: Bounds): boolean {
  return a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
}

/** A cover as it really is: the display it was made for, where it is and whether it shows. */
export interface CoverState {
  displayId: number;
  bounds: Bounds;
  visible: boolean;
}

/**
 * What is wrong with the covers while the lock is up, in words for a log line and the
 * self-test: a display nobody covers, two covers stacked on one display, a cover on the
 * wrong display, or one that is not showing. Empty when every display has its own cover.
 */
export function coverageProblems(
  displays: readonly DisplayInfo[],
  covers: readonly CoverState[],
): string[] {
  const problems: string[] = [];
  const on = new Map<number, number[]>();
  for (const c of covers) {
    if (!c.visible) {
      problems.push(`the cover for display ${c.displayId} is not showing`);
      continue;
    }
    const under = displayUnder(displays, c.bounds);
    if (under === undefined) {
      problems.push(`the cover for display ${c.displayId} is off every screen`);
      continue;
    }
    if (under !== c.displayId) {
      problems.push(`the cover for display ${c.displayId} is on display ${under}`);
    }
    on.set(under, [...(on.get(under) ?? []), c.displayId]);
  }
  for (const d of displays) {
    const here = on.get(d.id) ?? [];
    if (here.length === 0) problems.push(`display ${d.id} has no cover`);
    if (here.length > 1) problems.push(`display ${d.id} has ${here.length} covers stacked on it`);
  }
  return problems;
}
