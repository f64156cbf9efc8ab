import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { Channels, type ClasslockApi } from '../shared/ipc';
import { IntentSchema } from '../shared/intents';
import { ViewSchema, type View } from '../shared/view';

/**
 * Exactly the contract in src/shared/ipc.ts, as named methods; ipcRenderer itself never
 * reaches the page. Views are validated on arrival too, so a screen only ever draws a View
 * that matches the schema.
 */
const api: ClasslockApi = {
  async getView() {
    return ViewSchema.parse(await ipcRenderer.invoke(Channels.getView));
  },
  async send(intent) {
    const checked = IntentSchema.parse(intent);
    return ViewSchema.parse(await ipcRenderer.invoke(Channels.intent, checked));
  },
  onView(listener) {
    const handler = (_event: IpcRendererEvent, payload: unknown) => {
      const parsed = ViewSchema.safeParse(payload);
      if (parsed.success) listener(parsed.data as View);
    };
    ipcRenderer.on(Channels.view, handler);
    return () => {
      ipcRenderer.removeListener(Channels.view, handler);
    };
  },
};

contextBridge.exposeInMainWorld('classlock', api);
