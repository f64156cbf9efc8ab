import { auditVerifyCommand } from './audit-command';
import { policyTemplatesCommand } from './admx';
import { doctorCommand } from './doctor-command';
import { explainCommand } from './explain-command';
import { reportAcceptancesCommand, terminalsCommand } from './hub-report-commands';
import { keygenCommand } from './keygen-command';
import { overrideHashCommand } from './override-hash-command';
import { previewCommand } from './preview-command';
import { initCommand, signCommand, validateCommand, verifyCommand } from './policy-commands';
import { sanctionCommands } from './sanction-commands';
import { schemaCommand } from './schema-command';
import { InputError, parseCommandArgs, UsageError, type CliIo, type Command } from './cli-support';

export type { CliIo } from './cli-support';

const COMMANDS: Command[] = [
  keygenCommand,
  initCommand,
  validateCommand,
  signCommand,
  verifyCommand,
  schemaCommand,
  ...sanctionCommands,
  explainCommand,
  overrideHashCommand,
  previewCommand,
  auditVerifyCommand,
  reportAcceptancesCommand,
  terminalsCommand,
  doctorCommand,
  policyTemplatesCommand,
];

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `classlock-admin: the IT tool for Classlock policies

Usage: classlock-admin COMMAND [options]     (COMMAND --help for details)

${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Exit codes: 0 done, 1 the input is not valid (the message says why), 2 wrong usage.
`;
}

function findCommand(argv: string[]): { cmd: Command; rest: string[] } | undefined {
  for (const words of [2, 1]) {
    const name = argv.slice(0, words).join(' ');
    const cmd = COMMANDS.find((c) => c.name === name);
    if (cmd) return { cmd, rest: argv.slice(words) };
  }
  return undefined;
}

/** Run one classlock-admin command; returns the exit code. */
export async function main(
  argv: string[],
  io: CliIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const first = argv[0];
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    (first === undefined ? io.stderr : io.stdout).write(overview());
    return first === undefined ? 2 : 0;
  }
  const found = findCommand(argv);
  if (!found) {
    if (first === 'audit') {
      io.stderr.write(`Usage: classlock-admin audit verify FILE...\n`);
      return argv[1] === '--help' || argv[1] === '-h' ? 0 : 2;
    }
    if (first === 'sanction') {
      const sub = argv[1];
      const names = COMMANDS.filter((c) => c.name.startsWith('sanction ')).map((c) => c.name);
      const wantsHelp = sub === undefined || sub === '--help' || sub === '-h';
      (wantsHelp && sub !== undefined ? io.stdout : io.stderr).write(
        `${sub && !wantsHelp ? `unknown sanction command "${sub}"\n` : ''}Usage: ${names.map((n) => `classlock-admin ${n} ...`).join('\n       ')}\n`,
      );
      return wantsHelp && sub !== undefined ? 0 : 2;
    }
    io.stderr.write(`unknown command "${first}"\n\n${overview()}`);
    return 2;
  }
  const { cmd, rest } = found;
  try {
    const { values, positionals } = parseCommandArgs(cmd, rest);
    if (values.help) {
      io.stdout.write(`${cmd.usage}\n`);
      return 0;
    }
    await cmd.run(values, positionals, io);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`classlock-admin ${cmd.name}: ${err.message}\n\nUsage: ${cmd.usage}\n`);
      return 2;
    }
    if (err instanceof InputError) {
      io.stderr.write(`classlock-admin ${cmd.name}: ${err.message}\n`);
      return 1;
    }
    const e = err as NodeJS.ErrnoException;
    io.stderr.write(
      `classlock-admin ${cmd.name}: ${e.code === 'EACCES' ? `permission denied: ${e.path ?? ''}` : e.message}\n`,
    );
    return 1;
  }
}
