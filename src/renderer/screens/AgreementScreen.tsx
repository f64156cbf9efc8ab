import { useEffect, useId, useRef, useState } from 'react';
import { Alert } from '../components/Alert';
import { ErrorSummary, InlineError, type Problem } from '../components/ErrorSummary';
import { Picture } from '../components/Picture';
import { PolicyMarkdown } from '../components/PolicyMarkdown';
import { SecondaryCover } from '../components/SecondaryCover';
import { useFocusOnShow } from '../components/focus';
import { useReadAloud } from '../components/useReadAloud';
import type { ScreenProps } from './types';
import { isSignatureName, normaliseTypedName } from '../../shared/typed-name';

export function AgreementScreen({ view, send, texts, display }: ScreenProps<'agreement'>) {
  const { t } = texts;
  const kicker = t(`agreement.kicker.${view.user.role}`);

  if (display === 'secondary') {
    return <SecondaryCover title={view.agreement.title} lines={[kicker, t('secondary.useMain')]} />;
  }
  if (view.confirmingDecline) {
    return <ConfirmDecline {...{ view, send, texts }} />;
  }
  return <AgreementText {...{ view, send, texts, kicker }} />;
}

/**
 * One gate, the GOV.UK way: "I agree" is never greyed out. Pressed before everything is
 * done, it says what is missing at the top (focus goes there) and beside each control.
 * Reading to the end counts whether the text was scrolled through or heard read aloud.
 */
function AgreementText({
  view,
  send,
  texts,
  kicker,
}: Omit<ScreenProps<'agreement'>, 'display'> & { kicker: string }) {
  const { t, message } = texts;
  const { agreement, user, acknowledgement } = view;
  const needsName = acknowledgement === 'typedName';
  const needsTick = acknowledgement === 'checkbox';
  const ids = {
    title: useId(),
    hint: useId(),
    text: useId(),
    readError: useId(),
    name: useId(),
    nameHint: useId(),
    nameError: useId(),
    tick: useId(),
    tickError: useId(),
    coreError: useId(),
  };
  const [seenEnd, setSeenEnd] = useState(false);
  const [heardEnd, setHeardEnd] = useState(false);
  const [name, setName] = useState('');
  const [ticked, setTicked] = useState(false);
  /** How many times "I agree" was pressed too early: each press moves focus to the summary. */
  const [tries, setTries] = useState(0);
  const scroller = useFocusOnShow<HTMLDivElement>();
  const end = useRef<HTMLDivElement>(null);
  const body = useRef<HTMLDivElement>(null);
  const summary = useRef<HTMLDivElement>(null);
  const reader = useReadAloud(view.locale);

  // "Read to the end" is the end marker coming into view, inside the text's own scroll box
  // on a large screen or in the page on a small or zoomed one; text short enough to fit
  // shows the marker at once and so counts as read.
  useEffect(() => {
    const marker = end.current;
    if (!marker) return;
    const seen = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) setSeenEnd(true);
      },
      { threshold: 0 },
    );
    seen.observe(marker);
    return () => seen.disconnect();
  }, []);

  useEffect(() => {
    if (tries > 0) summary.current?.focus();
  }, [tries]);

  const readToEnd = seenEnd || heardEnd;
  const typedName = normaliseTypedName(name);
  const missing = {
    read: !readToEnd,
    name: needsName && !isSignatureName(typedName),
    tick: needsTick && !ticked,
  };
  const show = tries > 0;
  const errors = {
    read:
      show && missing.read
        ? t(reader.available ? 'agreement.missing.read' : 'agreement.missing.read.noVoices')
        : undefined,
    name: show && missing.name ? t('agreement.missing.name') : undefined,
    tick: show && missing.tick ? t('agreement.missing.tick') : undefined,
  };
  const coreError = view.error ? message(view.error) : undefined;
  const problems: Problem[] = [
    ...(errors.read ? [{ target: ids.text, text: errors.read }] : []),
    ...(errors.name ? [{ target: ids.name, text: errors.name }] : []),
    ...(errors.tick ? [{ target: ids.tick, text: errors.tick }] : []),
  ];
  // A refusal from the core (a name it would not take) joins the summary unless already said.
  if (coreError && !errors.name) {
    problems.push({
      target: view.error?.key === 'agreement.nameRequired' && needsName ? ids.name : ids.coreError,
      text: coreError,
    });
  }

  const accept = (e: React.FormEvent) => {
    e.preventDefault();
    if (missing.read || missing.name || missing.tick) {
      setTries((n) => n + 1);
      return;
    }
    reader.stop();
    send({
      type: 'acceptAgreement',
      agreementId: agreement.id,
      version: agreement.version,
      ...(needsName ? { typedName } : {}),
    });
  };

  const hint = user.role === 'pupil' ? t('agreement.scrollHint.pupil') : t('agreement.scrollHint');
  const describedBy = (...parts: (string | false | undefined)[]) =>
    parts.filter(Boolean).join(' ') || undefined;

  return (
    <form
      className={`panel panel-agreement role-${user.role}${agreement.promises ? ' has-promises' : ''}`}
      aria-labelledby={ids.title}
      onSubmit={accept}
      noValidate
    >
      <ErrorSummary ref={summary} title={t('agreement.errorSummary')} problems={problems} />
      <header className="panel-header">
        <p className="kicker">
          {kicker}
          {view.count > 1 && (
            <span className="position">
              {t('agreement.position', { position: view.position, count: view.count })}
            </span>
          )}
        </p>
        <h1 id={ids.title}>{agreement.title}</h1>
        <p className="intro">{t(`agreement.intro.${user.role}`)}</p>
        {reader.available ? (
          <button
            type="button"
            className="button button-secondary read-aloud"
            onClick={() =>
              reader.speaking
                ? reader.stop()
                : reader.speak(`${agreement.title}. ${body.current?.innerText ?? ''}`, () =>
                    setHeardEnd(true),
                  )
            }
          >
            <span aria-hidden="true" className="icon">
              {reader.speaking ? '■' : '▶'}
            </span>
            {reader.speaking ? t('agreement.stopReading') : t('agreement.readAloud')}
          </button>
        ) : (
          user.role === 'pupil' && <p className="field-hint">{t('agreement.noVoices')}</p>
        )}
      </header>

      {agreement.changes && (
        <section className="changes" aria-labelledby={`${ids.title}-changes`}>
          <h2 id={`${ids.title}-changes`} className="subheading">
            {t('agreement.changesTitle')}
          </h2>
          <PolicyMarkdown text={agreement.changes} />
        </section>
      )}

      <InlineError id={ids.readError} text={errors.read} prefix={t('app.errorPrefix')} />
      <div
        ref={scroller}
        id={ids.text}
        className={errors.read ? 'agreement-text agreement-text-error' : 'agreement-text'}
        tabIndex={0}
        role="region"
        aria-labelledby={ids.title}
        aria-describedby={describedBy(ids.hint, errors.read && ids.readError)}
        data-testid="agreement-text"
      >
        <div ref={body} className="markdown">
          <PolicyMarkdown text={agreement.body} />
          {agreement.promises && (
            <ol className="promises">
              {agreement.promises.map((p, i) => (
                <li key={i}>
                  <Picture name={p.picture} />
                  <span>{p.text}</span>
                </li>
              ))}
            </ol>
          )}
        </div>
        <div ref={end} className="end-marker" data-testid="agreement-end" />
      </div>

      <p id={ids.hint} className={readToEnd ? 'hint hint-done' : 'hint'} aria-live="polite">
        {heardEnd && !seenEnd
          ? t('agreement.heardToEnd')
          : readToEnd
            ? t('agreement.readToEnd')
            : hint}
      </p>

      {view.notices?.map((n) => (
        <details key={n.id} className="notice">
          <summary>{n.title}</summary>
          <PolicyMarkdown text={n.body} />
        </details>
      ))}

      {needsName && (
        <div className={errors.name ? 'field field-error' : 'field'}>
          <label htmlFor={ids.name}>{t('agreement.typedNameLabel')}</label>
          <p id={ids.nameHint} className="field-hint">
            {t('agreement.typedNameHint')}
          </p>
          <InlineError id={ids.nameError} text={errors.name} prefix={t('app.errorPrefix')} />
          <input
            id={ids.name}
            name="typedName"
            type="text"
            autoComplete="name"
            spellCheck={false}
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-describedby={describedBy(ids.nameHint, errors.name && ids.nameError)}
            aria-invalid={errors.name || coreError ? true : undefined}
            maxLength={200}
          />
        </div>
      )}

      {needsTick && (
        <div className={errors.tick ? 'field field-error' : 'field'}>
          <InlineError id={ids.tickError} text={errors.tick} prefix={t('app.errorPrefix')} />
          <label className="tick" htmlFor={ids.tick}>
            <input
              id={ids.tick}
              type="checkbox"
              checked={ticked}
              onChange={(e) => setTicked(e.target.checked)}
              aria-describedby={errors.tick ? ids.tickError : undefined}
              aria-invalid={errors.tick ? true : undefined}
            />
            <span>{t(agreement.promises ? 'agreement.tick.promises' : 'agreement.tick')}</span>
          </label>
        </div>
      )}

      <Alert id={ids.coreError} text={coreError} />

      <div className="actions">
        <button type="submit" className="button button-primary">
          {t('agreement.accept')}
        </button>
        <button
          type="button"
          className="button button-secondary"
          onClick={() => {
            reader.stop();
            send({ type: 'declineAgreement', agreementId: agreement.id });
          }}
        >
          {t('agreement.decline')}
        </button>
      </div>
    </form>
  );
}

function ConfirmDecline({ view, send, texts }: Omit<ScreenProps<'agreement'>, 'display'>) {
  const { t } = texts;
  const ids = { title: useId(), body: useId() };
  const goBack = useFocusOnShow<HTMLButtonElement>();
  return (
    <section
      className="panel panel-narrow"
      role="alertdialog"
      aria-labelledby={ids.title}
      aria-describedby={ids.body}
    >
      <h1 id={ids.title}>{t('agreement.confirmTitle')}</h1>
      <p id={ids.body} className="lead">
        {t('agreement.confirmBody')}
      </p>
      <div className="actions">
        <button
          ref={goBack}
          type="button"
          className="button button-primary"
          onClick={() => send({ type: 'cancelDecline' })}
        >
          {t('agreement.goBack')}
        </button>
        <button
          type="button"
          className="button button-secondary"
          onClick={() => send({ type: 'declineAgreement', agreementId: view.agreement.id })}
        >
          {t('agreement.signOut')}
        </button>
      </div>
    </section>
  );
}
