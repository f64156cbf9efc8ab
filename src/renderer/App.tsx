import { useCallback, useEffect, useRef, useState } from 'react';
import type { Intent } from '../shared/intents';
import type { ClasslockApi } from '../shared/ipc';
import type { View } from '../shared/view';
import type { Display } from './bridge';
import { Alert } from './components/Alert';
import { useFocusTrap } from './components/focus';
import { useTexts, type Texts } from './i18n';
import { AgreementScreen } from './screens/AgreementScreen';
import { BlockedScreen } from './screens/BlockedScreen';
import { EndOfDayScreen } from './screens/EndOfDayScreen';
import { LockedScreen } from './screens/LockedScreen';
import { LoggingOffScreen } from './screens/LoggingOffScreen';
import { NoticeScreen } from './screens/NoticeScreen';
import { PinEnrolScreen } from './screens/PinEnrolScreen';
import { WarningScreen } from './screens/WarningScreen';

/**
 * Draws whatever View the core sends, and nothing else: every decision (what is due, when
 * to lock, who may unlock) was made before the View arrived.
 */
export function App({ api, display }: { api: ClasslockApi; display: Display }) {
  const [view, setView] = useState<View | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let live = true;
    const off = api.onView((v) => {
      if (live) setView(v);
    });
    api.getView().then(
      // A View pushed while this was on its way is newer: keep it.
      (v) => live && setView((current) => current ?? v),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
      off();
    };
  }, [api]);

  const send = useCallback(
    (intent: Intent) => {
      setFailed(false);
      api.send(intent).then(setView, () => setFailed(true));
    },
    [api],
  );

  const texts = useTexts(view?.locale ?? 'en-GB');
  const screen = view?.screen ?? 'none';
  useEffect(() => {
    document.documentElement.lang = view?.locale ?? 'en-GB';
  }, [view?.locale]);
  useEffect(() => {
    document.title = `${texts.t(`title.${screen}`)} – ${texts.t('app.name')}`;
  }, [texts, screen]);

  if (!view || view.screen === 'none') {
    return failed ? (
      <Frame screen="problem" texts={texts} failed>
        <section className="panel panel-narrow" aria-label={texts.t('app.name')}>
          <h1>{texts.t('app.name')}</h1>
        </section>
      </Frame>
    ) : null;
  }
  return (
    <Frame key={screenKey(view)} screen={view.screen} texts={texts} failed={failed}>
      <ScreenFor view={view} send={send} texts={texts} display={display} />
    </Frame>
  );
}

/** A new key means a new screen: fresh state (typed text, scroll) and focus moves. */
function screenKey(view: View): string {
  return view.screen === 'agreement'
    ? `agreement:${view.agreement.id}:${view.agreement.version}`
    : view.screen;
}

function ScreenFor(props: {
  view: Exclude<View, { screen: 'none' }>;
  send: (i: Intent) => void;
  texts: Texts;
  display: Display;
}): React.ReactElement {
  const { view, ...rest } = props;
  switch (view.screen) {
    case 'agreement':
      return <AgreementScreen view={view} {...rest} />;
    case 'pinEnrol':
      return <PinEnrolScreen view={view} {...rest} />;
    case 'warning':
      return <WarningScreen view={view} {...rest} />;
    case 'locked':
      return <LockedScreen view={view} {...rest} />;
    case 'blocked':
      return <BlockedScreen view={view} {...rest} />;
    case 'endOfDay':
      return <EndOfDayScreen view={view} {...rest} />;
    case 'loggingOff':
      return <LoggingOffScreen view={view} {...rest} />;
    case 'notice':
      return <NoticeScreen view={view} {...rest} />;
  }
}

function Frame({
  screen,
  texts,
  failed,
  children,
}: {
  screen: string;
  texts: Texts;
  failed: boolean;
  children: React.ReactNode;
}) {
  const root = useRef<HTMLElement>(null);
  useFocusTrap(root);
  return (
    <main ref={root} className={`screen screen-${screen}`} data-screen={screen}>
      {children}
      {failed && (
        <div className="problem">
          <Alert text={texts.t('app.sendFailed')} />
        </div>
      )}
    </main>
  );
}

export function NoBridge({ texts }: { texts: Texts }) {
  return (
    <main className="screen screen-problem" data-screen="problem">
      <section className="panel panel-narrow" aria-label={texts.t('app.name')}>
        <h1>{texts.t('app.name')}</h1>
        <p className="lead">{texts.t('app.noBridge')}</p>
      </section>
    </main>
  );
}
