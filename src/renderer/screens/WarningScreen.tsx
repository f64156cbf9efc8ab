import { useEffect, useId } from 'react';
import { useAnnouncement, useFocusOnShow } from '../components/focus';
import type { ScreenProps } from './types';

/** Marks controls whose own input must not count as "still here" (it would hide them). */
const KEEP = 'data-keep-warning';

/** Keys that move around the warning rather than answer it. */
const MOVING_KEYS = new Set(['Tab', 'Shift', 'ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight']);

export function WarningScreen({ view, send, texts, display }: ScreenProps<'warning'>) {
  const { t } = texts;
  const ids = { title: useId(), hideHint: useId() };
  const count = Math.max(0, view.secondsLeft);
  const stay = useFocusOnShow<HTMLButtonElement>();
  const canHide = view.canHideScreen && display === 'primary';
  // With the safety button on it, reaching for the button must not make the warning go:
  // moving the pointer or Tab is not an answer; a click, a tap or a key is.
  const holds = view.canHideScreen;
  const shortcut = view.hideScreen?.shortcut;

  // Any input in the window means someone is here. The OS idle counter sees it too; this
  // makes the answer immediate. Repeats within half a second are one piece of activity.
  useEffect(() => {
    let last = -Infinity;
    let lastPos: { x: number; y: number } | undefined;
    const kept = (e: Event) => e.target instanceof Element && e.target.closest(`[${KEEP}]`);
    const poke = (e: Event) => {
      if (kept(e)) return;
      const now = performance.now();
      if (now - last < 500) return;
      last = now;
      send({ type: 'activity' });
    };
    const onKey = (e: KeyboardEvent) => {
      if (holds && MOVING_KEYS.has(e.key)) return;
      poke(e);
    };
    const onMove = (e: MouseEvent) => {
      if (holds) return;
      const moved =
        e.movementX !== 0 ||
        e.movementY !== 0 ||
        (lastPos !== undefined && (lastPos.x !== e.clientX || lastPos.y !== e.clientY));
      lastPos = { x: e.clientX, y: e.clientY };
      if (moved) poke(e);
    };
    const events = ['pointerdown', 'wheel', 'touchstart'] as const;
    for (const name of events) window.addEventListener(name, poke, { passive: true });
    window.addEventListener('keydown', onKey, { passive: true });
    window.addEventListener('mousemove', onMove, { passive: true });
    return () => {
      for (const name of events) window.removeEventListener(name, poke);
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('mousemove', onMove);
    };
  }, [send, holds]);

  // Said when the warning appears, at each ten seconds and at five: not every second.
  const bucket = count <= 5 ? 'last' : String(Math.ceil(count / 10));
  const announcement = useAnnouncement(
    t(holds ? 'warning.announce.pupil' : 'warning.announce', { count }),
    bucket,
  );

  return (
    <section className="panel panel-narrow panel-warning" aria-labelledby={ids.title}>
      <h1 id={ids.title} className="countdown">
        {t('warning.heading', { count })}
      </h1>
      <p className="lead">{t('warning.lead')}</p>
      <p className="lead lead-strong">{t(holds ? 'warning.body.pupil' : 'warning.body')}</p>
      <p className="visually-hidden" aria-live="polite" aria-atomic="true">
        {announcement}
      </p>
      <div className="actions">
        <button
          ref={stay}
          type="button"
          className="button button-primary"
          onClick={() => send({ type: 'activity' })}
        >
          {t('warning.stay')}
        </button>
      </div>
      {canHide && (
        <div className="hide-screen" {...{ [KEEP]: '' }}>
          <button
            type="button"
            className="button button-calm"
            aria-describedby={ids.hideHint}
            onClick={() => send({ type: 'hideScreen' })}
          >
            {t('warning.hide')}
          </button>
          <p id={ids.hideHint} className="field-hint">
            {t('warning.hideHint')}
            {shortcut && <> {t('warning.hideShortcut', { shortcut })}</>}
          </p>
        </div>
      )}
    </section>
  );
}
