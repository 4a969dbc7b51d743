// scripts/gen-trader-config-docs.ts - regenerate the mega-trader key table in docs/configuration.md from src/trader-daemon/config.ts (test/unit/trader-daemon/config.test.ts checks it). Run: npx tsx scripts/gen-trader-config-docs.ts
import fs from 'node:fs';
import { docRows } from '../src/daemon/config-spec.ts';
import { TRADER_CONFIG_FIELDS } from '../src/trader-daemon/config.ts';

const FILE = 'docs/configuration.md';
const doc = fs.readFileSync(FILE, 'utf8');
const re = /(<!-- BEGIN GENERATED TRADER KEYS[^\n]*-->\n\| Key \| Type \| Default \| Meaning \|\n\|---\|---\|---\|---\|\n)[\s\S]*?(\n<!-- END GENERATED TRADER KEYS -->)/;
if (!re.test(doc)) throw new Error(`${FILE} has no generated mega-trader block`);
fs.writeFileSync(FILE, doc.replace(re, (_m, head: string, tail: string) => `${head}${docRows(TRADER_CONFIG_FIELDS).join('\n')}${tail}`));
