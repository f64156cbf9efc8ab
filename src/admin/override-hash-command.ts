import { hashSecret } from '../core/unlock/scrypt-hash';
import { InputError, type Command } from './cli-support';

const MIN_CODE_LENGTH = 10;

async function readAll(stream: AsyncIterable<string | Buffer>): Promise<string> {
  let s = '';
  for await (const chunk of stream) s += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
  return s;
}

export const overrideHashCommand: Command = {
  name: 'override-hash',
  summary: "hash an IT override code for the policy's override.hash",
  usage: `classlock-admin override-hash < code.txt

Reads the override code from standard input (type it and press Ctrl+D, or pipe it in)
and prints the salted scrypt hash to put in policy.yaml under override.hash. The code
itself is never written anywhere; keep it in your password safe.`,
  options: {},
  async run(_values, _pos, io) {
    const raw = await readAll(io.stdin ?? process.stdin);
    const code = raw.replace(/\r?\n$/, '');
    if (code.includes('\n')) throw new InputError('the override code must be one line');
    if (code.trim().length < MIN_CODE_LENGTH) {
      throw new InputError(`the override code must be at least ${MIN_CODE_LENGTH} characters long`);
    }
    io.stdout.write(`${await hashSecret(code)}\n`);
  },
};
