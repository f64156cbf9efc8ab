import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConfigSource, MachineConfigInput } from './machine-config';

/** The machine-wide folder the network manager's installer writes config.json into. */
export function machineConfigDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (platform === 'win32') return join(env.ProgramData ?? 'C:\\ProgramData', 'Classlock');
  if (platform === 'darwin') return '/Library/Application Support/Classlock';
  return '/etc/classlock';
}

const MAX_CONFIG_BYTES = 1024 * 1024;

/** config.json in the machine-wide folder. A missing file is "nothing here", not an error. */
export class JsonFileConfigSource implements ConfigSource {
  readonly name: string;
  constructor(private readonly path: string = join(machineConfigDir(), 'config.json')) {
    this.name = path;
  }

  async read(): Promise<Partial<MachineConfigInput> | undefined> {
    let text: string;
    try {
      const buf = await readFile(this.path);
      if (buf.byteLength > MAX_CONFIG_BYTES) throw new Error('the file is larger than 1 MB');
      text = buf.toString('utf8').replace(/^\uFEFF/, ''); // Notepad writes a BOM
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      if (code === 'EACCES' || code === 'EPERM')
        throw new Error('cannot be read (permission denied)', { cause: err });
      throw err;
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new Error(`is not valid JSON (${(err as Error).message})`, { cause: err });
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new Error('must hold one JSON object { "policySources": [...], ... }');
    }
    return data as Partial<MachineConfigInput>;
  }
}
