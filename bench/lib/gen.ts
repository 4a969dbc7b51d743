/** bench/lib/gen.ts - fast generation of valid signed entities for benchmarks (PoW difficulty 0, one key per oracle); imports src/protocol only. */
import { generateKeyPair, type KeyPair } from '../../src/protocol/keys.ts';
import { powHash, reportPreimage } from '../../src/protocol/pow.ts';
import { signCapability, signFact, signOracleId } from '../../src/protocol/sign.ts';
import type { OracleCapability, OracleId, Pow, Report } from '../../src/protocol/types.ts';

/** Difficulty-0 PoW: any hash has at least 0 leading zero bits, so one SHA-256 makes it valid. */
function pow0(preimage: string): Pow {
  return { difficulty: 0, algorithm: 'SHA256', hash: powHash(preimage, 0), magicNo: 0 };
}

const WORDS = ['price', 'rain', 'score', 'temperature', 'election', 'rate', 'volume', 'height', 'delay', 'count'];
const PLACES = Array.from({ length: 100 }, (_, i) => `place${i}`);

/** One oracle with its keys and one capability (and the capability's keys, to sign facts). */
export interface OracleBundle {
  oracleKeys: KeyPair;
  capKeys: KeyPair;
  oracle: OracleId;
  capability: OracleCapability;
}

/**
 * Oracle `i`: tags `t<i mod 100>`; its capability's question is "<word> in place<i mod 100> item<i mod 1000>",
 * so `?question=item7` matches n/1000 oracles and `?tag=t7` n/100.
 */
export function makeBundle(i: number): OracleBundle {
  const oracleKeys = generateKeyPair();
  const capKeys = generateKeyPair();
  const oracle = signOracleId(
    { pubkey: oracleKeys.publicKey, seqNo: 0, cTTL: 5, pow: pow0(oracleKeys.publicKey), bid: { amount: 0, proof: '' }, tags: [`t${i % 100}`] },
    oracleKeys.privateKey,
  );
  const capability = signCapability(
    {
      oraclePubKey: oracleKeys.publicKey,
      capabilityPubKey: capKeys.publicKey,
      question: `${WORDS[i % WORDS.length]} in ${PLACES[i % PLACES.length]} item${i % 1000}`,
      seqNo: 0,
      cTTL: 5,
      pow: pow0(oracleKeys.publicKey + capKeys.publicKey),
      tags: [`t${i % 100}`],
    },
    oracleKeys.privateKey,
  );
  return { oracleKeys, capKeys, oracle, capability };
}

/** A fact-missing report number `n` against the bundle's oracle: no signature, distinct content, one SHA-256 of PoW. */
export function makeMissingReport(b: OracleBundle, n: number): Report {
  const r: Report = {
    oraclePubKey: b.oracle.pubkey,
    seqNo: 0,
    cTTL: 5,
    pow: { difficulty: 0, algorithm: 'SHA256', hash: '', magicNo: 0 },
    content: { type: 'fact-missing', request: { capabilityPubKey: b.capability.capabilityPubKey, arguments: { n: String(n) } } },
  };
  r.pow = pow0(reportPreimage(r));
  return r;
}

/** A fact-conflict report (two facts signed by the capability key: two signature checks to admit). */
export function makeConflictReport(b: OracleBundle, n: number): Report {
  const request = { capabilityPubKey: b.capability.capabilityPubKey, arguments: { n: String(n) } };
  const facts = ['yes', 'no'].map((answer) => signFact(request, answer, b.capKeys.privateKey));
  const r: Report = {
    oraclePubKey: b.oracle.pubkey,
    seqNo: 0,
    cTTL: 5,
    pow: { difficulty: 0, algorithm: 'SHA256', hash: '', magicNo: 0 },
    content: { type: 'fact-conflict', request, facts },
  };
  r.pow = pow0(reportPreimage(r));
  return r;
}

/** An entity ready to send, with its wire command. */
export interface Msg {
  kind: 'oracle' | 'capability' | 'report';
  body: OracleId | OracleCapability | Report;
}

/**
 * The ingest mix for `n` oracles, in dependency order per oracle: oracle, capability, one fact-missing
 * report and, for every 4th oracle, a fact-conflict report. Signature checks to admit: 2 per oracle + 2 per conflict.
 */
export function ingestMix(n: number): { msgs: Msg[]; signatureChecks: number } {
  const msgs: Msg[] = [];
  let signatureChecks = 0;
  for (let i = 0; i < n; i++) {
    const b = makeBundle(i);
    msgs.push({ kind: 'oracle', body: b.oracle }, { kind: 'capability', body: b.capability }, { kind: 'report', body: makeMissingReport(b, 0) });
    signatureChecks += 2;
    if (i % 4 === 0) {
      msgs.push({ kind: 'report', body: makeConflictReport(b, 1) });
      signatureChecks += 2;
    }
  }
  return { msgs, signatureChecks };
}
