import { orderChainFiles, verifyChain, type ChainFile } from '../core/audit/audit-chain';
import { InputError, readInput, UsageError, type Command } from './cli-support';

export const auditVerifyCommand: Command = {
  name: 'audit verify',
  summary: 'check that audit log files are complete and unchanged',
  usage: `classlock-admin audit verify FILE...

Checks the hash chain of one audit log or of a set of rotated ones (audit.jsonl,
audit.1.jsonl, ...: give them all, in any order; they are read oldest first). Names
the first broken line: changed, removed, added, or cut short by a crash.
Exit code 0 when the chain is whole, 1 otherwise.`,
  options: {},
  async run(_values, positionals, io) {
    if (positionals.length === 0) throw new UsageError('name the audit log file(s)');
    const files: ChainFile[] = [];
    for (const name of positionals) {
      files.push({ name, text: (await readInput(name, 'the audit log')).toString('utf8') });
    }
    const ordered = orderChainFiles(files);
    const r = verifyChain(ordered);
    const where =
      r.start === null
        ? ''
        : r.start.seq === 1
          ? 'from the first record ever written'
          : `from record ${r.start.seq} (what came before is in older files, not checked here)`;
    const summary = [
      `Files:   ${ordered.map((f) => f.name).join(', ')}`,
      `Records: ${r.records} ${where}`.trimEnd(),
      ...(r.lastHash ? [`Last:    record ${r.lastSeq ?? '?'}, hash ${r.lastHash}`] : []),
    ];
    if (r.problems.length === 0) {
      io.stdout.write(`${summary.join('\n')}\nChain:   whole\n`);
      return;
    }
    const first = r.problems[0]!;
    const list = r.problems
      .slice(0, 20)
      .map((p) => `  ${p.file} line ${p.line}: ${p.kind}: ${p.message}`);
    if (r.problems.length > 20) list.push(`  ... and ${r.problems.length - 20} more`);
    io.stdout.write(`${summary.join('\n')}\n`);
    throw new InputError(
      `the chain is broken: first at ${first.file} line ${first.line} (${first.kind})\n${list.join('\n')}`,
    );
  },
};
