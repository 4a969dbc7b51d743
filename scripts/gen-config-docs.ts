// scripts/gen-config-docs.ts - renders the key table of docs/configuration.md from src/config/schema.ts (run: npx tsx scripts/gen-config-docs.ts).
import fs from 'node:fs';
import { CONFIG_SCHEMA } from '../src/config/schema.ts';

const BEGIN = '<!-- BEGIN GENERATED KEYS (npx tsx scripts/gen-config-docs.ts) -->';
const END = '<!-- END GENERATED KEYS -->';
export const DOC_PATH = new URL('../docs/configuration.md', import.meta.url);

/** The generated Markdown table of every key. */
export function renderKeyTable(): string {
  const rows = Object.entries(CONFIG_SCHEMA).map(([k, s]) => {
    const cell = (x: string) => x.replace(/\|/g, '\\|');
    return `| \`${k}\` | ${cell(s.type)} | \`${cell(JSON.stringify(s.default))}\` | ${cell(s.unit ?? '')} | ${cell(s.doc)} |`;
  });
  return [BEGIN, '| key | type | default | unit | meaning |', '| --- | --- | --- | --- | --- |', ...rows, END].join('\n');
}

/** docs/configuration.md with its generated section replaced by the current table. */
export function renderDoc(current: string): string {
  const start = current.indexOf(BEGIN);
  const end = current.indexOf(END);
  if (start < 0 || end < 0) throw new Error('docs/configuration.md lacks the generated-keys markers');
  return current.slice(0, start) + renderKeyTable() + current.slice(end + END.length);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  fs.writeFileSync(DOC_PATH, renderDoc(fs.readFileSync(DOC_PATH, 'utf8')));
  console.log('docs/configuration.md updated');
}
