import type { Intent } from '../../src/shared/intents';
import { ViewSchema, type View } from '../../src/shared/view';
import type { ViewSource } from './harness';

/**
 * A stand-in session for drawing screens the real runtime reaches only through long set-up
 * (sanctions, concerns, visitors): it holds a View, answers intents with a reply function
 * and records them, and pushes new Views as the runtime would. Every View is checked
 * against the shared schema, so a fixture cannot drift from the contract.
 */
export class FixtureSource implements ViewSource {
  readonly intents: Intent[] = [];
  private current: View;
  private readonly listeners = new Set<(v: View) => void>();

  constructor(
    first: View,
    private readonly reply: (i: Intent, now: View) => View = (_i, now) => now,
  ) {
    this.current = ViewSchema.parse(first);
  }

  view(): View {
    return this.current;
  }

  async intent(i: Intent): Promise<View> {
    this.intents.push(i);
    this.show(this.reply(i, this.current));
    return this.current;
  }

  show(v: View): void {
    this.current = ViewSchema.parse(v);
    for (const l of this.listeners) l(this.current);
  }

  onView(listener: (v: View) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

const T = Date.parse('2026-11-23T09:00:00Z');
const pupil = { account: 'SCHOOL\\y3.ava', displayName: 'Ava Jones', role: 'pupil' as const };
const staff = { account: 'SCHOOL\\r.patel', displayName: 'Mr R Patel', role: 'staff' as const };
const visitor = { account: 'SCHOOL\\guest2', displayName: 'Guest 2', role: 'visitor' as const };
const base = { locale: 'en-GB' };
const organisation = { name: 'Example Primary School', itContact: 'the IT office' };
const monitoring = {
  id: 'monitoring',
  title: 'How the school checks computer use',
  body: '**What is recorded:** who logged in, where and when, and the websites visited.',
};

const longBody = [
  '## How I use school computers',
  '',
  ...Array.from(
    { length: 16 },
    (_, i) => `${i + 1}. Promise number ${i + 1}: I will be safe and kind online.`,
  ),
  '',
  'That is the end of my promise.',
].join('\n');

export const fixtures = {
  none: { screen: 'none', ...base, user: staff },
  agreementPupil: {
    screen: 'agreement',
    ...base,
    user: pupil,
    agreement: { id: 'pupil-aua', version: '1', title: 'My computer promise', body: longBody },
    acknowledgement: 'checkbox',
    confirmingDecline: false,
    position: 1,
    count: 1,
  },
  agreementShort: {
    screen: 'agreement',
    ...base,
    user: visitor,
    agreement: {
      id: 'visitor-aua',
      version: '3',
      title: 'Visitor agreement',
      body: 'Use this computer only for what you came to do. <b>bold?</b> [a link](https://example.invalid) ![a picture](https://example.invalid/p.png)',
    },
    acknowledgement: 'checkbox',
    confirmingDecline: false,
    position: 1,
    count: 2,
  },
  agreementStaff: {
    screen: 'agreement',
    ...base,
    user: staff,
    agreement: {
      id: 'staff-aua',
      version: '2',
      title: 'Staff acceptable use agreement',
      body: longBody,
      // A hostile policy's Markdown: raw HTML and a remote picture must come to nothing.
      changes:
        'Point 9 now covers **personal tablets** as well as phones. <img src="https://example.invalid/x.png"> ![a tracker](https://example.invalid/t.png)',
    },
    acknowledgement: 'typedName',
    notices: [monitoring],
    confirmingDecline: false,
    position: 1,
    count: 1,
  },
  agreementKs1: {
    screen: 'agreement',
    ...base,
    user: pupil,
    agreement: {
      id: 'pupil-ks1',
      version: '1',
      title: 'My computer promise',
      body: 'I use the school computers safely. These are my promises.',
      promises: [
        { text: 'I only log in as me.', picture: 'me' },
        { text: 'I keep my password secret.', picture: 'secret' },
        { text: 'I am kind online.', picture: 'kind' },
        { text: 'If something upsets me, I tell a teacher.', picture: 'tell' },
        { text: 'I ask before I click on new things.', picture: 'ask' },
        { text: 'I log off when I finish.', picture: 'logoff' },
      ],
    },
    acknowledgement: 'checkbox',
    notices: [monitoring],
    confirmingDecline: false,
    position: 1,
    count: 1,
  },
  notice: { screen: 'notice', ...base, user: pupil, notice: monitoring },
  pinEnrol: {
    screen: 'pinEnrol',
    ...base,
    user: staff,
    rules: {
      minLength: 6,
      maxLength: 8,
      requireLetter: true,
      requireDigit: true,
      requireSymbol: true,
    },
  },
  warningPupil: {
    screen: 'warning',
    ...base,
    user: pupil,
    lockAt: T + 30_000,
    secondsLeft: 30,
    canHideScreen: true,
    hideScreen: { shortcut: 'Ctrl+Alt+H' },
  },
  endOfDay: {
    screen: 'endOfDay',
    ...base,
    user: staff,
    logoffAt: T + 600_000,
    secondsLeft: 600,
  },
  lockedStaff: {
    screen: 'locked',
    ...base,
    user: staff,
    since: new Date(T).toISOString(),
    rules: ['Lock the computer when you walk away.', 'Never share your password.'],
    methods: ['pin', 'ldap', 'override'],
    failedAttempts: 0,
    unlockBy: 'owner',
    canEndSession: false,
    reason: 'idle',
    organisation,
  },
  lockedPupil: {
    screen: 'locked',
    ...base,
    user: pupil,
    since: new Date(T).toISOString(),
    rules: ['Only log in as you.', 'Tell a teacher if something upsets you.'],
    methods: ['pin', 'ldap', 'override'],
    failedAttempts: 0,
    logoffAt: T + 20 * 60_000,
    unlockBy: 'staff',
    canEndSession: true,
    reason: 'idle',
    organisation,
  },
  lockedConcern: {
    screen: 'locked',
    ...base,
    user: pupil,
    since: new Date(T).toISOString(),
    rules: [],
    methods: ['pin', 'override'],
    failedAttempts: 0,
    unlockBy: 'staff',
    canEndSession: true,
    reason: 'concern',
    organisation,
    safeguardingContact: 'Mrs Ahmed, our safeguarding lead',
  },
  lockedVisitor: {
    screen: 'locked',
    ...base,
    user: visitor,
    since: new Date(T).toISOString(),
    rules: ['A member of staff stays with you.'],
    methods: ['pin', 'override'],
    failedAttempts: 0,
    unlockBy: 'staff',
    canEndSession: false,
    reason: 'visitorAuthorisation',
  },
  blockedNetwork: {
    screen: 'blocked',
    ...base,
    user: pupil,
    scope: 'network',
    kind: 'sanction',
    reason: 'Sharing another pupil’s password.',
    until: '2026-12-04T00:00:00.000Z',
    contact: 'Mr Patel in the IT office',
    logoffAt: T + 60_000,
    secondsLeft: 60,
  },
  blockedNetworkMidSession: {
    screen: 'blocked',
    ...base,
    user: pupil,
    scope: 'network',
    kind: 'sanction',
    reason: 'Logging in as another pupil.',
    until: null,
    contact: 'Mr Patel in the IT office',
    logoffAt: T + 300_000,
    secondsLeft: 300,
    canGoBack: true,
  },
  blockedInternet: {
    screen: 'blocked',
    ...base,
    user: pupil,
    scope: 'internet',
    kind: 'sanction',
    reason: 'Visiting games sites in lessons.',
    until: null,
    contact: 'Mr Patel in the IT office',
  },
  blockedOptOut: {
    screen: 'blocked',
    ...base,
    user: pupil,
    scope: 'internet',
    kind: 'parentalOptOut',
    reason: 'Written request from a parent.',
    until: null,
    contact: 'the school office',
  },
  loggingOff: { screen: 'loggingOff', ...base, user: pupil, reason: 'declined' },
} satisfies Record<string, View>;
