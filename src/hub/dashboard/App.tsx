import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { api, ApiError, can, setCsrf, type Me } from './api';
import {
  AcceptancesPage,
  ConcernsPage,
  EventsPage,
  ItPage,
  PersonPage,
  SanctionsPage,
  TerminalsPage,
} from './pages';

const PAGES = [
  { id: 'terminals', label: 'Terminals' },
  { id: 'concerns', label: 'Concerns', roles: ['it', 'safeguarding'] as const },
  { id: 'acceptances', label: 'Agreements' },
  { id: 'overrides', label: 'Override uses' },
  { id: 'sanctions', label: 'Sanctions' },
  { id: 'person', label: 'A person', roles: ['it', 'safeguarding'] as const },
  { id: 'it', label: 'Tokens and audit', roles: ['it'] as const },
] as const;
type PageId = (typeof PAGES)[number]['id'];

function pageFromHash(): { page: PageId; arg: string } {
  const [page, ...rest] = window.location.hash.replace(/^#\/?/, '').split('/');
  const found = PAGES.find((p) => p.id === page);
  return { page: found ? found.id : 'terminals', arg: decodeURIComponent(rest.join('/')) };
}

function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const r = await api<{ csrf: string }>('POST', '/api/v1/staff/sign-in', {
        username,
        password,
      });
      setCsrf(r.csrf);
      setPassword('');
      onSignedIn();
    } catch (err) {
      setProblem((err as Error).message);
    }
  };
  return (
    <main className="screen">
      <div className="panel panel-narrow">
        <h1>Classlock hub</h1>
        <p className="lead">Sign in with your school account.</p>
        <form onSubmit={submit}>
          <div className="field">
            <label htmlFor="username">User name</label>
            <input
              id="username"
              type="text"
              autoComplete="username"
              value={username}
              onChange={(e) => setUsername(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="password">Password</label>
            <input
              id="password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </div>
          {problem && (
            <p className="problem" role="alert">
              {problem}
            </p>
          )}
          <div className="actions">
            <button className="button button-primary" type="submit">
              Sign in
            </button>
          </div>
        </form>
      </div>
    </main>
  );
}

export function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [school, setSchool] = useState('');
  const [route, setRoute] = useState(pageFromHash);

  const load = useCallback(() => {
    api<Me>('GET', '/api/v1/staff/me').then(
      (m) => {
        setCsrf(m.csrf);
        setMe(m);
        setSchool((s) => s || m.schools[0]?.id || '');
      },
      (err: unknown) => {
        if (err instanceof ApiError && err.status === 401) setMe(null);
        else throw err;
      },
    );
  }, []);

  useEffect(() => {
    load();
    const onHash = () => setRoute(pageFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [load]);

  if (me === undefined) return <main className="screen" aria-busy="true" />;
  if (me === null) return <SignIn onSignedIn={load} />;

  const signOut = async () => {
    await api('POST', '/api/v1/staff/sign-out');
    setCsrf(null);
    setMe(null);
  };
  const visible = PAGES.filter((p) => !('roles' in p) || can(me, school, [...p.roles]));
  const page = visible.some((p) => p.id === route.page) ? route.page : 'terminals';
  let body: ReactNode;
  if (!school) body = <p>Your account has no role at any school of this hub.</p>;
  else if (page === 'terminals') body = <TerminalsPage me={me} school={school} />;
  else if (page === 'concerns') body = <ConcernsPage school={school} />;
  else if (page === 'acceptances') body = <AcceptancesPage school={school} />;
  else if (page === 'overrides') body = <EventsPage school={school} />;
  else if (page === 'sanctions') body = <SanctionsPage school={school} />;
  else if (page === 'it') body = <ItPage school={school} />;
  else body = <PersonPage me={me} school={school} initial={route.arg} />;

  return (
    <div className="hub">
      <header className="hub-bar">
        <h1>Classlock hub</h1>
        <div className="inline-form">
          {me.schools.length > 1 && (
            <label>
              <span className="visually-hidden">School</span>
              <select value={school} onChange={(e) => setSchool(e.target.value)}>
                {me.schools.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                  </option>
                ))}
              </select>
            </label>
          )}
          <span>{me.name}</span>
          <button className="button button-secondary" type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <nav aria-label="Dashboard">
        <ul className="hub-nav">
          {visible.map((p) => (
            <li key={p.id}>
              <a href={`#/${p.id}`} aria-current={p.id === page ? 'page' : undefined}>
                {p.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main className="panel">{body}</main>
    </div>
  );
}
