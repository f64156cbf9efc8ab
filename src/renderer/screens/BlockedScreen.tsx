import { useId } from 'react';
import { useAnnouncement, useFocusOnShow } from '../components/focus';
import { formatDateTime, formatTime, type Texts } from '../i18n';
import type { ScreenProps, ViewOf } from './types';

/** Above this, the time left is said in minutes: nobody counts down hundreds of seconds. */
const SECONDS_SHOWN_UP_TO = 90;

export function BlockedScreen({ view, send, texts, display }: ScreenProps<'blocked'>) {
  const { t, locale } = texts;
  const ids = { title: useId() };
  const primary = display === 'primary';
  // Internet only: the user may carry on once they have read it. A network sanction that
  // arrived mid-session leaves time to go back and save work. Focus waits on the button.
  const canContinue = view.scope === 'internet' && primary;
  const canGoBack = view.scope === 'network' && view.canGoBack === true && primary;
  const heading = useFocusOnShow<HTMLHeadingElement>();
  const button = useFocusOnShow<HTMLButtonElement>();
  const optOut = view.kind === 'parentalOptOut';
  const title = optOut
    ? t('blocked.heading.optOut')
    : view.scope === 'network'
      ? t('blocked.heading.network')
      : t('blocked.heading.internet');
  const logoff = logoffText(view, texts);
  const left = view.secondsLeft ?? 0;
  const spoken = useAnnouncement(logoff ?? '', left <= 10 ? 'last' : String(Math.ceil(left / 30)));

  return (
    <section
      className={`panel panel-narrow panel-blocked scope-${view.scope}`}
      aria-labelledby={ids.title}
    >
      <h1 id={ids.title} ref={heading} tabIndex={-1}>
        {title}
      </h1>
      {optOut && <p className="lead">{t('blocked.optOutBody')}</p>}
      {!optOut && view.scope === 'internet' && <p className="lead">{t('blocked.internetBody')}</p>}
      <dl className="facts">
        <div>
          <dt>{t('blocked.whoToSee')}</dt>
          <dd>{view.contact}</dd>
        </div>
        <div>
          <dt>{t('blocked.until')}</dt>
          <dd>{view.until ? formatDateTime(view.until, locale) : t('blocked.untilLifted')}</dd>
        </div>
      </dl>
      {/* IT's reason is for the pupil, not the room: shown only when they ask. */}
      {!optOut && (
        <details className="why">
          <summary>{t('blocked.why')}</summary>
          <p>{view.reason}</p>
        </details>
      )}
      {logoff && (
        <p className="lead lead-strong logoff" role="timer" aria-live="off">
          {logoff}
          {canGoBack && ` ${t('blocked.saveNow')}`}
        </p>
      )}
      <p className="visually-hidden" aria-live="polite" aria-atomic="true">
        {spoken}
      </p>
      {(canContinue || canGoBack) && (
        <div className="actions">
          <button
            ref={button}
            type="button"
            className="button button-primary"
            onClick={() =>
              send({ type: 'dismissNotice', notice: canGoBack ? 'network' : 'internet' })
            }
          >
            {canGoBack ? t('blocked.goBack') : t('blocked.continue')}
          </button>
        </div>
      )}
    </section>
  );
}

function logoffText(view: ViewOf<'blocked'>, { t, locale }: Texts): string | undefined {
  if (view.secondsLeft !== undefined) {
    const seconds = Math.max(0, view.secondsLeft);
    return seconds > SECONDS_SHOWN_UP_TO
      ? t('blocked.logoffInMinutes', { count: Math.ceil(seconds / 60) })
      : t('blocked.logoffIn', { count: seconds });
  }
  return view.logoffAt !== undefined
    ? t('blocked.logoffAt', { time: formatTime(view.logoffAt, locale) })
    : undefined;
}
