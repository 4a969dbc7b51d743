/** bench/lib/wire-ab.ts - A/B of the frame codec in one process (run by hand: node --import tsx bench/lib/wire-ab.ts <base checkout>): encode (what a getdata answer does per served entity) and decode (a 64 KiB-chunked stream, what the joiner does per received frame) over the sync mix, this checkout vs another, interleaved rounds; prints ns per frame, medians. */
import path from 'node:path';
import { makeBundle, makeMissingReport } from './gen.ts';
import { NETWORK_MAGIC } from '../../src/wire/constants.ts';
import { SchemaRegistry } from '../../src/protocol/schema.ts';
import * as newFrame from '../../src/wire/frame.ts';
import { MessageCodec, type WireMessage } from '../../src/wire/messages.ts';

const base = process.argv[2];
if (!base) throw new Error('usage: wire-ab.ts <path of the base checkout>');
const oldFrame = (await import(path.resolve(base, 'src/wire/frame.ts'))) as typeof newFrame;
const { MessageCodec: OldCodec } = (await import(path.resolve(base, 'src/wire/messages.ts'))) as { MessageCodec: typeof MessageCodec };
const schemas = SchemaRegistry.load();
const codec = new MessageCodec(schemas);
const oldCodec = new OldCodec(schemas);
const MAGIC = NETWORK_MAGIC.regtest;

const msgs: WireMessage[] = [];
for (let i = 0; msgs.length < 10_000; i++) {
  const b = makeBundle(i);
  msgs.push({ command: 'oracle', payload: { ...b.oracle, cTTL: 4 } }, { command: 'capability', payload: { ...b.capability, cTTL: 4 } } as WireMessage);
  for (let j = 0; j < 8; j++) msgs.push({ command: 'report', payload: { ...makeMissingReport(b, j), cTTL: 4 } } as WireMessage);
}
const encodeOld = (): Buffer[] => msgs.map((m) => oldFrame.encodeFrame(MAGIC, m.command, oldCodec.encode(m)));
const encodeNew = (): Buffer[] => msgs.map((m) => newFrame.encodeFrame(MAGIC, m.command, codec.encodeText(m)));
const stream = Buffer.concat(encodeOld());
if (!stream.equals(Buffer.concat(encodeNew()))) throw new Error('the two encoders differ');
const chunks: Buffer[] = [];
for (let i = 0; i < stream.length; i += 65536) chunks.push(stream.subarray(i, i + 65536));
const decode = (F: typeof newFrame) => (): number => {
  const d = new F.FrameDecoder({ magic: MAGIC, maxPayloadBytes: 1 << 20 });
  let n = 0;
  for (const c of chunks) n += d.push(c).length;
  if (n !== msgs.length) throw new Error(`decoded ${n} frames`);
  return n;
};
const cases: [string, () => unknown][] = [
  ['encode old', encodeOld], ['encode new', encodeNew],
  ['decode old', decode(oldFrame)], ['decode new', decode(newFrame)],
];
const samples = new Map<string, number[]>(cases.map(([n]) => [n, []]));
for (let round = 0; round < 15; round++) {
  for (const [name, fn] of round % 2 ? [...cases].reverse() : cases) {
    const t = process.hrtime.bigint();
    fn();
    if (round >= 3) samples.get(name)?.push(Number(process.hrtime.bigint() - t) / msgs.length);
  }
}
const med = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1] as number;
for (const [name, s] of samples) console.log(`${name}: ${med(s).toFixed(0)} ns/frame (median of ${s.length}; min ${Math.min(...s).toFixed(0)})`);
console.log(`frames ${msgs.length}, ${stream.length} bytes, load ${(await import('node:os')).loadavg()[0]?.toFixed(2)}`);
