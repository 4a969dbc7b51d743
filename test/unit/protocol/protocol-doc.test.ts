// test/unit/protocol/protocol-doc.test.ts - owns the drift checks between docs/PROTOCOL.md and the spec, the reason codes in src, and the vectors file.
import fs from 'node:fs';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SchemaRegistry } from '../../../src/protocol/schema.ts';
import { BAN_SCORES, type RejectReason } from '../../../src/service/types.ts';

const banScoreFor = (reason: string): number | undefined => BAN_SCORES[reason as RejectReason];
import { VECTORS_PATH } from './_helpers.ts';

const doc = fs.readFileSync(new URL('../../../docs/PROTOCOL.md', import.meta.url), 'utf8');
const docLines = doc.split('\n');
const spec = SchemaRegistry.load().doc;
const schemas = spec.components.schemas as Record<string, { properties?: Record<string, Record<string, unknown>>; required?: string[] }>;
const src = (p: string): string => fs.readFileSync(new URL(`../../../src/${p}`, import.meta.url), 'utf8');

const MESSAGE_SCHEMAS = ['Pow', 'Bid', 'OracleId', 'CapabilityParam', 'OracleCapability', 'FactRequest', 'Fact', 'PaymentProof', 'FactConflict', 'FactMissing', 'FactDisagreesWithPublic', 'DlcEquivocationContent', 'DlcNonceReuseContent', 'Report', 'Dispute'];
const LIMIT_KEYWORDS = ['maxLength', 'maxItems', 'maximum', 'maxProperties'] as const;

describe('docs/PROTOCOL.md matches wolfram-mega-spec.yaml', () => {
  for (const name of MESSAGE_SCHEMAS) {
    it(`${name}: every member is documented with its limits`, () => {
      const s = schemas[name];
      assert.notEqual(s?.properties, undefined);
      for (const [prop, def] of Object.entries(s?.properties ?? {})) {
        const rows = docLines.filter((l) => l.includes(`\`${prop}\``));
        assert.notEqual(rows.length, 0, `${name}.${prop} is not mentioned`);
        const limits: number[] = [];
        for (const k of LIMIT_KEYWORDS) if (typeof def[k] === 'number') limits.push(def[k] as number);
        const items = def.items as Record<string, unknown> | undefined;
        if (items && typeof items.maxLength === 'number') limits.push(items.maxLength);
        const extra = def.additionalProperties as Record<string, unknown> | undefined;
        if (extra && typeof extra.maxLength === 'number') limits.push(extra.maxLength);
        for (const limit of limits) {
          assert.equal(
            rows.some((l) => l.includes(String(limit))),
            true,
            `${name}.${prop}: limit ${limit} is not on a line naming \`${prop}\``,
          );
        }
      }
    });
  }

  it('the shared types are stated with the spec patterns and bounds', () => {
    for (const t of ['PubKey', 'Signature', 'Hash']) {
      const pattern = (schemas[t] as unknown as { pattern: string }).pattern;
      assert.equal(doc.includes(pattern), true, `${t} pattern ${pattern}`);
    }
    assert.equal((schemas.SeqNo as unknown as { maximum: number }).maximum, 9007199254740991);
    assert.equal((schemas.CTTL as unknown as { maximum: number }).maximum, 255);
    assert.equal((schemas.Tag as unknown as { maxLength: number }).maxLength, 64);
    assert.equal((schemas.Tags as unknown as { maxItems: number }).maxItems, 32);
    assert.match(doc, /`CTTL` is an integer in \[0, 255\]/);
    assert.match(doc, /`Tag` is a string of 1–64\s+characters; `Tags` is an array of at most 32 `Tag`/);
  });
});

describe('docs/PROTOCOL.md lists every reason code the node produces', () => {
  const produced = new Set<string>();
  for (const f of ['protocol/verify.ts', 'protocol/verify-dlc.ts']) for (const m of src(f).matchAll(/fail\('([a-z-]+)'/g)) produced.add(m[1] as string);
  // DLC proof reasons chosen by a conditional (verify-dlc.ts maps the DLC decoder's codes).
  for (const m of src('protocol/verify-dlc.ts').matchAll(/\? '([a-z-]+)' : '([a-z-]+)'/g)) for (const r of [m[1], m[2]]) produced.add(r as string);
  for (const f of ['mempool/announcements.ts', 'mempool/offers.ts']) for (const m of src(f).matchAll(/reason: '([a-z-]+)'/g)) produced.add(m[1] as string);
  for (const m of src('service/offer-checks.ts').matchAll(/fail\('([a-z-]+)'/g)) produced.add(m[1] as string);
  for (const m of src('protocol/payment.ts').matchAll(/reason: '([a-z-]+)'/g)) produced.add(m[1] as string);
  for (const file of ['service/admission.ts', 'service/admission-dlc.ts', 'service/admission-offer.ts', 'service/intake.ts']) for (const m of src(file).matchAll(/rejected\([^,]+, [^,]+, '([a-z-]+)'/g)) produced.add(m[1] as string);
  for (const m of src('mempool/mempool.ts').matchAll(/reject\('([a-z-]+)'/g)) produced.add(m[1] as string);

  it('found the reasons in src', () => {
    assert.ok(produced.size >= 15, `expected produced.size >= 15, got produced.size = ${produced.size}`);
  });
  for (const reason of [...produced].sort()) {
    it(`${reason}: in the table of section 10.3 with ban score ${banScoreFor(reason)}`, () => {
      const row = docLines.find((l) => l.startsWith(`| \`${reason}\` |`));
      assert.notEqual(row, undefined, `no row for ${reason}`);
      const ban = row?.split('|').map((c) => c.trim()).filter((c) => c !== '').pop();
      assert.equal(ban, String(banScoreFor(reason)));
    });
  }
  it('and lists no reason the node does not produce', () => {
    const start = doc.indexOf('### 10.3');
    const section = doc.slice(start, doc.indexOf('\n### ', start + 1));
    const listed = [...section.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1] as string);
    assert.deepEqual([...new Set(listed)].sort(), [...produced].sort());
  });
  it('REST-layer codes of src/api are documented', () => {
    const codes = new Set<string>();
    for (const f of ['api/errors.ts', 'api/validate.ts', 'api/app.ts', 'api/handlers.ts']) {
      if (!fs.existsSync(new URL(`../../../src/${f}`, import.meta.url))) continue;
      for (const m of src(f).matchAll(/(?:ApiError\(\d{3}, |sendError\(res, \d{3}, |\[\d{3}, )'([a-z-]+)'/g)) codes.add(m[1] as string);
    }
    for (const c of codes) assert.equal(doc.includes(`\`${c}\``), true, `REST code ${c} is not documented`);
  });
});

describe('docs/PROTOCOL.md worked examples come from the vectors file', () => {
  const vectors = fs.readFileSync(VECTORS_PATH, 'utf8');
  it('every hash, id, key and signature quoted in the document is in the vectors', () => {
    const quoted = new Set([...doc.matchAll(/(?<![0-9a-f])([0-9a-f]{64}|[0-9a-f]{66}|[0-9a-f]{128})(?![0-9a-f])/g)].map((m) => m[1] as string));
    assert.ok(quoted.size >= 15, `expected quoted.size >= 15, got quoted.size = ${quoted.size}`);
    const allowed = new Set(['fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141']); // the group order n
    for (const q of quoted) if (!allowed.has(q)) assert.equal(vectors.includes(q), true, `${q} is not in the vectors`);
  });
  it('every canonical text quoted in a code block is a canonical text of the vectors', () => {
    const v = JSON.parse(vectors) as { signatures: { canonical: string }[]; ids: { reports: { canonical: string }[]; dispute: { canonical: string } }; payment: { requestCanonical: string } };
    const known = new Set([...v.signatures.map((s) => s.canonical), ...v.ids.reports.map((r) => r.canonical), v.ids.dispute.canonical, v.payment.requestCanonical]);
    const blocks = [...doc.matchAll(/```\n(\{.*\})\n```/g)].map((m) => m[1] as string);
    assert.ok(blocks.length >= 4, `expected blocks.length >= 4, got blocks.length = ${blocks.length}`);
    for (const b of blocks) assert.equal(known.has(b), true, b.slice(0, 80));
  });
});
