import { useCallback, useEffect, useRef, useState } from 'react';

/**
 * "Read it to me" through the platform's own speech synthesis (no network voice). Speech
 * stops when the screen goes away, so it never talks over the next one.
 */
export function useReadAloud(locale: string) {
  const synth = typeof window.speechSynthesis === 'undefined' ? undefined : window.speechSynthesis;
  const available = synth !== undefined && typeof SpeechSynthesisUtterance !== 'undefined';
  const [speaking, setSpeaking] = useState(false);
  // Cancelling one reading fires its 'end' late; only the current reading may say it ended.
  const current = useRef<SpeechSynthesisUtterance | null>(null);

  const stop = useCallback(() => {
    current.current = null;
    synth?.cancel();
    setSpeaking(false);
  }, [synth]);

  const speak = useCallback(
    (text: string) => {
      if (!synth || !available) return;
      synth.cancel();
      const utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = locale;
      utterance.rate = 0.9;
      current.current = utterance;
      const done = () => {
        if (current.current === utterance) setSpeaking(false);
      };
      utterance.onend = done;
      utterance.onerror = done;
      setSpeaking(true);
      synth.speak(utterance);
    },
    [synth, available, locale],
  );

  useEffect(() => () => synth?.cancel(), [synth]);

  return { available, speaking, speak, stop };
}
