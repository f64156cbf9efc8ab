import type { Intent } from '../../shared/intents';
import { Channels, IpcSchemas } from '../../shared/ipc';
import type { View } from '../../shared/view';

/**
 * The IPC handlers, free of Electron so the same code answers Electron's ipcMain in the
 * app and Playwright's exposeBinding in the browser tests. Each validates its payload with
 * the shared schema before anything reaches the session, and validates what it returns.
 */
export interface SessionPort {
  view(): View;
  intent(intent: Intent): Promise<View>;
}

export class IpcPayloadError extends Error {
  constructor(channel: string, detail: string) {
    super(`Refused a message on ${channel}: ${detail}`);
    this.name = 'IpcPayloadError';
  }
}

export type IpcHandlers = {
  [Channels.getView]: (payload?: unknown) => Promise<View>;
  [Channels.intent]: (payload: unknown) => Promise<View>;
};

export function createIpcHandlers(session: SessionPort): IpcHandlers {
  return {
    [Channels.getView]: async () => IpcSchemas[Channels.getView].response.parse(session.view()),
    [Channels.intent]: async (payload: unknown) => {
      const parsed = IpcSchemas[Channels.intent].request.safeParse(payload);
      if (!parsed.success) {
        throw new IpcPayloadError(
          Channels.intent,
          parsed.error.issues
            .map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`)
            .join('; '),
        );
      }
      return IpcSchemas[Channels.intent].response.parse(await session.intent(parsed.data));
    },
  };
}
