// scripts/gen-oracle-config-docs.ts - regenerate the mega-oracle key table in docs/configuration.md from src/oracle-daemon/config.ts (test/unit/oracle/daemon-config.test.ts checks it). Run: npx tsx scripts/gen-oracle-config-docs.ts
import fs from 'node:fs';
import { ORACLE_CONFIG_FIELDS } from '../src/oracle-daemon/config.ts';
import { docRows } from '../src/oracle-daemon/spec.ts';

const FILE = 'docs/configuration.md';
const doc = fs.readFileSync(FILE, 'utf8');
const re = /(<!-- BEGIN GENERATED ORACLE KEYS[^\n]*-->\n\| Key \| Type \| Default \| Meaning \|\n\|---\|---\|---\|---\|\n)[\s\S]*?(\n<!-- END GENERATED ORACLE KEYS -->)/;
if (!re.test(doc)) throw new Error(`${FILE} has no generated mega-oracle block`);
fs.writeFileSync(FILE, doc.replace(re, (_m, head: string, tail: string) => `${head}${docRows(ORACLE_CONFIG_FIELDS).join('\n')}${tail}`));
