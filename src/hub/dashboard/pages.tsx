import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, can, type Me } from './api';

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString('en-GB') : '—');

/** Loads `path` now and every `everyMs` (0: once); shows the hub's problem in words. */
function useHub<T>(
  path: string,
  everyMs = 0,
): { data: T | undefined; problem: string; reload: () => void } {
  const [data, setData] = useState<T>();
  const [problem, setProblem] = useState('');
  const reload = useCallback(() => {
    api<T>('GET', path).then(
      (d) => {
        setData(d);
        setProblem('');
      },
      (err: Error) => setProblem(err.message),
    );
  }, [path]);
  useEffect(() => {
    reload();
    if (!everyMs) return undefined;
    const t = setInterval(reload, everyMs);
    return () => clearInterval(t);
  }, [reload, everyMs]);
  return { data, problem, reload };
}

function Problem({ text }: { text: string }) {
  return text ? (
    <p className="problem" role="alert">
      {text}
    </p>
  ) : null;
}

interface Terminal {
  id: string;
  machineId: string;
  hostname: string | null;
  lastSeen: string | null;
  quiet: boolean;
  revokedAt: string | null;
  policySerial: number | null;
  policyState: string | null;
  policyProblem: string | null;
  enforcementFailures: number;
  clientMissingAt: string | null;
  outboxDropped: number;
}

export function TerminalsPage({ me, school }: { me: Me; school: string }) {
  const { data, problem, reload } = useHub<{ terminals: Terminal[] }>(
    `/api/v1/staff/schools/${school}/terminals`,
    15_000,
  );
  const [actionProblem, setActionProblem] = useState('');
  const isIt = can(me, school, ['it']);
  const revoke = async (t: Terminal) => {
    if (
      !window.confirm(
        `Revoke ${t.hostname ?? t.machineId}? It will no longer be able to talk to the hub.`,
      )
    )
      return;
    try {
      await api('POST', `/api/v1/staff/schools/${school}/terminals/${t.id}/revoke`);
      reload();
    } catch (err) {
      setActionProblem((err as Error).message);
    }
  };
  return (
    <section aria-labelledby="terminals-h">
      <h2 id="terminals-h">Terminals</h2>
      <Problem text={problem || actionProblem} />
      <table>
        <caption className="visually-hidden">Enrolled terminals</caption>
        <thead>
          <tr>
            <th scope="col">Terminal</th>
            <th scope="col">Last seen</th>
            <th scope="col">Policy</th>
            <th scope="col">Needs a look</th>
            {isIt && <th scope="col">Action</th>}
          </tr>
        </thead>
        <tbody>
          {data?.terminals.map((t) => (
            <tr key={t.id}>
              <td>{t.hostname ?? t.machineId}</td>
              <td>{when(t.lastSeen)}</td>
              <td>
                {t.policySerial ?? '—'}
                {t.policyState === 'policyStale' && ' (stale)'}
                {t.policyState === 'policyRejected' &&
                  ` (refused a new one: ${t.policyProblem ?? ''})`}
              </td>
              <td
                className={
                  t.quiet || t.revokedAt || t.enforcementFailures || t.clientMissingAt ? 'warn' : ''
                }
              >
                {[
                  t.revokedAt ? `revoked ${when(t.revokedAt)}` : '',
                  t.quiet && !t.revokedAt ? 'quiet for 30 minutes or more' : '',
                  t.enforcementFailures
                    ? `${t.enforcementFailures} enforcement failures this week`
                    : '',
                  t.clientMissingAt ? `client missing since ${when(t.clientMissingAt)}` : '',
                  t.outboxDropped ? `${t.outboxDropped} routine events dropped while offline` : '',
                ]
                  .filter(Boolean)
                  .join('; ') || 'nothing'}
              </td>
              {isIt && (
                <td>
                  {!t.revokedAt && (
                    <button
                      className="button button-secondary"
                      type="button"
                      onClick={() => void revoke(t)}
                    >
                      Revoke <span className="visually-hidden">{t.hostname ?? t.machineId}</span>
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {data && !data.terminals.length && <p>No terminal has enrolled yet.</p>}
    </section>
  );
}

interface Concern {
  id: string;
  person: string | null;
  raisedAt: string | null;
  terminal: string | null;
  told: string[];
  notifyProblem: string | null;
  handledAt: string | null;
  handledBy: string | null;
  handledNote: string | null;
}

export function ConcernsPage({ school }: { school: string }) {
  // Live: a new concern shows within five seconds.
  const { data, problem, reload } = useHub<{ concerns: Concern[] }>(
    `/api/v1/staff/schools/${school}/concerns`,
    5_000,
  );
  const [actionProblem, setActionProblem] = useState('');
  const handled = async (c: Concern) => {
    const note = window.prompt('Note for the record (optional):') ?? '';
    try {
      await api('POST', `/api/v1/staff/schools/${school}/concerns/${c.id}/handled`, { note });
      reload();
    } catch (err) {
      setActionProblem((err as Error).message);
    }
  };
  const open = data?.concerns.filter((c) => !c.handledAt).length ?? 0;
  return (
    <section aria-labelledby="concerns-h">
      <h2 id="concerns-h">Concerns</h2>
      <p aria-live="polite">{data ? `${open} open` : ''}</p>
      <Problem text={problem || actionProblem} />
      <table>
        <caption className="visually-hidden">Concerns raised at terminals</caption>
        <thead>
          <tr>
            <th scope="col">Raised</th>
            <th scope="col">Who</th>
            <th scope="col">Where</th>
            <th scope="col">Told</th>
            <th scope="col">Handled</th>
          </tr>
        </thead>
        <tbody>
          {data?.concerns.map((c) => (
            <tr key={c.id}>
              <td>{when(c.raisedAt)}</td>
              <td>{c.person ?? 'not signed in'}</td>
              <td>{c.terminal ?? '—'}</td>
              <td className={c.notifyProblem ? 'warn' : ''}>
                {c.told.join(', ') || c.notifyProblem || 'not yet'}
              </td>
              <td>
                {c.handledAt ? (
                  `${when(c.handledAt)} by ${c.handledBy ?? ''}${c.handledNote ? `: ${c.handledNote}` : ''}`
                ) : (
                  <button
                    className="button button-calm"
                    type="button"
                    onClick={() => void handled(c)}
                  >
                    Mark handled
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

interface Version {
  agreementId: string;
  version: string;
  people: number;
}
interface Report {
  accepted: {
    person: string;
    acceptedAt: string | null;
    typedName: string | null;
    terminal: string | null;
  }[];
  notYet: string[];
}

export function AcceptancesPage({ school }: { school: string }) {
  const { data, problem } = useHub<{ versions: Version[] }>(
    `/api/v1/staff/schools/${school}/agreements`,
  );
  const [chosen, setChosen] = useState<Version>();
  const q = chosen
    ? `agreement=${encodeURIComponent(chosen.agreementId)}&version=${encodeURIComponent(chosen.version)}`
    : '';
  const [report, setReport] = useState<Report>();
  useEffect(() => {
    if (!q) return;
    void api<Report>('GET', `/api/v1/staff/schools/${school}/acceptances?${q}`).then(setReport);
  }, [q, school]);
  return (
    <section aria-labelledby="acc-h">
      <h2 id="acc-h">Agreements</h2>
      <Problem text={problem} />
      <table>
        <caption className="visually-hidden">Agreement versions accepted at this school</caption>
        <thead>
          <tr>
            <th scope="col">Agreement</th>
            <th scope="col">Version</th>
            <th scope="col">Accepted by</th>
            <th scope="col">Report</th>
          </tr>
        </thead>
        <tbody>
          {data?.versions.map((v) => (
            <tr key={`${v.agreementId}/${v.version}`}>
              <td>{v.agreementId}</td>
              <td>{v.version}</td>
              <td>{v.people}</td>
              <td>
                <button
                  className="button button-secondary"
                  type="button"
                  onClick={() => setChosen(v)}
                >
                  Show {v.agreementId} version {v.version}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {chosen && report && (
        <>
          <h3 className="subheading">
            {chosen.agreementId} version {chosen.version}: {report.accepted.length} accepted,{' '}
            {report.notYet.length} not yet
          </h3>
          <p>
            <a href={`/api/v1/staff/schools/${school}/acceptances?${q}&format=csv`} download>
              Download as CSV
            </a>
          </p>
          <table>
            <caption className="visually-hidden">Who has accepted</caption>
            <thead>
              <tr>
                <th scope="col">Person</th>
                <th scope="col">Accepted</th>
                <th scope="col">Typed name</th>
                <th scope="col">Terminal</th>
              </tr>
            </thead>
            <tbody>
              {report.accepted.map((a) => (
                <tr key={a.person}>
                  <td>
                    <a href={`#/person/${encodeURIComponent(a.person)}`}>{a.person}</a>
                  </td>
                  <td>{when(a.acceptedAt)}</td>
                  <td>{a.typedName ?? ''}</td>
                  <td>{a.terminal ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3 className="subheading">Not yet accepted</h3>
          <p>{report.notYet.join(', ') || 'Everyone the hub has seen has accepted.'}</p>
        </>
      )}
    </section>
  );
}

export function EventsPage({ school }: { school: string }) {
  const { data, problem } = useHub<{
    uses: { id: string; at: string | null; person: string | null; terminal: string | null }[];
  }>(`/api/v1/staff/schools/${school}/overrides`);
  return (
    <section aria-labelledby="ov-h">
      <h2 id="ov-h">Override uses</h2>
      <Problem text={problem} />
      <table>
        <caption className="visually-hidden">Each use of the IT override code</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Terminal</th>
            <th scope="col">Session of</th>
          </tr>
        </thead>
        <tbody>
          {data?.uses.map((u) => (
            <tr key={u.id}>
              <td>{when(u.at)}</td>
              <td>{u.terminal ?? '—'}</td>
              <td>{u.person ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {data && !data.uses.length && <p>The override has not been used.</p>}
    </section>
  );
}

export function SanctionsPage({ school }: { school: string }) {
  const { data, problem } = useHub<{
    sanctions: {
      sanctionId: string;
      person: string;
      scope: string;
      state: string;
      error: string | null;
      since: string | null;
      terminal: string | null;
    }[];
  }>(`/api/v1/staff/schools/${school}/sanctions`, 30_000);
  return (
    <section aria-labelledby="sa-h">
      <h2 id="sa-h">Sanctions in force</h2>
      <Problem text={problem} />
      <table>
        <caption className="visually-hidden">Sanctions applied, or failing, per terminal</caption>
        <thead>
          <tr>
            <th scope="col">Person</th>
            <th scope="col">Sanction</th>
            <th scope="col">Terminal</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {data?.sanctions.map((s) => (
            <tr key={`${s.sanctionId}/${s.terminal ?? ''}`}>
              <td>{s.person}</td>
              <td>
                {s.sanctionId} ({s.scope})
              </td>
              <td>{s.terminal ?? '—'}</td>
              <td className={s.state === 'failed' ? 'warn' : ''}>
                {s.state === 'applied'
                  ? `applied since ${when(s.since)}`
                  : `failed: ${s.error ?? ''}`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {data && !data.sanctions.length && <p>No sanction is in force on any terminal.</p>}
    </section>
  );
}

interface Person {
  person: string;
  events: { kind: string; at: string | null; terminal: string | null }[];
  sanctions: { sanctionId: string; scope: string; state: string; terminal: string | null }[];
  pin: { role: string; setAt: string | null } | null;
}

export function PersonPage({ me, school, initial }: { me: Me; school: string; initial: string }) {
  const [name, setName] = useState(initial);
  const [person, setPerson] = useState<Person>();
  const [problem, setProblem] = useState('');
  const [done, setDone] = useState('');
  const isIt = can(me, school, ['it']);
  const base = `/api/v1/staff/schools/${school}`;
  const look = useCallback(
    async (who: string) => {
      setDone('');
      try {
        setPerson(await api<Person>('GET', `${base}/people/${encodeURIComponent(who)}`));
        setProblem('');
      } catch (err) {
        setProblem((err as Error).message);
      }
    },
    [base],
  );
  useEffect(() => {
    if (!initial) return;
    api<Person>('GET', `${base}/people/${encodeURIComponent(initial)}`).then(
      setPerson,
      (err: Error) => setProblem(err.message),
    );
  }, [initial, base]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim()) void look(name.trim());
  };
  const act = async (method: string, path: string, confirmText: string, doneText: string) => {
    if (!window.confirm(confirmText)) return;
    try {
      await api(method, path);
      setDone(doneText);
      if (person) await look(person.person);
    } catch (err) {
      setProblem((err as Error).message);
    }
  };
  return (
    <section aria-labelledby="person-h">
      <h2 id="person-h">A person</h2>
      <form className="inline-form" onSubmit={submit}>
        <div className="field">
          <label htmlFor="person-name">User name</label>
          <input
            id="person-name"
            type="text"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <button className="button button-primary" type="submit">
          Look up
        </button>
      </form>
      <Problem text={problem} />
      {done && <p role="status">{done}</p>}
      {person && (
        <>
          <h3 className="subheading">{person.person}</h3>
          <p>
            Staff PIN: {person.pin ? `set ${when(person.pin.setAt)} (${person.pin.role})` : 'none'}
            {isIt && person.pin && (
              <>
                {' '}
                <button
                  className="button button-secondary"
                  type="button"
                  onClick={() =>
                    void act(
                      'DELETE',
                      `${base}/pins/${encodeURIComponent(person.person)}`,
                      `Reset ${person.person}'s PIN? They enrol a new one at their next unlock.`,
                      'PIN reset.',
                    )
                  }
                >
                  Reset PIN
                </button>
              </>
            )}
          </p>
          <p>
            Sanctions in force:{' '}
            {person.sanctions
              .map((s) => `${s.sanctionId} (${s.scope}, ${s.state} on ${s.terminal ?? '?'})`)
              .join('; ') || 'none'}
          </p>
          {isIt && (
            <div className="actions">
              <a
                className="button button-secondary"
                href={`${base}/people/${encodeURIComponent(person.person)}/export`}
                download={`${person.person}.json`}
              >
                Export their records
              </a>
              <button
                className="button button-secondary"
                type="button"
                onClick={() =>
                  void act(
                    'DELETE',
                    `${base}/people/${encodeURIComponent(person.person)}`,
                    `Erase everything the hub holds about ${person.person}? This cannot be undone.`,
                    'Erased.',
                  )
                }
              >
                Erase their records
              </button>
            </div>
          )}
          <table>
            <caption className="visually-hidden">What happened, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What</th>
                <th scope="col">Terminal</th>
              </tr>
            </thead>
            <tbody>
              {person.events.map((e, i) => (
                <tr key={i}>
                  <td>{when(e.at)}</td>
                  <td>{e.kind}</td>
                  <td>{e.terminal ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

interface AuditEntry {
  at: string;
  actor: string;
  action: string;
  detail: Record<string, unknown>;
}

/** IT: API tokens for scripts, and the audit of everything done on the dashboard. */
export function ItPage({ school }: { school: string }) {
  const { data, problem, reload } = useHub<{ entries: AuditEntry[] }>(
    `/api/v1/staff/schools/${school}/audit`,
  );
  const [label, setLabel] = useState('');
  const [role, setRole] = useState('readonly');
  const [token, setToken] = useState('');
  const [actionProblem, setActionProblem] = useState('');
  const issue = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const r = await api<{ token: string }>('POST', `/api/v1/staff/schools/${school}/tokens`, {
        label,
        role,
      });
      setToken(r.token);
      setLabel('');
      reload();
    } catch (err) {
      setActionProblem((err as Error).message);
    }
  };
  return (
    <section aria-labelledby="it-h">
      <h2 id="it-h">API tokens and audit</h2>
      <form className="inline-form" onSubmit={issue}>
        <div className="field">
          <label htmlFor="token-label">Who or what will use the token</label>
          <input
            id="token-label"
            type="text"
            value={label}
            onChange={(e) => setLabel(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="token-role">Role</label>
          <select id="token-role" value={role} onChange={(e) => setRole(e.target.value)}>
            <option value="readonly">read-only</option>
            <option value="safeguarding">safeguarding</option>
            <option value="it">IT</option>
          </select>
        </div>
        <button className="button button-primary" type="submit" disabled={!label.trim()}>
          Issue a token
        </button>
      </form>
      {token && (
        <p role="status">
          Copy it now; the hub keeps only its hash: <code>{token}</code>
        </p>
      )}
      <Problem text={problem || actionProblem} />
      <table>
        <caption className="visually-hidden">The audit, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">What</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {data?.entries.map((a, i) => (
            <tr key={i}>
              <td>{when(a.at)}</td>
              <td>{a.actor}</td>
              <td>{a.action}</td>
              <td>
                {Object.entries(a.detail)
                  .filter(([k]) => k !== 'school')
                  .map(([k, v]) => `${k}: ${String(v)}`)
                  .join(', ')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
