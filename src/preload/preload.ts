import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { Channels, IpcSchemas, type ClasslockApi } from '../shared/ipc';

/**
 * Exactly the contract in src/shared/ipc.ts, as named methods; ipcRenderer itself never
 * reaches the page. Views are validated on arrival too, so a screen only ever draws a View
 * that matches the schema.
 */
const api: ClasslockApi = {
  async getView() {
    return IpcSchemas[Channels.getView].response.parse(await ipcRenderer.invoke(Channels.getView));
  },
  async send(intent) {
    const schema = IpcSchemas[Channels.intent];
    const checked = schema.request.parse(intent);
    return schema.response.parse(await ipcRenderer.invoke(Channels.intent, checked));
  },
  onView(listener) {
    const handler = (_event: IpcRendererEvent, payload: unknown) => {
      const parsed = IpcSchemas[Channels.view].request.safeParse(payload);
      if (parsed.success) listener(parsed.data);
    };
    ipcRenderer.on(Channels.view, handler);
    return () => {
      ipcRenderer.removeListener(Channels.view, handler);
    };
  },
};

contextBridge.exposeInMainWorld('classlock', api);
