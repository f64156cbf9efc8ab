/** What a source remembers between polls so the next request can be conditional. */
export interface Validators {
  etag?: string;
  lastModified?: string;
}

export type FetchOutcome =
  | {
      kind: 'body';
      bytes: Uint8Array;
      validators: Validators;
      /** The server's HTTP Date header, epoch ms, when it sent one. */
      serverDate?: number;
    }
  | { kind: 'not-modified'; serverDate?: number };

export type FetchFailureCode =
  'http-status' | 'timeout' | 'too-large' | 'truncated' | 'network' | 'not-found' | 'read';

/** A fetch that did not produce a whole file. The message is for IT. */
export class FetchError extends Error {
  constructor(
    readonly code: FetchFailureCode,
    message: string,
  ) {
    super(message);
    this.name = 'FetchError';
  }
}

/**
 * The WHATWG fetch a policy source is read with: the global one (undici) in the service and
 * the CLI, Electron's `net.fetch` in the app (the system proxy, PAC and the OS trust store).
 */
export type HttpFetch = (url: string, init: RequestInit) => Promise<Response>;

export interface FetchOptions {
  /** How to speak HTTP; a keep-alive fetch for Node when not given. */
  fetch?: HttpFetch;
  validators?: Validators;
  maxBytes: number;
  /** Time to establish the connection (TCP, and TLS for https). */
  connectTimeoutMs: number;
  /** Time for the whole exchange, however slowly the bytes arrive. */
  totalTimeoutMs: number;
}
