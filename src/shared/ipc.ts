import { z } from 'zod';
import { IntentSchema } from './intents';
import { ViewSchema } from './view';

/**
 * The whole surface between the renderer and the main process, in one place. The preload
 * exposes exactly `ClasslockApi`; the main process registers exactly these channels.
 */
export const Channels = {
  /** renderer → main, invoke: the View to draw now. */
  getView: 'classlock:get-view',
  /** renderer → main, invoke: a user intent; answers with the View that follows. */
  intent: 'classlock:intent',
  /** main → renderer, event: a new View. */
  view: 'classlock:view',
} as const;

export const IpcSchemas = {
  [Channels.getView]: { request: z.undefined(), response: ViewSchema },
  [Channels.intent]: { request: IntentSchema, response: ViewSchema },
  [Channels.view]: { request: ViewSchema, response: z.undefined() },
} as const;

/** What `window.classlock` offers the renderer. */
export interface ClasslockApi {
  getView(): Promise<z.infer<typeof ViewSchema>>;
  send(intent: z.infer<typeof IntentSchema>): Promise<z.infer<typeof ViewSchema>>;
  /** Returns an unsubscribe function. */
  onView(listener: (view: z.infer<typeof ViewSchema>) => void): () => void;
}
