import type { Intent } from '../../shared/intents';
import type { Screen, View } from '../../shared/view';
import type { Display } from '../bridge';
import type { Texts } from '../i18n';

export type ViewOf<S extends Screen> = Extract<View, { screen: S }>;

export interface ScreenProps<S extends Screen> {
  view: ViewOf<S>;
  send: (intent: Intent) => void;
  texts: Texts;
  display: Display;
}
