import type { CoverWindow } from './cover-window';
import { hwndOf, loadKoffi } from './native-koffi';
import type { VirtualDesktops } from './virtual-desktops';

const CLSID_VirtualDesktopManager = 'aa509086-5ca9-4c25-8f95-589d3c07b48a';
const IID_IVirtualDesktopManager = 'a5cd92ff-29be-454c-8d04-d82879fb3f1b';
const CLSCTX_ALL = 0x17;

function guid(text: string) {
  const h = text.replace(/-/g, '');
  const bytes = (from: number, n: number) =>
    Array.from({ length: n }, (_, i) => parseInt(h.slice(from + i * 2, from + i * 2 + 2), 16));
  return {
    Data1: parseInt(h.slice(0, 8), 16),
    Data2: parseInt(h.slice(8, 12), 16),
    Data3: parseInt(h.slice(12, 16), 16),
    Data4: bytes(16, 8),
  };
}

/**
 * Windows' documented IVirtualDesktopManager (shobjidl_core.h) through koffi:
 * IsWindowOnCurrentVirtualDesktop, GetWindowDesktopId and MoveWindowToDesktop (which works
 * on the caller's own windows). The public interface cannot name the current desktop, so
 * its id is read from the foreground window, which is on it by definition.
 *
 * Unverified here (no Windows): the COM calls, their vtable order (QueryInterface, AddRef,
 * Release, then the three above) and koffi's handling of the function pointers. Any
 * failure disables the follower with a log line; the hide-and-show fallback remains.
 */
export function win32VirtualDesktops(log: (m: string) => void): VirtualDesktops | undefined {
  const koffi = loadKoffi();
  if (!koffi) return undefined;
  try {
    const GUID = koffi.struct('GUID', {
      Data1: 'uint32_t',
      Data2: 'uint16_t',
      Data3: 'uint16_t',
      Data4: koffi.array('uint8_t', 8),
    });
    const ole32 = koffi.load('ole32.dll');
    const user32 = koffi.load('user32.dll');
    const CoCreateInstance = ole32.func(
      'int __stdcall CoCreateInstance(GUID *clsid, void *outer, uint32_t ctx, GUID *iid, _Out_ intptr_t *out)',
    );
    const GetForegroundWindow = user32.func('intptr_t __stdcall GetForegroundWindow()');
    const IsOnCurrent = koffi.proto(
      'int __stdcall IsOnCurrent(intptr_t self, intptr_t hwnd, _Out_ int *on)',
    );
    const GetDesktopId = koffi.proto(
      'int __stdcall GetDesktopId(intptr_t self, intptr_t hwnd, _Out_ GUID *id)',
    );
    const MoveToDesktop = koffi.proto(
      'int __stdcall MoveToDesktop(intptr_t self, intptr_t hwnd, GUID *id)',
    );
    const out = [0];
    const hr = CoCreateInstance(
      guid(CLSID_VirtualDesktopManager),
      null,
      CLSCTX_ALL,
      guid(IID_IVirtualDesktopManager),
      out,
    );
    const self = Number(out[0]);
    if (hr !== 0 || !self) {
      log(`Virtual desktops cannot be followed (CoCreateInstance returned ${hr}).`);
      return undefined;
    }
    const vtable = koffi.decode(BigInt(koffi.decode(BigInt(self), 'intptr_t')), 'intptr_t', 6) as
      number[] | bigint[];
    const fn = (i: number) => BigInt(vtable[i] ?? 0);
    const handle = (w: CoverWindow) => hwndOf(w.getNativeWindowHandle());
    void GUID;
    return {
      isOnCurrent: (w) => {
        const on = [0];
        const r = koffi.call(fn(3), IsOnCurrent, self, handle(w), on) as number;
        return r === 0 ? on[0] !== 0 : undefined;
      },
      moveToCurrent: (w) => {
        const fg = Number(GetForegroundWindow());
        if (!fg) return false;
        const id = {};
        if ((koffi.call(fn(4), GetDesktopId, self, fg, id) as number) !== 0) return false;
        return (koffi.call(fn(5), MoveToDesktop, self, handle(w), id) as number) === 0;
      },
    };
  } catch (err) {
    log(`Virtual desktops cannot be followed: ${String(err)}`);
    return undefined;
  }
}
