import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceResponseSchema } from '../../src/shared/service-protocol';

/**
 * The deb schools get, built by the release script (around a stand-in Electron, as no
 * Electron binary can be downloaded here) and installed on this machine with dpkg: every
 * file, owner and mode; the unit checked by systemd; the service started as the unit
 * starts it; then removed and purged, leaving what docs/deployment.md says.
 */
const SERVICE_BUNDLE = 'dist/service/classlockd.cjs';
const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

function sh(args: string[], opts: { input?: string; timeout?: number } = {}) {
  const r = spawnSync(args[0]!, args.slice(1), {
    input: opts.input,
    encoding: 'utf8',
    timeout: opts.timeout ?? 60_000,
  });
  return {
    code: r.status ?? 1,
    out: r.stdout ?? '',
    err: `${r.stderr ?? ''}${r.error?.message ?? ''}`,
  };
}
const has = (cmd: string) => sh(['sh', '-c', `command -v ${cmd}`]).code === 0;

function whyNot(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not running as root: dpkg -i needs root';
  if (!has('dpkg-deb') || !has('dpkg')) return 'no dpkg on this machine';
  const st = sh(['dpkg-query', '-W', '-f=${db:Status-Status}', 'classlock']);
  if (st.code === 0 && st.out !== 'not-installed')
    return 'a classlock package is already installed here; the test will not replace it';
  return undefined;
}
const reason = whyNot();

interface Entry {
  mode: string;
  owner: string;
  path: string;
  link?: string;
}
/** `dpkg-deb -c`: mode string, owner/group, path (without the leading "."), link target. */
function contents(deb: string): Entry[] {
  return sh(['dpkg-deb', '-c', deb])
    .out.trim()
    .split('\n')
    .map((line) => {
      const m = /^(\S+) (\S+)\s+\d+ \S+ \S+ \.(\/\S*?)(?: -> (\S+))?$/.exec(line);
      if (!m) throw new Error(`unexpected dpkg-deb -c line: ${line}`);
      return { mode: m[1]!, owner: m[2]!, path: m[3]!, link: m[4] };
    });
}
function modeString(path: string): string {
  const st = lstatSync(path);
  const type = st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : '-';
  const bits = st.mode & 0o7777;
  const rwx = (b: number, special: boolean, ch: string) =>
    `${b & 4 ? 'r' : '-'}${b & 2 ? 'w' : '-'}${special ? (b & 1 ? ch : ch.toUpperCase()) : b & 1 ? 'x' : '-'}`;
  return (
    type +
    rwx(bits >> 6, (bits & 0o4000) !== 0, 's') +
    rwx(bits >> 3, (bits & 0o2000) !== 0, 's') +
    rwx(bits, (bits & 0o1000) !== 0, 't')
  );
}
const ownerOf = (p: string) => {
  const st = lstatSync(p);
  return `${st.uid}:${st.gid}`;
};
/** A stand-in for the last deb before the machine service, as its scripts laid a PC out. */
function buildOldLayoutDeb(dir: string): string {
  const root = join(dir, 'old-root');
  mkdirSync(join(root, 'DEBIAN'), { recursive: true });
  mkdirSync(join(root, 'opt/Classlock'), { recursive: true });
  writeFileSync(join(root, 'opt/Classlock/classlock'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  writeFileSync(
    join(root, 'DEBIAN/control'),
    'Package: classlock\nVersion: 0.0.1\nArchitecture: amd64\nMaintainer: test <test@invalid>\nDescription: the per-user layout\n',
  );
  writeFileSync(
    join(root, 'DEBIAN/postinst'),
    [
      '#!/bin/sh',
      'set -e',
      'install -d -m 0755 /var/lib/classlock',
      'for d in acceptances pins throttle policies; do install -d -m 1777 /var/lib/classlock/$d; done',
      'install -d -m 0777 /var/lib/classlock/state',
      'install -D -m 0644 /dev/null /etc/xdg/autostart/classlock.desktop',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  writeFileSync(
    join(root, 'DEBIAN/postrm'),
    '#!/bin/sh\nset -e\nrm -f /etc/xdg/autostart/classlock.desktop\nif [ "$1" = purge ]; then rm -rf /var/lib/classlock; fi\n',
    { mode: 0o755 },
  );
  const deb = join(dir, 'classlock_0.0.1_amd64.deb');
  expect(sh(['dpkg-deb', '--root-owner-group', '--build', root, deb]).code).toBe(0);
  return deb;
}
const status = () => sh(['dpkg-query', '-W', '-f=${Status}', 'classlock']);

describe.skipIf(reason)(
  `the deb, built and installed on this machine${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    let work = '';
    let deb = '';
    let entries: Entry[] = [];
    let service: ChildProcess | undefined;

    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), 'classlock-deb-'));
      if (!existsSync('dist/main/main.cjs'))
        expect(sh(['node', 'scripts/build-node.mjs']).code).toBe(0);
      const r = sh(['node', 'scripts/dist.mjs', '--targets', 'deb', '--stand-in', '--out', work], {
        timeout: 240_000,
      });
      expect(r.code, r.out + r.err).toBe(0);
      deb = join(work, 'stand-in', `classlock_${version}_amd64.deb`);
      entries = contents(deb);
    }, 300_000);

    afterAll(async () => {
      service?.kill('SIGKILL');
      if (status().code === 0) sh(['dpkg', '--purge', 'classlock']);
      if (work) await rm(work, { recursive: true, force: true });
    });

    it("declares the machine service's real dependencies and keeps the config example as a conffile", () => {
      const control = sh(['dpkg-deb', '-f', deb]).out;
      expect(control).toMatch(/^Depends: .*nodejs \(>= 20\)/m);
      expect(control).toMatch(/^Depends: .*\bnftables\b/m);
      expect(control).toMatch(/^Depends: .*libgtk-3-0 \| libgtk-3-0t64/m);
      expect(control).toMatch(/^Homepage: \S+/m);
      expect(sh(['dpkg-deb', '-I', deb, 'conffiles']).out.trim()).toBe(
        '/etc/classlock/config.example.json',
      );
    });

    it('holds the app, the service unit, the autostart entry, the AppArmor profile and both commands', () => {
      const paths = entries.map((e) => e.path);
      for (const p of [
        '/opt/Classlock/classlock',
        '/opt/Classlock/chrome-sandbox',
        '/opt/Classlock/resources/app.asar',
        '/opt/Classlock/resources/apparmor-profile',
        '/opt/Classlock/resources/default-policy.yaml',
        '/lib/systemd/system/classlockd.service',
        '/etc/xdg/autostart/classlock.desktop',
        '/etc/classlock/config.example.json',
        '/usr/bin/classlock-admin',
        '/usr/lib/classlock/classlock-admin.mjs',
        '/usr/lib/classlock/default-policy.yaml',
      ])
        expect(paths, p).toContain(p);
      expect(entries.find((e) => e.path === '/usr/bin/classlock')?.link).toBe(
        '/opt/Classlock/classlock',
      );
      for (const e of entries) expect(e.owner, e.path).toBe('root/root');
      // Nothing in the package is writable by anyone but root.
      for (const e of entries.filter((x) => !x.link))
        expect(e.mode.slice(5), e.path).not.toMatch(/w/);
    });

    it('installs with dpkg -i over the previous layout: every file with the owner and mode the package gives it', () => {
      // The version before the machine service: world-writable record folders, and a
      // post-removal script that deletes the autostart entry even on upgrade.
      const old = buildOldLayoutDeb(work);
      expect(sh(['dpkg', '-i', old]).code).toBe(0);
      expect(modeString('/var/lib/classlock/pins')).toBe('drwxrwxrwt');
      const r = sh(['dpkg', '-i', deb], { timeout: 120_000 });
      expect(r.code, r.out + r.err).toBe(0);
      expect(status().out).toBe('install ok installed');
      for (const e of entries) {
        if (e.path === '/') continue;
        expect(
          existsSync(e.path) || lstatSync(e.path, { throwIfNoEntry: false }),
          e.path,
        ).toBeTruthy();
        expect(ownerOf(e.path), e.path).toBe('0:0');
        if (e.link) {
          expect(readlinkSync(e.path), e.path).toBe(e.link);
        } else if (e.path === '/opt/Classlock/chrome-sandbox') {
          // setuid only where the kernel refuses unprivileged user namespaces.
          const userns = sh(['unshare', '--user', 'true']).code === 0;
          expect(modeString(e.path)).toBe(userns ? '-rwxr-xr-x' : '-rwsr-xr-x');
        } else if (
          !['/etc', '/lib', '/usr', '/opt', '/usr/bin', '/usr/lib', '/usr/share'].includes(
            e.path.replace(/\/$/, ''),
          )
        ) {
          expect(modeString(e.path.replace(/\/$/, '')), e.path).toBe(e.mode);
        }
      }
    });

    it("makes the service's data folder root-only, and closes the old world-writable layout to every user", () => {
      for (const dir of ['/var/lib/classlockd', '/var/lib/classlock']) {
        expect(modeString(dir), dir).toBe('drwx------');
        expect(ownerOf(dir), dir).toBe('0:0');
      }
      expect(sh(['runuser', '-u', 'nobody', '--', 'ls', '/var/lib/classlockd']).code).not.toBe(0);
      // An unprivileged account cannot list it, let alone plant a file in the old pins/ folder.
      expect(sh(['runuser', '-u', 'nobody', '--', 'ls', '/var/lib/classlock']).code).not.toBe(0);
      expect(
        sh([
          'runuser',
          '-u',
          'nobody',
          '--',
          'sh',
          '-c',
          'echo x > /var/lib/classlock/pins/planted',
        ]).code,
      ).not.toBe(0);
      expect(existsSync('/var/lib/classlock/pins/planted')).toBe(false);
    });

    it('starts the client in every desktop session, as an X11 client, without the phase key systemd skips', () => {
      const desktop = readFileSync('/etc/xdg/autostart/classlock.desktop', 'utf8');
      expect(desktop).not.toMatch(/X-GNOME-Autostart-Phase/);
      const exec = /^Exec=(\S+)(.*)$/m.exec(desktop);
      expect(exec?.[1]).toBe('/opt/Classlock/classlock');
      expect(exec?.[2]).toContain('--ozone-platform=x11');
      expect(modeString(exec![1]!)).toBe('-rwxr-xr-x');
    });

    it('the installed unit passes systemd-analyze verify and restarts the service on failure', () => {
      const unit = '/lib/systemd/system/classlockd.service';
      const r = sh(['systemd-analyze', 'verify', unit]);
      expect(r.code, r.err).toBe(0);
      expect(r.err).not.toMatch(/classlockd\.service/);
      const text = readFileSync(unit, 'utf8');
      expect(text).toMatch(/^Restart=on-failure$/m);
      expect(text).toMatch(/^ExecStart=\/usr\/bin\/node \/usr\/lib\/classlock\/classlockd\.cjs$/m);
      expect(text).toMatch(/^StateDirectoryMode=0700$/m);
      expect(text).toMatch(/^CapabilityBoundingSet=.*CAP_NET_ADMIN/m);
    });

    it('the IT tool runs from the package with the system Node', () => {
      const r = sh(['/usr/bin/classlock-admin', '--help']);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(/doctor/);
    });

    it.skipIf(!existsSync(SERVICE_BUNDLE))(
      `the service starts as its unit starts it, as root without systemd, and answers status on its socket${existsSync(SERVICE_BUNDLE) ? '' : ` (skipped: ${SERVICE_BUNDLE} is not built yet)`}`,
      async () => {
        const unit = readFileSync('/lib/systemd/system/classlockd.service', 'utf8');
        const cmd = /^ExecStart=(.*)$/m.exec(unit)![1]!.split(' ');
        // What systemd would do first: RuntimeDirectory= and StateDirectory=, the latter
        // passed as STATE_DIRECTORY.
        mkdirSync('/run/classlock', { recursive: true, mode: 0o755 });
        const state = `/var/lib/${/^StateDirectory=(\S+)$/m.exec(unit)![1]}`;
        expect(modeString(state)).toBe('drwx------');
        service = spawn(cmd[0]!, cmd.slice(1), {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, STATE_DIRECTORY: state },
        });
        let log = '';
        service.stdout!.on('data', (d: Buffer) => (log += d.toString()));
        service.stderr!.on('data', (d: Buffer) => (log += d.toString()));
        const sock = '/run/classlock/classlockd.sock';
        for (let i = 0; i < 100 && !existsSync(sock); i++)
          await new Promise((r) => setTimeout(r, 100));
        expect(existsSync(sock), log).toBe(true);
        const line = await new Promise<string>((resolve, reject) => {
          const c = connect(sock);
          let buf = '';
          const timer = setTimeout(
            () => (c.destroy(), reject(new Error(`no answer; log: ${log}`))),
            10_000,
          );
          c.on('data', (d) => {
            buf += d.toString();
            const nl = buf.indexOf('\n');
            if (nl >= 0) {
              clearTimeout(timer);
              c.end();
              resolve(buf.slice(0, nl));
            }
          });
          c.on('error', reject);
          c.write(`${JSON.stringify({ id: 1, type: 'status' })}\n`);
        });
        const res = ServiceResponseSchema.parse(JSON.parse(line));
        expect(res.ok, line).toBe(true);
        if (res.ok)
          expect(
            res.status?.version,
            'the status must carry the package version (classlockd-main.ts passes it to startClasslockd)',
          ).toBe(version);
        // The installed IT tool reads the same socket: its service line passes (the other
        // checks depend on a policy and a hub this machine does not have).
        const doc = sh(['/usr/bin/classlock-admin', 'doctor']);
        expect(doc.out, doc.err).toMatch(
          new RegExp(`^ok\\s+service\\s+running, version ${version.replace(/\./g, '\\.')}`, 'm'),
        );
        service.kill('SIGTERM');
        await new Promise((r) => service!.once('exit', r));
        service = undefined;
      },
    );

    it("an upgrade (installing again) keeps the school's records and the configuration", () => {
      writeFileSync('/var/lib/classlockd/record-from-before', 'kept');
      writeFileSync('/etc/classlock/config.json', '{}\n');
      const r = sh(['dpkg', '-i', deb], { timeout: 120_000 });
      expect(r.code, r.out + r.err).toBe(0);
      expect(readFileSync('/var/lib/classlockd/record-from-before', 'utf8')).toBe('kept');
      expect(readFileSync('/etc/classlock/config.json', 'utf8')).toBe('{}\n');
      expect(modeString('/var/lib/classlockd')).toBe('drwx------');
    });

    it('dpkg -r removes the program, the unit and the autostart entry, and keeps records and configuration', () => {
      const r = sh(['dpkg', '-r', 'classlock'], { timeout: 120_000 });
      expect(r.code, r.out + r.err).toBe(0);
      expect(status().out).toBe('deinstall ok config-files');
      for (const gone of [
        '/opt/Classlock',
        '/usr/bin/classlock',
        '/usr/bin/classlock-admin',
        '/usr/lib/classlock',
        '/lib/systemd/system/classlockd.service',
        '/etc/xdg/autostart/classlock.desktop',
        '/run/classlock',
      ])
        expect(lstatSync(gone, { throwIfNoEntry: false }), gone).toBeUndefined();
      // As docs/deployment.md says: the records, config.json and the example stay until purge.
      expect(readFileSync('/var/lib/classlockd/record-from-before', 'utf8')).toBe('kept');
      expect(existsSync('/var/lib/classlock/pins')).toBe(true);
      expect(existsSync('/etc/classlock/config.json')).toBe(true);
      expect(existsSync('/etc/classlock/config.example.json')).toBe(true);
    });

    it('dpkg -P removes the records and the configuration too: nothing is left', () => {
      const r = sh(['dpkg', '-P', 'classlock'], { timeout: 120_000 });
      expect(r.code, r.out + r.err).toBe(0);
      expect(status().code).not.toBe(0);
      for (const gone of [
        '/var/lib/classlockd',
        '/var/lib/classlock',
        '/etc/classlock',
        '/etc/apparmor.d/classlock',
      ])
        expect(lstatSync(gone, { throwIfNoEntry: false }), gone).toBeUndefined();
    });
  },
);
