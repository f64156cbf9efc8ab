import { Agent, fetch as undiciFetch } from 'undici';
import type { HttpFetch } from './fetch-types';

/**
 * The fetch the service and the CLI poll with: undici's, through an agent that keeps the
 * connection open between polls. Node's global fetch would close it after 4 idle seconds,
 * so a terminal polling every 30 s would open a new connection (and, over https, a new TLS
 * handshake) every time; a server answers far more polls on kept-alive connections. The
 * server's own Keep-Alive hint, or its closing the connection, still wins.
 */
const IDLE_KEEP_MS = 120_000;
const agents = new Map<number, Agent>();

export function nodeFetch(connectTimeoutMs: number): HttpFetch {
  let agent = agents.get(connectTimeoutMs);
  if (!agent) {
    agent = new Agent({
      keepAliveTimeout: IDLE_KEEP_MS,
      keepAliveMaxTimeout: 10 * 60_000,
      connect: { timeout: connectTimeoutMs },
    });
    agents.set(connectTimeoutMs, agent);
  }
  const dispatcher = agent;
  return (url, init) =>
    undiciFetch(url, {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher,
    }) as unknown as Promise<Response>;
}
