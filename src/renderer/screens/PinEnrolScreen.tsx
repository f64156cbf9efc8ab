import { useId, useState } from 'react';
import { Alert } from '../components/Alert';
import { SecondaryCover } from '../components/SecondaryCover';
import { useFocusOnShow } from '../components/focus';
import type { ScreenProps } from './types';

export function PinEnrolScreen({ view, send, texts, display }: ScreenProps<'pinEnrol'>) {
  const { t, message } = texts;
  const ids = { title: useId(), rules: useId(), pin: useId(), confirm: useId(), error: useId() };
  const [pin, setPin] = useState('');
  const [confirm, setConfirm] = useState('');
  const first = useFocusOnShow<HTMLInputElement>(view.error?.key ?? true);
  if (display === 'secondary') {
    return <SecondaryCover title={t('pin.title')} lines={[t('secondary.useMain')]} />;
  }
  const { rules } = view;
  const error = view.error ? message(view.error) : undefined;
  const ruleLines = [
    t('pin.rule.length', { min: rules.minLength, max: rules.maxLength }),
    ...(rules.requireLetter ? [t('pin.rule.letter')] : []),
    ...(rules.requireDigit ? [t('pin.rule.digit')] : []),
    ...(rules.requireSymbol ? [t('pin.rule.symbol')] : []),
  ];

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!pin || !confirm) return;
    send({ type: 'enrolPin', pin, confirm });
    // The core answers with the rule that failed; both boxes are typed again.
    setPin('');
    setConfirm('');
  };

  return (
    <form className="panel panel-narrow" aria-labelledby={ids.title} onSubmit={submit} noValidate>
      <h1 id={ids.title}>{t('pin.title')}</h1>
      <p className="intro">{t('pin.intro')}</p>
      <h2 id={ids.rules} className="subheading">
        {t('pin.rulesTitle')}
      </h2>
      <ul className="rules" aria-labelledby={ids.rules}>
        {ruleLines.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      <div className="field">
        <label htmlFor={ids.pin}>{t('pin.field')}</label>
        <input
          ref={first}
          id={ids.pin}
          type="password"
          autoComplete="new-password"
          value={pin}
          onChange={(e) => setPin(e.target.value)}
          aria-describedby={`${ids.rules} ${ids.error}`}
          aria-invalid={error ? true : undefined}
          maxLength={256}
        />
      </div>
      <div className="field">
        <label htmlFor={ids.confirm}>{t('pin.confirmField')}</label>
        <input
          id={ids.confirm}
          type="password"
          autoComplete="new-password"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          aria-describedby={ids.error}
          aria-invalid={error ? true : undefined}
          maxLength={256}
        />
      </div>
      <Alert id={ids.error} text={error} />
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={!pin || !confirm}>
          {t('pin.save')}
        </button>
      </div>
    </form>
  );
}
