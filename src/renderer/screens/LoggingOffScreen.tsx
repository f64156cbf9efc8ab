import { useId } from 'react';
import { useFocusOnShow } from '../components/focus';
import type { ScreenProps } from './types';

export function LoggingOffScreen({ view, texts }: ScreenProps<'loggingOff'>) {
  const { t } = texts;
  const ids = { title: useId() };
  const heading = useFocusOnShow<HTMLHeadingElement>();
  return (
    <section className="panel panel-narrow" aria-labelledby={ids.title}>
      <h1 id={ids.title} ref={heading} tabIndex={-1}>
        {t('loggingOff.heading')}
      </h1>
      <p className="lead">{t(`loggingOff.${view.reason}`)}</p>
      <p className="meta" role="status">
        {t('loggingOff.wait')}
      </p>
    </section>
  );
}
