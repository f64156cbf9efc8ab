import { useId } from 'react';
import { PolicyMarkdown } from '../components/PolicyMarkdown';
import { SecondaryCover } from '../components/SecondaryCover';
import { useFocusOnShow } from '../components/focus';
import type { ScreenProps } from './types';

/** One of the policy's notices (how the school checks computer use), opened from the tray. */
export function NoticeScreen({ view, send, texts, display }: ScreenProps<'notice'>) {
  const { t } = texts;
  const ids = { title: useId() };
  const heading = useFocusOnShow<HTMLHeadingElement>();
  if (display === 'secondary') {
    return <SecondaryCover title={view.notice.title} lines={[t('secondary.useMain')]} />;
  }
  return (
    <section className="panel panel-notice" aria-labelledby={ids.title}>
      <h1 id={ids.title} ref={heading} tabIndex={-1}>
        {view.notice.title}
      </h1>
      <div className="markdown">
        <PolicyMarkdown text={view.notice.body} />
      </div>
      <div className="actions">
        <button
          type="button"
          className="button button-primary"
          onClick={() => send({ type: 'dismissNotice', notice: 'policy' })}
        >
          {t('notice.close')}
        </button>
      </div>
    </section>
  );
}
