import { useEffect, useId, useRef, useState } from 'react';
import type { Intent } from '../../shared/intents';
import { InlineError } from '../components/ErrorSummary';
import { useAnnouncement, useFocusOnShow } from '../components/focus';
import { formatTime } from '../i18n';
import type { ScreenProps, ViewOf } from './types';

type Method = ViewOf<'locked'>['methods'][number];

export function LockedScreen({ view, send, texts, display }: ScreenProps<'locked'>) {
  const { t, message, locale } = texts;
  const ids = { title: useId(), rules: useId(), unlock: useId() };
  // With one way to unlock (or none here), the heading takes focus: never a staff field in
  // front of a child. With several, the choice of method does (in the unlock box).
  const heading = useRef<HTMLHeadingElement>(null);
  const choosing = display === 'primary' && view.methods.length > 1;
  useEffect(() => {
    if (!choosing) heading.current?.focus({ preventScroll: true });
  }, [choosing]);
  const title =
    view.reason === 'concern'
      ? t('locked.heading.concern')
      : view.reason === 'visitorAuthorisation'
        ? t('locked.heading.visitor')
        : t('locked.heading');
  const body =
    view.reason === 'concern'
      ? t('locked.concernBody')
      : view.reason === 'visitorAuthorisation'
        ? t('locked.visitorBody')
        : view.unlockBy === 'staff'
          ? t('locked.askTeacher')
          : undefined;

  return (
    <section className={`panel panel-lock reason-${view.reason}`} aria-labelledby={ids.title}>
      <div className="lock-summary">
        {view.organisation && <p className="kicker">{view.organisation.name}</p>}
        <h1 id={ids.title} ref={heading} tabIndex={-1}>
          {title}
        </h1>
        <p className="lead">{t('locked.owner', { name: view.user.displayName })}</p>
        <p className="meta">{t('locked.since', { time: formatTime(view.since, locale) })}</p>
        {body && <p className="lead lead-strong">{body}</p>}
        {view.reason === 'concern' && (view.toldWho || view.safeguardingContact) && (
          <p className="lead">
            {view.toldWho
              ? t('locked.concernTold', { who: view.toldWho })
              : t('locked.concernContact', { contact: view.safeguardingContact! })}
          </p>
        )}
        {view.logoffAt !== undefined && (
          <p className="meta">
            {t(view.logoffReason === 'endOfDay' ? 'locked.logoffAt.endOfDay' : 'locked.logoffAt', {
              time: formatTime(view.logoffAt, locale),
            })}
          </p>
        )}
        {view.rules.length > 0 && view.reason !== 'concern' && (
          <>
            <h2 id={ids.rules} className="subheading">
              {t('locked.rulesTitle')}
            </h2>
            <ul className="rules" aria-labelledby={ids.rules}>
              {view.rules.map((rule) => (
                <li key={rule}>{rule}</li>
              ))}
            </ul>
          </>
        )}
      </div>
      {display === 'secondary' ? (
        <p className="lead lead-strong lock-secondary">{t('locked.secondary')}</p>
      ) : (
        <>
          {view.methods.length > 0 && (
            <UnlockBox
              view={view}
              send={send}
              t={t}
              locale={locale}
              message={view.message ? message(view.message) : undefined}
            />
          )}
          {/* No way to unlock here (the machine service is gone): say why instead. */}
          {view.methods.length === 0 && view.message && (
            <p className="lead lead-strong" role="alert">
              {message(view.message)}
            </p>
          )}
        </>
      )}
    </section>
  );
}

function UnlockBox({
  view,
  send,
  t,
  locale,
  message,
}: {
  view: ViewOf<'locked'>;
  send: (i: Intent) => void;
  t: ScreenProps<'locked'>['texts']['t'];
  locale: string;
  message: string | undefined;
}) {
  const ids = {
    title: useId(),
    user: useId(),
    userError: useId(),
    secret: useId(),
    secretError: useId(),
    message: useId(),
  };
  const [chosen, setChosen] = useState<Method>(view.methods[0]!);
  const [username, setUsername] = useState('');
  const [secret, setSecret] = useState('');
  /** Pressed with a box still empty: say which, beside it (no greyed-out buttons). */
  const [pressedEarly, setPressedEarly] = useState(false);
  // When the core offers another method (the directory is down), switch to it at once, so
  // the way forward is already in front of the user; the typed secret was for the old one.
  const [offered, setOffered] = useState(view.suggestedMethod);
  if (view.suggestedMethod !== offered) {
    setOffered(view.suggestedMethod);
    if (view.suggestedMethod) {
      setChosen(view.suggestedMethod);
      setSecret('');
    }
  }
  const method = view.methods.includes(chosen) ? chosen : view.methods[0]!;
  const forStaff = view.unlockBy === 'staff';
  const askUsername = forStaff || method === 'override';
  const firstChoice = useFocusOnShow<HTMLInputElement>(view.methods.length > 1);
  const itContact = view.organisation?.itContact;

  // The core refreshes the wait every second; a press during it sends nothing, and the
  // message above the buttons already says how long is left.
  const waiting = view.waitUntil !== undefined;
  const missingUser = askUsername && username.trim().length === 0;
  const missingSecret = secret.length === 0;
  const secretLabel = t(forStaff ? `locked.secret.staff.${method}` : `locked.secret.${method}`);
  const userError = pressedEarly && missingUser ? t('locked.missing.username') : undefined;
  const secretError =
    pressedEarly && missingSecret ? t('locked.missing.secret', { label: secretLabel }) : undefined;
  const ready = (): boolean => {
    if (waiting) return false;
    if (missingUser || missingSecret) {
      setPressedEarly(true);
      document.getElementById(missingUser ? ids.user : ids.secret)?.focus();
      return false;
    }
    setPressedEarly(false);
    return true;
  };
  // "It is already chosen" only while it is: the user may have picked another method since.
  const shown =
    message && view.suggestedMethod && method === view.suggestedMethod
      ? `${message} ${t('unlock.alreadyChosen')}`
      : message;
  // The wait is announced when it starts, not on each refresh; other messages each time.
  const spoken = useAnnouncement(
    shown ?? '',
    view.message?.key === 'unlock.wait' ? 'wait' : `${view.message?.key}:${view.failedAttempts}`,
  );

  const credentials = () => ({
    method,
    secret,
    ...(askUsername ? { username: username.trim() } : {}),
  });
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!ready()) return;
    send({ type: 'unlock', ...credentials() });
    setSecret('');
    // The answer may offer the same other method again: let it switch again.
    setOffered(undefined);
  };
  const endSession = () => {
    if (!ready()) return;
    send({ type: 'endSession', ...credentials() });
    setSecret('');
    setOffered(undefined);
  };

  const submitLabel =
    view.reason === 'concern'
      ? t('locked.unlock.concern')
      : view.reason === 'visitorAuthorisation'
        ? t('locked.unlock.visitor')
        : t('locked.unlock');

  return (
    <form className="unlock-box" aria-labelledby={ids.title} onSubmit={submit} noValidate>
      <h2 id={ids.title} className="subheading">
        {forStaff ? t('locked.unlockTitle.staff') : t('locked.unlockTitle')}
      </h2>
      {forStaff && view.methods.includes('pin') && itContact && (
        <div className="callout" data-testid="no-pin">
          <p className="callout-title">{t('locked.noPinTitle')}</p>
          <p>{t('locked.noPinBody', { itContact })}</p>
          {view.logoffAt !== undefined && (
            <p>{t('locked.noPinLogoff', { time: formatTime(view.logoffAt, locale) })}</p>
          )}
        </div>
      )}
      {view.methods.length > 1 && (
        <fieldset className="methods">
          <legend>{t('locked.methodLegend')}</legend>
          {view.methods.map((m) => (
            <label key={m} className="method">
              <input
                type="radio"
                name="method"
                value={m}
                ref={m === method ? firstChoice : undefined}
                checked={m === method}
                onChange={() => {
                  setChosen(m);
                  setSecret('');
                }}
              />
              <span>{t(`method.${m}`)}</span>
            </label>
          ))}
        </fieldset>
      )}
      {askUsername && (
        <div className="field">
          <label htmlFor={ids.user}>
            {forStaff ? t('locked.username.staff') : t('locked.username')}
          </label>
          <InlineError id={ids.userError} text={userError} prefix={t('app.errorPrefix')} />
          <input
            id={ids.user}
            type="text"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            aria-describedby={userError ? ids.userError : undefined}
            aria-invalid={userError ? true : undefined}
            maxLength={256}
          />
        </div>
      )}
      <div className="field">
        <label htmlFor={ids.secret}>{secretLabel}</label>
        <InlineError id={ids.secretError} text={secretError} prefix={t('app.errorPrefix')} />
        <input
          id={ids.secret}
          type="password"
          autoComplete="current-password"
          value={secret}
          onChange={(e) => setSecret(e.target.value)}
          aria-describedby={secretError ? `${ids.secretError} ${ids.message}` : ids.message}
          aria-invalid={secretError || (message && !waiting) ? true : undefined}
          maxLength={256}
        />
      </div>
      {method === 'pin' && (
        <details className="forgot">
          <summary>{t('locked.forgotTitle')}</summary>
          {itContact && <p>{t('locked.forgotReset', { itContact })}</p>}
          {view.methods.includes('ldap') && <p>{t('locked.forgotLdap')}</p>}
          <p>{t('locked.forgotOverride')}</p>
        </details>
      )}
      <p id={ids.message} className={shown ? 'alert' : 'alert alert-empty'} aria-hidden="true">
        {shown}
      </p>
      <p className="visually-hidden" role="status" aria-atomic="true">
        {spoken}
      </p>
      <div className="actions">
        <button type="submit" className="button button-primary">
          {submitLabel}
        </button>
        {view.canEndSession && (
          <button type="button" className="button button-secondary" onClick={endSession}>
            {t('locked.endSession')}
          </button>
        )}
      </div>
    </form>
  );
}
