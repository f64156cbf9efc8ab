/**
 * The poll keeps its connection between polls (one TCP connection, one TLS handshake for
 * a day of polls) and opens a new one, without a failed poll, when the server has closed
 * the idle one.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchHttp } from '../../src/core/fetch/http-fetch';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

async function serve(keepAliveMs: number, close = false) {
  let connections = 0;
  let requests = 0;
  server = createServer((_req, res) => {
    requests++;
    res.writeHead(200, {
      'content-type': 'application/json',
      ...(close ? { connection: 'close' } : {}),
    });
    res.end('{"ok":true}');
  });
  server.keepAliveTimeout = keepAliveMs;
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/policy.json`;
  return { url, counts: () => ({ connections, requests }) };
}

const opts = { maxBytes: 1024, connectTimeoutMs: 2000, totalTimeoutMs: 3000 };
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the poll connection', () => {
  it('is kept between polls when the server allows it', async () => {
    const { url, counts } = await serve(60_000);
    for (let i = 0; i < 5; i++) {
      expect((await fetchHttp(url, opts)).kind).toBe('body');
      await pause(20);
    }
    expect(counts()).toEqual({ connections: 1, requests: 5 });
  });

  it('is opened again, with no failed poll, after the server closed the idle one', async () => {
    const { url, counts } = await serve(30);
    for (let i = 0; i < 3; i++) {
      expect((await fetchHttp(url, opts)).kind).toBe('body');
      await pause(150);
    }
    expect(counts()).toEqual({ connections: 3, requests: 3 });
  });

  it('works with a server that closes after every answer', async () => {
    const { url, counts } = await serve(60_000, true);
    for (let i = 0; i < 3; i++) expect((await fetchHttp(url, opts)).kind).toBe('body');
    expect(counts()).toEqual({ connections: 3, requests: 3 });
  });

  it('is opened again at once when a kept connection breaks as the poll is sent', async () => {
    let n = 0;
    let connections = 0;
    server = createServer((req, res) => {
      // The second request arrives on the kept connection just as the server drops it.
      if (++n === 2) return req.socket.destroy();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    server.keepAliveTimeout = 60_000;
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/policy.json`;
    expect((await fetchHttp(url, opts)).kind).toBe('body');
    expect((await fetchHttp(url, opts)).kind).toBe('body');
    expect({ n, connections }).toEqual({ n: 3, connections: 2 });
  });
});
