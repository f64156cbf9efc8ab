import type { UnlockMethod } from '../policy/schema';

/** The outcome of checking one credential. Never carries the secret. */
export type VerifyResult =
  | {
      ok: true;
      method: UnlockMethod;
      account: string;
      /** Groups the credential's own source vouches for (the directory's memberOf). */
      groups?: string[];
    }
  /** wrong: the credential was checked and is not right (feeds the throttle). */
  | { ok: false; method: UnlockMethod; kind: 'wrong'; detail: string }
  /** unavailable: it could not be checked (directory down, no PIN set); the next method is offered. */
  | { ok: false; method: UnlockMethod; kind: 'unavailable'; detail: string }
  /** refused: the input is not acceptable at all (e.g. an LDAP filter injection attempt). */
  | { ok: false; method: UnlockMethod; kind: 'refused'; detail: string };

/** One way of proving who is at the keyboard. `account` is the user being verified. */
export interface Verifier {
  readonly method: UnlockMethod;
  verify(account: string, secret: string): Promise<VerifyResult>;
}
