import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { Channels } from '../../shared/ipc';
import type { View } from '../../shared/view';
import { isTrustedSender } from '../security/trusted-sender';
import { createIpcHandlers, type SessionPort } from './handlers';

export interface IpcAdapterOptions {
  ipcMain: IpcMain;
  session: SessionPort & { onView(listener: (v: View) => void): () => void };
  /** file:// URL of the renderer's index.html: the only page allowed to talk to us. */
  rendererIndexUrl: string;
  /** The windows to push new Views to. */
  targets: () => WebContents[];
  log: (message: string) => void;
}

export class UntrustedSenderError extends Error {
  constructor(channel: string) {
    super(`Refused a message on ${channel}: it did not come from Classlock's own screen.`);
    this.name = 'UntrustedSenderError';
  }
}

/**
 * Electron's ipcMain in front of the shared handlers: the sender frame is checked before
 * anything else, then the handlers validate the payload. New Views go to every window.
 * Returns a function that removes everything it registered.
 */
export function registerIpc(opts: IpcAdapterOptions): () => void {
  const handlers = createIpcHandlers(opts.session);
  const channels = [Channels.getView, Channels.intent] as const;
  for (const channel of channels) {
    opts.ipcMain.handle(channel, async (event: IpcMainInvokeEvent, payload: unknown) => {
      if (!isTrustedSender(event.senderFrame?.url, opts.rendererIndexUrl)) {
        opts.log(`Refused IPC on ${channel} from ${event.senderFrame?.url ?? 'a closed frame'}.`);
        throw new UntrustedSenderError(channel);
      }
      return handlers[channel](payload);
    });
  }
  const unsubscribe = opts.session.onView((view) => {
    for (const wc of opts.targets()) {
      if (!wc.isDestroyed()) wc.send(Channels.view, view);
    }
  });
  return () => {
    unsubscribe();
    for (const channel of channels) opts.ipcMain.removeHandler(channel);
  };
}
