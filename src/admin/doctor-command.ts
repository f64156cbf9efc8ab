import { connect } from 'node:net';
import {
  DEFAULT_SERVICE_SOCKET,
  SERVICE_MAX_LINE,
  ServiceResponseSchema,
  type ServiceStatus,
} from '../shared/service-protocol';
import { InputError, UsageError, nowOf, type Command } from './cli-support';

/** One line of the report: what was checked, what was found, what to do when it failed. */
export interface DoctorCheck {
  name: string;
  ok: boolean;
  found: string;
  fix?: string;
}

const DEFAULT_TIMEOUT_MS = 5000;
/** A clock this far behind the trusted-time floor is wrong, not merely drifting. */
const CLOCK_SLACK_MS = 2 * 60_000;

function defaultSocket(): string {
  return process.platform === 'win32' ? DEFAULT_SERVICE_SOCKET.win32 : DEFAULT_SERVICE_SOCKET.linux;
}

function startCommand(): string {
  return process.platform === 'win32'
    ? 'sc.exe start classlockd (as an administrator), then see the Application event log, source Classlock'
    : 'systemctl enable --now classlockd; then journalctl -u classlockd';
}

/** "3 h 5 min" style, for ages and differences. */
export function inWords(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 120) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 120) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ${min % 60} min`;
  return `${Math.floor(h / 24)} days`;
}

/**
 * Asks the service for its status over its socket (or named pipe) with the shared
 * protocol. Rejects with words for IT when there is no service, no answer in time, or an
 * answer that is not the protocol.
 */
export function askStatus(socketPath: string, timeoutMs: number): Promise<ServiceStatus> {
  return new Promise((resolve, reject) => {
    const sock = connect(socketPath);
    let buf = '';
    let settled = false;
    const done = (err: Error | undefined, status?: ServiceStatus) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(status!);
    };
    const timer = setTimeout(
      () => done(new Error(`the service at ${socketPath} did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(`${JSON.stringify({ id: 1, type: 'status' })}\n`));
    sock.on('error', (err: NodeJS.ErrnoException) => {
      const what =
        err.code === 'ENOENT'
          ? `no service socket at ${socketPath}`
          : err.code === 'ECONNREFUSED'
            ? `nothing is listening on ${socketPath}`
            : err.code === 'EACCES'
              ? `this account may not open ${socketPath}`
              : `cannot reach ${socketPath} (${err.message})`;
      done(new Error(what));
    });
    sock.on('close', () =>
      done(new Error(`the service at ${socketPath} closed the connection without answering`)),
    );
    sock.on('data', (chunk: string) => {
      buf += chunk;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let msg: unknown;
        try {
          msg = JSON.parse(line);
        } catch {
          return done(new Error(`the service sent a line that is not JSON: ${line.slice(0, 80)}`));
        }
        // Pushes (no id) may arrive before the answer.
        if (typeof msg === 'object' && msg !== null && !('id' in msg)) continue;
        const res = ServiceResponseSchema.safeParse(msg);
        if (!res.success || res.data.id !== 1) {
          return done(
            new Error(
              'the service answered something that is not its protocol (a different version?)',
            ),
          );
        }
        if (!res.data.ok)
          return done(new Error(`the service refused the status request: ${res.data.error}`));
        if (!res.data.status) return done(new Error('the service answered without a status'));
        return done(undefined, res.data.status);
      }
      if (buf.length > SERVICE_MAX_LINE)
        done(new Error('the service sent a line longer than the protocol allows'));
    });
  });
}

/** Every check from one status answer (or the reason there is none), judged at `now`. */
export function diagnose(status: ServiceStatus | Error, now: number): DoctorCheck[] {
  if (status instanceof Error) {
    return [
      {
        name: 'service',
        ok: false,
        found: `not running: ${status.message}`,
        fix: `start it: ${startCommand()}`,
      },
    ];
  }
  const checks: DoctorCheck[] = [];
  checks.push({
    name: 'service',
    ok: true,
    found: `running, version ${status.version}, since ${status.startedAt}, machine ${status.machineId}`,
  });

  const p = status.policy;
  const issued = p.issuedAt ? Date.parse(p.issuedAt) : NaN;
  const age = Number.isFinite(issued)
    ? `issued ${inWords(now - issued)} ago`
    : 'issue time unknown';
  const builtIn = p.serial <= 0 || /built-in|default/i.test(p.origin);
  checks.push({
    name: 'policy',
    ok: !builtIn && !p.problem,
    found: `serial ${p.serial} from ${p.source} (${p.origin}), ${age}${p.problem ? `; last fetch refused: ${p.problem}` : ''}`,
    ...(builtIn
      ? {
          fix: 'no signed policy in force: check policySources and trustedKeys in the machine config',
        }
      : p.problem
        ? { fix: 'fix what the message names, then publish the policy again with a higher serial' }
        : {}),
  });

  const expires = p.expires ? Date.parse(p.expires) : NaN;
  const stale = p.stale || (Number.isFinite(expires) && expires <= now);
  checks.push({
    name: 'freshness',
    ok: !stale,
    found: stale
      ? `stale: the policy expired ${p.expires ? `at ${p.expires}` : ''} and no newer one was fetched; the last good policy stays in force`
      : p.expires
        ? `fresh, expires in ${inWords(expires - now)}`
        : 'fresh (the policy has no expiry)',
    ...(stale
      ? {
          fix: 'sign and publish the policy again (classlock-admin sign), and check this PC reaches the policy address',
        }
      : {}),
  });

  const e = status.enforcement;
  checks.push({
    name: 'enforcement',
    ok: !e.error,
    found: e.error ? `${e.describe}: ${e.error}` : e.describe,
    ...(e.error
      ? {
          fix:
            process.platform === 'win32'
              ? 'check Windows Defender Firewall is on and not managed to ignore local rules'
              : 'check nftables is installed (apt install nftables) and the service runs as root',
        }
      : {}),
  });

  const floor = status.timeFloor ? Date.parse(status.timeFloor) : NaN;
  const behind = Number.isFinite(floor) ? floor - now : 0;
  checks.push({
    name: 'time',
    ok: behind <= CLOCK_SLACK_MS,
    found: !Number.isFinite(floor)
      ? 'no trusted-time floor yet (none is needed until a policy has been seen)'
      : behind > CLOCK_SLACK_MS
        ? `this PC's clock is ${inWords(behind)} behind the trusted-time floor ${status.timeFloor}; sanctions are judged against the floor`
        : `clock agrees with the trusted-time floor ${status.timeFloor}`,
    ...(behind > CLOCK_SLACK_MS
      ? { fix: 'set the clock right: check time synchronisation (NTP / w32time)' }
      : {}),
  });

  const hub = status.hub;
  if (!hub.url) {
    checks.push({ name: 'hub', ok: true, found: 'no hub configured: this terminal works alone' });
  } else {
    const ok = hub.enrolled && !hub.problem;
    checks.push({
      name: 'hub',
      ok,
      found: `${hub.url}: ${hub.enrolled ? 'enrolled' : 'not enrolled'}${hub.lastContact ? `, last contact ${inWords(now - Date.parse(hub.lastContact))} ago` : ', never reached'}${hub.problem ? `; ${hub.problem}` : ''}`,
      ...(ok
        ? {}
        : {
            fix: hub.enrolled
              ? 'check this PC reaches the hub address (proxy, firewall, certificate)'
              : "set hubEnrolmentSecret in the machine config from the hub's enrolment page",
          }),
    });
  }
  return checks;
}

export function formatChecks(checks: DoctorCheck[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  return checks
    .map(
      (c) =>
        `${c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(width)}  ${c.found}${c.fix ? `\n      ${' '.repeat(width)}  → ${c.fix}` : ''}`,
    )
    .join('\n');
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'check this computer: service, policy, enforcement, time, hub',
  usage: `classlock-admin doctor [--socket PATH] [--timeout MS]

Asks the machine service on this computer for its status and prints one line per check
(service running and its version, policy serial and age, stale or not, enforcement,
the trusted-time floor, hub reachable and enrolled), with what to do when one fails.
Exit status 0 only when every check passes. Any account may run it.`,
  options: { socket: { type: 'string' }, timeout: { type: 'string' } },
  async run(values, _pos, io) {
    const socket = typeof values.socket === 'string' ? values.socket : defaultSocket();
    const timeout = values.timeout === undefined ? DEFAULT_TIMEOUT_MS : Number(values.timeout);
    if (!Number.isInteger(timeout) || timeout < 100 || timeout > 120_000)
      throw new UsageError(
        `--timeout must be milliseconds between 100 and 120000, not "${String(values.timeout)}"`,
      );
    const status = await askStatus(socket, timeout).catch((err: Error) => err);
    const checks = diagnose(status, nowOf(io));
    io.stdout.write(`${formatChecks(checks)}\n`);
    const failed = checks.filter((c) => !c.ok).length;
    if (failed > 0) throw new InputError(`${failed} check${failed === 1 ? '' : 's'} failed`);
  },
};
