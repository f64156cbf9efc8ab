import { keyDecision } from './keyboard-guard';
import { loadKoffi } from './native-koffi';

const WH_KEYBOARD_LL = 13;

export interface KeyboardGuard {
  stop(): void;
}

/**
 * keyboard-guard.ts on Windows: SetWindowsHookExW(WH_KEYBOARD_LL) through koffi, with a
 * registered callback (the main thread runs Chromium's message loop, which low-level hooks
 * need). The callback must return fast or Windows drops the hook (LowLevelHooksTimeout),
 * so it only compares window handles.
 *
 * Unverified here (no Windows). Any failure to install leaves the focus guard alone, with
 * a log line.
 */
export function startWin32KeyboardGuard(o: {
  covered: () => boolean;
  ourWindows: () => ReadonlySet<number>;
  refocus: () => void;
  log: (m: string) => void;
}): KeyboardGuard | undefined {
  const koffi = loadKoffi();
  if (!koffi) return undefined;
  try {
    const user32 = koffi.load('user32.dll');
    const kernel32 = koffi.load('kernel32.dll');
    const HookProc = koffi.proto(
      'intptr_t __stdcall ClasslockKeyboardProc(int code, uintptr_t wParam, intptr_t lParam)',
    );
    const SetWindowsHookExW = user32.func(
      'intptr_t __stdcall SetWindowsHookExW(int id, ClasslockKeyboardProc *proc, intptr_t module, uint32_t thread)',
    );
    const CallNextHookEx = user32.func(
      'intptr_t __stdcall CallNextHookEx(intptr_t hook, int code, uintptr_t wParam, intptr_t lParam)',
    );
    const UnhookWindowsHookEx = user32.func('int __stdcall UnhookWindowsHookEx(intptr_t hook)');
    const GetForegroundWindow = user32.func('intptr_t __stdcall GetForegroundWindow()');
    const GetModuleHandleW = kernel32.func('intptr_t __stdcall GetModuleHandleW(void *name)');

    let hook = 0;
    const callback = koffi.register((code: number, wParam: number, lParam: number) => {
      if (code >= 0) {
        const d = keyDecision({
          covered: o.covered(),
          foreground: Number(GetForegroundWindow()),
          ours: o.ourWindows(),
        });
        if (d.refocus) setImmediate(o.refocus);
        if (d.swallow) return 1;
      }
      return CallNextHookEx(hook, code, wParam, lParam);
    }, koffi.pointer(HookProc));
    hook = Number(SetWindowsHookExW(WH_KEYBOARD_LL, callback, GetModuleHandleW(null), 0));
    if (!hook) {
      koffi.unregister(callback);
      o.log(
        'The keyboard guard could not be installed; the focus check alone keeps keys in the lock.',
      );
      return undefined;
    }
    return {
      stop: () => {
        UnhookWindowsHookEx(hook);
        koffi.unregister(callback);
      },
    };
  } catch (err) {
    o.log(`The keyboard guard could not start: ${String(err)}`);
    return undefined;
  }
}
