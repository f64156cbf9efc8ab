import type { AuditEntry } from '../../core/audit/audit-log';
import type { NewHubEvent } from './hub-link';

type Lock = Extract<NewHubEvent, { kind: 'lock' }>['reason'];
type Method = Extract<NewHubEvent, { kind: 'unlock' }>['method'];

const LOCK_REASONS: Record<string, Lock> = {
  idle: 'idle',
  lockNow: 'lockNow',
  suspend: 'suspend',
};

/** The terminal's unlock methods in the hub's words ("ldap" is the school directory). */
const METHODS: Record<string, Method> = { pin: 'pin', ldap: 'directory', override: 'override' };

const text = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() ? v.trim() : undefined;
const ids = (v: unknown): string[] => {
  const list = Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && !!x) : [];
  return list.length ? list.map((x) => x.slice(0, 100)) : ['(not named)'];
};
const person = (e: AuditEntry) => {
  const p = text(e.user) ?? text(e.osAccount);
  return p ? { person: p.slice(0, 256) } : {};
};
const serial = (v: unknown): number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : 0;
const short = (v: unknown) => {
  const t = text(typeof v === 'string' ? v : v === undefined ? undefined : JSON.stringify(v));
  return t ? { problem: t.slice(0, 300) } : {};
};

/**
 * The events of this PC's audit log the school's hub keeps, in the hub's terms. Everything
 * else (and anything malformed) stays on the PC only. Concerns are not here: raising one
 * asks the hub who was told (see the service's concern relay).
 */
export function hubEventsFor(e: AuditEntry): NewHubEvent[] {
  switch (e.event) {
    case 'agreement.accepted': {
      const [agreementId, version, textHash] = [text(e.agreementId), text(e.version), text(e.hash)];
      const p = person(e);
      if (!agreementId || !version || !textHash || !p.person) return [];
      const typedName = text(e.typedName);
      return [
        {
          kind: 'acceptance',
          person: p.person,
          agreementId,
          version,
          textHash,
          ...(typedName ? { typedName: typedName.slice(0, 200) } : {}),
        },
      ];
    }
    case 'session.locked':
      return [{ kind: 'lock', ...person(e), reason: LOCK_REASONS[String(e.reason)] ?? 'other' }];
    case 'session.unlocked':
    case 'visitor.authorised':
      return [{ kind: 'unlock', ...person(e), method: METHODS[String(e.method)] ?? 'other' }];
    case 'unlock.failed':
      return [{ kind: 'unlockFailed', ...person(e), method: METHODS[String(e.method)] ?? 'other' }];
    case 'override.used':
      return [{ kind: 'overrideUsed', ...person(e) }];
    case 'sanction.internetWithdrawn':
    case 'sanction.blocked': {
      const p = person(e);
      if (!p.person) return [];
      const scope = e.event === 'sanction.blocked' ? 'network' : 'internet';
      return ids(e.sanctionIds).map((sanctionId) => ({
        kind: 'sanctionApplied' as const,
        person: p.person,
        sanctionId,
        scope,
      }));
    }
    case 'sanction.internetRestored':
    case 'sanction.lifted': {
      const p = person(e);
      if (!p.person) return [];
      const scope = e.event === 'sanction.lifted' ? 'network' : 'internet';
      return ids(e.sanctionIds).map((sanctionId) => ({
        kind: 'sanctionLifted' as const,
        person: p.person,
        sanctionId,
        scope,
      }));
    }
    case 'enforcement.failed': {
      const p = person(e);
      if (!p.person) return [];
      const error = text(e.result);
      return [
        {
          kind: 'sanctionFailed',
          person: p.person,
          sanctionId: '(internet restriction)',
          scope: 'internet',
          ...(error ? { error: error.slice(0, 300) } : {}),
        },
      ];
    }
    case 'policy.applied':
      return [{ kind: 'policyInForce', serial: serial(e.serial) }];
    case 'policy.stale':
      return [{ kind: 'policyStale', serial: serial(e.serial), ...short(e.reason) }];
    case 'policy.rejected':
      return [
        {
          kind: 'policyRejected',
          serial: serial(e.serial ?? e.serialInForce),
          ...short(e.reason ?? e.problem),
        },
      ];
    case 'watchdog.locked':
      return [{ kind: 'clientMissing', ...person(e) }];
    default:
      return [];
  }
}
