import { useId } from 'react';
import { useAnnouncement, useFocusOnShow } from '../components/focus';
import { formatTime } from '../i18n';
import type { ScreenProps } from './types';

/**
 * The school day ends soon. Shown once, on every display, so nobody loses work to the
 * end-of-day sign-out; the primary display lets the user go back and save it.
 */
export function EndOfDayScreen({ view, send, texts, display }: ScreenProps<'endOfDay'>) {
  const { t, locale } = texts;
  const ids = { title: useId() };
  const heading = useFocusOnShow<HTMLHeadingElement>();
  const button = useFocusOnShow<HTMLButtonElement>();
  const minutes = Math.max(1, Math.ceil(view.secondsLeft / 60));
  const when = t('endOfDay.at', { time: formatTime(view.logoffAt, locale), count: minutes });
  const spoken = useAnnouncement(when, 'shown');

  return (
    <section className="panel panel-narrow panel-end-of-day" aria-labelledby={ids.title}>
      <h1 id={ids.title} ref={heading} tabIndex={-1}>
        {t('endOfDay.heading')}
      </h1>
      <p className="lead lead-strong" role="timer" aria-live="off">
        {when}
      </p>
      <p className="lead">{t('endOfDay.body')}</p>
      <p className="visually-hidden" aria-live="polite" aria-atomic="true">
        {spoken}
      </p>
      {display === 'primary' && (
        <div className="actions">
          <button
            ref={button}
            type="button"
            className="button button-primary"
            onClick={() => send({ type: 'dismissNotice', notice: 'endOfDay' })}
          >
            {t('endOfDay.continue')}
          </button>
        </div>
      )}
    </section>
  );
}
