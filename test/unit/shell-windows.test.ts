import { describe, expect, it } from 'vitest';
import { mayCloseLockWindow } from '../../src/main/windows/close-policy';
import { planLayout, rendererQuery, windowsVisibleFor } from '../../src/main/windows/layout';
import type { Screen } from '../../src/shared/view';

const laptop = { id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 } };
const projector = { id: 2, bounds: { x: 1920, y: 0, width: 1280, height: 720 } };

describe('one lock window per display', () => {
  it('at start creates a window on every display, the primary one drawing the full screen', () => {
    const plan = planLayout([laptop, projector], 1, []);
    expect(plan.create).toEqual([
      { displayId: 1, bounds: laptop.bounds, role: 'primary' },
      { displayId: 2, bounds: projector.bounds, role: 'secondary' },
    ]);
    expect(plan.close).toEqual([]);
    expect(rendererQuery('secondary')).toEqual({ display: 'secondary' });
    expect(rendererQuery('primary')).toEqual({});
  });

  it('a projector plugged in while locked gets its own cover', () => {
    const plan = planLayout([laptop, projector], 1, [1]);
    expect(plan.create.map((c) => c.displayId)).toEqual([2]);
    expect(plan.keep.map((k) => k.displayId)).toEqual([1]);
  });

  it('an unplugged display loses its window; the rest stay', () => {
    const plan = planLayout([laptop], 1, [1, 2]);
    expect(plan.close).toEqual([2]);
    expect(plan.create).toEqual([]);
    expect(plan.keep).toHaveLength(1);
  });

  it('when the primary display changes, the unlock box moves with it', () => {
    const plan = planLayout([laptop, projector], 2, [1, 2]);
    expect(plan.keep.find((k) => k.displayId === 2)?.role).toBe('primary');
    expect(plan.keep.find((k) => k.displayId === 1)?.role).toBe('secondary');
  });

  it('a changed resolution is carried to the window', () => {
    const bigger = { id: 1, bounds: { x: 0, y: 0, width: 2560, height: 1440 } };
    expect(planLayout([bigger], 1, [1]).keep[0]?.bounds).toEqual(bigger.bounds);
  });

  it('if no display is reported primary for a moment, the first display takes the unlock box', () => {
    const plan = planLayout([projector, laptop], 99, []);
    expect(plan.create.filter((c) => c.role === 'primary').map((c) => c.displayId)).toEqual([2]);
  });
});

describe('when the windows show, and when they may close', () => {
  const covering: Screen[] = [
    'agreement',
    'pinEnrol',
    'warning',
    'locked',
    'blocked',
    'loggingOff',
  ];

  it('shows the windows for every screen but none', () => {
    for (const s of covering) expect(windowsVisibleFor(s), s).toBe(true);
    expect(windowsVisibleFor('none')).toBe(false);
  });

  it('never closes at a user request, locked or not', () => {
    for (const s of [...covering, 'none' as const]) {
      expect(mayCloseLockWindow(s, 'user'), s).toBe(false);
    }
  });

  it("Classlock's own quit cannot take a lock, an agreement or a sanction notice down", () => {
    for (const s of ['agreement', 'pinEnrol', 'warning', 'locked', 'blocked'] as const) {
      expect(mayCloseLockWindow(s, 'appQuitting'), s).toBe(false);
    }
    expect(mayCloseLockWindow('none', 'appQuitting')).toBe(true);
    expect(mayCloseLockWindow('loggingOff', 'appQuitting')).toBe(true);
  });

  it('lets the windows go when the OS ends the session, so a logoff is never held up', () => {
    for (const s of covering) expect(mayCloseLockWindow(s, 'osSessionEnding'), s).toBe(true);
  });
});
