import { useEffect, useId, useRef, useState } from 'react';
import Markdown, { type Components } from 'react-markdown';
import { Alert } from '../components/Alert';
import { SecondaryCover } from '../components/SecondaryCover';
import { useFocusOnShow } from '../components/focus';
import { useReadAloud } from '../components/useReadAloud';
import type { ScreenProps } from './types';
import { isFullName, normaliseTypedName } from '../../shared/typed-name';

/**
 * The agreement text is IT's Markdown. Raw HTML is dropped, links cannot navigate the
 * kiosk window, images (which could be remote) are replaced by their description, and
 * headings start below the screen's own title.
 */
const markdownComponents: Components = {
  a: ({ children }) => <span className="link-text">{children}</span>,
  img: ({ alt }) => (alt ? <span>{alt}</span> : null),
  h1: ({ children }) => <h2>{children}</h2>,
  h2: ({ children }) => <h3>{children}</h3>,
  h3: ({ children }) => <h4>{children}</h4>,
  h4: ({ children }) => <h5>{children}</h5>,
};

export function AgreementScreen({ view, send, texts, display }: ScreenProps<'agreement'>) {
  const { t, message } = texts;
  const { agreement, acknowledgement, user } = view;
  const kicker = t(`agreement.kicker.${user.role}`);

  if (display === 'secondary') {
    return <SecondaryCover title={agreement.title} lines={[kicker, t('secondary.useMain')]} />;
  }
  if (view.confirmingDecline) {
    return <ConfirmDecline {...{ view, send, texts }} />;
  }
  return (
    <AgreementText
      {...{ view, send, texts, kicker }}
      needsName={acknowledgement === 'typedName'}
      needsTick={acknowledgement === 'checkbox'}
      error={view.error ? message(view.error) : undefined}
    />
  );
}

function AgreementText({
  view,
  send,
  texts,
  kicker,
  needsName,
  needsTick,
  error,
}: Omit<ScreenProps<'agreement'>, 'display'> & {
  kicker: string;
  needsName: boolean;
  needsTick: boolean;
  error: string | undefined;
}) {
  const { t } = texts;
  const { agreement, user } = view;
  const ids = {
    title: useId(),
    hint: useId(),
    name: useId(),
    nameHint: useId(),
    tick: useId(),
    error: useId(),
  };
  const [readToEnd, setReadToEnd] = useState(false);
  const [name, setName] = useState('');
  const [ticked, setTicked] = useState(false);
  const scroller = useFocusOnShow<HTMLDivElement>();
  const end = useRef<HTMLDivElement>(null);
  const body = useRef<HTMLDivElement>(null);
  const reader = useReadAloud(view.locale);

  // "Read to the end" is the end marker coming into view inside the scrolling text; text
  // short enough to fit shows the marker at once and so counts as read.
  useEffect(() => {
    const root = scroller.current;
    const marker = end.current;
    if (!root || !marker) return;
    const seen = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) setReadToEnd(true);
      },
      { root, threshold: 0 },
    );
    seen.observe(marker);
    return () => seen.disconnect();
  }, [scroller]);

  const typedName = normaliseTypedName(name);
  const nameOk = isFullName(typedName);
  const canAccept = readToEnd && (!needsName || nameOk) && (!needsTick || ticked);
  const hint = user.role === 'pupil' ? t('agreement.scrollHint.pupil') : t('agreement.scrollHint');

  const accept = (e: React.FormEvent) => {
    e.preventDefault();
    if (!canAccept) return;
    reader.stop();
    send({
      type: 'acceptAgreement',
      agreementId: agreement.id,
      version: agreement.version,
      ...(needsName ? { typedName } : {}),
    });
  };

  return (
    <form
      className={`panel panel-agreement role-${user.role}`}
      aria-labelledby={ids.title}
      onSubmit={accept}
      noValidate
    >
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
        {reader.available && (
          <button
            type="button"
            className="button button-secondary read-aloud"
            onClick={() =>
              reader.speaking
                ? reader.stop()
                : reader.speak(`${agreement.title}. ${body.current?.innerText ?? ''}`)
            }
          >
            <span aria-hidden="true" className="icon">
              {reader.speaking ? '■' : '▶'}
            </span>
            {reader.speaking ? t('agreement.stopReading') : t('agreement.readAloud')}
          </button>
        )}
      </header>

      <div
        ref={scroller}
        className="agreement-text"
        tabIndex={0}
        role="region"
        aria-labelledby={ids.title}
        aria-describedby={ids.hint}
        data-testid="agreement-text"
      >
        <div ref={body} className="markdown">
          <Markdown skipHtml components={markdownComponents}>
            {agreement.body}
          </Markdown>
        </div>
        <div ref={end} className="end-marker" data-testid="agreement-end" />
      </div>

      <p id={ids.hint} className={readToEnd ? 'hint hint-done' : 'hint'} aria-live="polite">
        {readToEnd ? t('agreement.readToEnd') : hint}
      </p>

      {needsName && (
        <div className="field">
          <label htmlFor={ids.name}>{t('agreement.typedNameLabel')}</label>
          <p id={ids.nameHint} className="field-hint">
            {t('agreement.typedNameHint')}
          </p>
          <input
            id={ids.name}
            name="typedName"
            type="text"
            autoComplete="name"
            spellCheck={false}
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-describedby={`${ids.nameHint} ${ids.error}`}
            aria-invalid={error ? true : undefined}
            maxLength={200}
          />
        </div>
      )}

      {needsTick && (
        <label className="tick" htmlFor={ids.tick}>
          <input
            id={ids.tick}
            type="checkbox"
            checked={ticked}
            onChange={(e) => setTicked(e.target.checked)}
          />
          <span>{t('agreement.tick')}</span>
        </label>
      )}

      <Alert id={ids.error} text={error} />

      <div className="actions">
        <button type="submit" className="button button-primary" disabled={!canAccept}>
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
