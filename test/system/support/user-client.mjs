// Run as an ordinary OS user (setpriv) by the service system tests: what a pupil's own
// program can do with the socket and the data folder. Plain Node, no build step.
//   node user-client.mjs requests SOCKET '[{"type":"hello",...}, ...]' [hold]
//   node user-client.mjs idle SOCKET COUNT WAIT_MS
//   node user-client.mjs fs '{"op":"write"|"read"|"append"|"unlink"|"mkfifo"|"readdir","path":"..."}'
import { execFileSync } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';

const [, , mode, a, b, c] = process.argv;
const out = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
setTimeout(() => process.exit(3), 20_000).unref();

if (mode === 'fs') {
  const { op, path, data } = JSON.parse(a);
  try {
    if (op === 'write') writeFileSync(path, data ?? 'planted');
    else if (op === 'append') appendFileSync(path, data ?? 'planted\n');
    else if (op === 'read') readFileSync(path);
    else if (op === 'unlink') unlinkSync(path);
    else if (op === 'readdir') readdirSync(path);
    else if (op === 'mkfifo') execFileSync('mkfifo', [path], { stdio: 'pipe' });
    out({ result: 'OK' });
  } catch (err) {
    out({
      result:
        err.code ??
        (String(err.stderr ?? err).includes('Permission denied') ? 'EACCES' : String(err)),
    });
  }
  process.exit(0);
}

if (mode === 'requests') {
  const requests = JSON.parse(b);
  const hold = c === 'hold';
  const sock = createConnection(a);
  let buf = '';
  let next = 0;
  const send = () => {
    if (next >= requests.length) {
      out({ done: true });
      if (!hold) sock.end();
      return;
    }
    sock.write(`${JSON.stringify({ id: next + 1, ...requests[next] })}\n`);
  };
  sock.setEncoding('utf8');
  sock.on('connect', send);
  sock.on('data', (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const msg = JSON.parse(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      if (msg.push) {
        out({ push: msg.push, screen: msg.view?.screen });
        continue;
      }
      out({
        id: msg.id,
        ok: msg.ok,
        error: msg.error,
        screen: msg.view?.screen,
        account: msg.view?.user?.account,
        reason: msg.view?.reason,
        message: msg.view?.message?.key,
      });
      if (msg.id === next + 1) {
        next++;
        send();
      }
    }
  });
  sock.on('error', (err) => {
    out({ error: err.code ?? String(err) });
    process.exit(0);
  });
  sock.on('close', () => process.exit(0));
}

if (mode === 'idle') {
  const count = Number(b);
  const waitMs = Number(c);
  let closed = 0;
  const socks = [];
  for (let i = 0; i < count; i++) {
    const s = createConnection(a);
    s.on('error', () => undefined);
    s.on('close', () => closed++);
    // Read what the service says, so its close is seen.
    s.resume();
    socks.push(s);
  }
  setTimeout(() => {
    out({ opened: count, closedBy: closed });
    process.exit(0);
  }, waitMs);
}
