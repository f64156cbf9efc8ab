import { useCallback, useEffect, useRef, useState } from 'react';

/**
 * "Read it to me" through the platform's own speech synthesis (no network voice). Offered
 * only when the computer has a voice (many school images have none); speech stops when the
 * screen goes away, so it never talks over the next one.
 */
export function useReadAloud(locale: string) {
  const synth = typeof window.speechSynthesis === 'undefined' ? undefined : window.speechSynthesis;
  const canSpeak = synth !== undefined && typeof SpeechSynthesisUtterance !== 'undefined';
  const [hasVoice, setHasVoice] = useState(() => voiceCount(synth) > 0);
  const [speaking, setSpeaking] = useState(false);
  // Cancelling one reading fires its 'end' late; only the current reading may say it ended.
  const current = useRef<SpeechSynthesisUtterance | null>(null);

  // Voices load after the page in Chromium: listen for them rather than asking once.
  useEffect(() => {
    if (!synth || typeof synth.addEventListener !== 'function') return;
    const update = () => setHasVoice(voiceCount(synth) > 0);
    synth.addEventListener('voiceschanged', update);
    update();
    return () => synth.removeEventListener('voiceschanged', update);
  }, [synth]);

  const stop = useCallback(() => {
    current.current = null;
    synth?.cancel();
    setSpeaking(false);
  }, [synth]);

  /** `onHeardToEnd` runs only when the reading finishes by itself, not when it is stopped. */
  const speak = useCallback(
    (text: string, onHeardToEnd?: () => void) => {
      if (!synth || !canSpeak) return;
      synth.cancel();
      const utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = locale;
      utterance.rate = 0.9;
      current.current = utterance;
      utterance.onend = () => {
        if (current.current !== utterance) return;
        setSpeaking(false);
        onHeardToEnd?.();
      };
      utterance.onerror = () => {
        if (current.current === utterance) setSpeaking(false);
      };
      setSpeaking(true);
      synth.speak(utterance);
    },
    [synth, canSpeak, locale],
  );

  useEffect(() => () => synth?.cancel(), [synth]);

  return { available: canSpeak && hasVoice, speaking, speak, stop };
}

function voiceCount(synth: SpeechSynthesis | undefined): number {
  try {
    return typeof synth?.getVoices === 'function' ? synth.getVoices().length : 0;
  } catch {
    return 0;
  }
}
