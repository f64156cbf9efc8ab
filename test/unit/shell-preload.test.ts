/**
 * The preload as esbuild bundles it, loaded with a stand-in for Electron's contextBridge and
 * ipcRenderer (the Electron binary cannot run here): what the page gets, and what it never
 * gets.
 */
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClasslockApi } from '../../src/shared/ipc';
import type { View } from '../../src/shared/view';

const locked: View = {
  screen: 'locked',
  locale: 'en-GB',
  user: { account: 'SCHOOL\\mjones', displayName: 'mjones', role: 'staff' },
  since: '2026-11-23T08:30:00.000Z',
  rules: [],
  methods: ['pin', 'override'],
  failedAttempts: 0,
  unlockBy: 'owner',
  canEndSession: false,
  reason: 'lockNow',
};

let exposed: Record<string, unknown> = {};
const invoked: [string, unknown][] = [];
const listeners = new Map<string, ((event: unknown, payload: unknown) => void)[]>();

beforeAll(async () => {
  const out = await build({
    entryPoints: ['src/preload/preload.ts'],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    external: ['electron'],
    logLevel: 'silent',
  });
  const electron = {
    contextBridge: {
      exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api),
    },
    ipcRenderer: {
      invoke: async (channel: string, payload?: unknown) => {
        invoked.push([channel, payload]);
        return locked;
      },
      on: (channel: string, fn: (e: unknown, p: unknown) => void) =>
        listeners.set(channel, [...(listeners.get(channel) ?? []), fn]),
      removeListener: (channel: string, fn: (e: unknown, p: unknown) => void) =>
        listeners.set(
          channel,
          (listeners.get(channel) ?? []).filter((f) => f !== fn),
        ),
    },
  };
  exposed = {};
  const module = { exports: {} };
  const fakeRequire = (name: string) => {
    if (name === 'electron') return electron;
    throw new Error(`a sandboxed preload cannot require "${name}"`);
  };
  new Function('require', 'module', 'exports', out.outputFiles[0]!.text)(
    fakeRequire,
    module,
    module.exports,
  );
});

const api = () => exposed.classlock as ClasslockApi;
const push = (payload: unknown) => {
  for (const fn of listeners.get('classlock:view') ?? []) fn({ sender: 'main' }, payload);
};

describe('the preload', () => {
  it('exposes exactly getView, send and onView as window.classlock, and nothing else', () => {
    expect(Object.keys(exposed)).toEqual(['classlock']);
    expect(Object.keys(api()).sort()).toEqual(['getView', 'onView', 'send']);
    expect(JSON.stringify(Object.values(api()))).not.toMatch(/invoke|ipcRenderer/);
  });

  it('asks the main process on the contract channels and hands back a checked View', async () => {
    expect(await api().getView()).toEqual(locked);
    expect(await api().send({ type: 'lockNow' })).toEqual(locked);
    expect(invoked.slice(-2)).toEqual([
      ['classlock:get-view', undefined],
      ['classlock:intent', { type: 'lockNow' }],
    ]);
  });

  it('refuses a malformed intent before anything is sent', async () => {
    const before = invoked.length;
    await expect(
      api().send({ type: 'unlock', method: 'pin', secret: '' } as never),
    ).rejects.toThrow();
    await expect(api().send({ type: 'runCommand' } as never)).rejects.toThrow();
    expect(invoked.length).toBe(before);
  });

  it('passes on pushed Views that match the schema, drops others, and unsubscribes', () => {
    const seen: View[] = [];
    const off = api().onView((v) => seen.push(v));
    push(locked);
    push({ screen: 'locked', user: 'not a user' });
    push({ screen: 'takeOver' });
    expect(seen).toEqual([locked]);
    off();
    push(locked);
    expect(seen).toHaveLength(1);
  });
});
