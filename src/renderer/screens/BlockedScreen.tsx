import { useId } from 'react';
import { useAnnouncement, useFocusOnShow } from '../components/focus';
import { formatDateTime, formatTime } from '../i18n';
import type { ScreenProps } from './types';

export function BlockedScreen({ view, send, texts, display }: ScreenProps<'blocked'>) {
  const { t, locale } = texts;
  const ids = { title: useId() };
  // Internet only: the user may carry on once they have read it; focus waits on the button.
  const canContinue = view.scope === 'internet' && display === 'primary';
  const heading = useFocusOnShow<HTMLHeadingElement>();
  const button = useFocusOnShow<HTMLButtonElement>();
  const optOut = view.kind === 'parentalOptOut';
  const title = optOut
    ? t('blocked.heading.optOut')
    : view.scope === 'network'
      ? t('blocked.heading.network')
      : t('blocked.heading.internet');
  const logoff =
    view.secondsLeft !== undefined
      ? t('blocked.logoffIn', { count: Math.max(0, view.secondsLeft) })
      : view.logoffAt !== undefined
        ? t('blocked.logoffAt', { time: formatTime(view.logoffAt, locale) })
        : undefined;
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
        {!optOut && (
          <div>
            <dt>{t('blocked.why')}</dt>
            <dd>{view.reason}</dd>
          </div>
        )}
        <div>
          <dt>{t('blocked.until')}</dt>
          <dd>{view.until ? formatDateTime(view.until, locale) : t('blocked.untilLifted')}</dd>
        </div>
        <div>
          <dt>{t('blocked.whoToSee')}</dt>
          <dd>{view.contact}</dd>
        </div>
      </dl>
      {logoff && (
        <p className="lead lead-strong logoff" role="timer" aria-live="off">
          {logoff}
        </p>
      )}
      <p className="visually-hidden" aria-live="polite" aria-atomic="true">
        {spoken}
      </p>
      {canContinue && (
        <div className="actions">
          <button
            ref={button}
            type="button"
            className="button button-primary"
            onClick={() => send({ type: 'dismissNotice', notice: 'internet' })}
          >
            {t('blocked.continue')}
          </button>
        </div>
      )}
    </section>
  );
}
