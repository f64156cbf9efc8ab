// Runs the IT tool straight from the sources (`node --import tsx src/admin/cli-entry.ts`);
// the installed bin runs the bundled dist/admin/cli.mjs instead.
import { main } from './cli';

process.exitCode = await main(process.argv.slice(2));
