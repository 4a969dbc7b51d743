/** cli/help.ts - aligned option tables for --help texts. Imports nothing. */

/** One option line: flags (e.g. "-d, --difficulty <bits>") and a description ('\n' continues it on the next line). */
export type HelpRow = [flags: string, description: string];

/** Flags wider than this put their description on the next line. */
const MAX_FLAGS_WIDTH = 30;

/** The `-h, --help` row every command lists last. */
export const HELP_ROW: HelpRow = ['-h, --help', 'this help'];

/** Render rows as an aligned two-column table; long-only flags are indented to line up with short ones. */
export function formatOptions(rows: HelpRow[]): string {
  const flags = rows.map(([f]) => (f.startsWith('--') ? `    ${f}` : f));
  const width = Math.min(MAX_FLAGS_WIDTH, Math.max(...flags.map((f) => f.length)));
  const pad = ' '.repeat(width + 4);
  const out: string[] = [];
  rows.forEach(([, desc], i) => {
    const f = flags[i] as string;
    const [first = '', ...more] = desc.split('\n');
    if (f.length > width) out.push(`  ${f}`, `${pad}${first}`);
    else out.push(`  ${f.padEnd(width)}  ${first}`);
    for (const m of more) out.push(`${pad}${m}`);
  });
  return out.join('\n');
}
