// test/integration/fuzz-p2p.test.ts - property-based fuzzing of every P2P command against a real node (fast-check, fixed seed): after a real handshake, a frame with a random or mutated-valid payload, or raw garbage. The node never crashes, keeps serving a well-behaved peer and REST, and stays within its limits.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { MegaNode } from '../../src/node.ts';
import { shortId } from '../../src/protocol/ids.ts';
import { versionHash } from '../../src/protocol/ids.ts';
import { COMMANDS, NETWORK_MAGIC } from '../../src/wire/constants.ts';
import { encodeFrame } from '../../src/wire/frame.ts';
import { createTestNode, RawPeer, waitFor } from '../helpers/network.ts';
import { fuzzRuns, hostileBody, validMessages } from '../helpers/fuzz.ts';

const LIMITS = { maxOracles: 4, maxCapabilities: 3, maxReports: 3 };
let node: MegaNode;
let control: RawPeer;
const msgs = validMessages();
const valid = Object.values(msgs) as unknown as Record<string, unknown>[];
// Valid control payloads too, so mutations reach the inv/getdata/addr/version handlers' deeper checks.
const controlPayloads: Record<string, unknown>[] = [
  { items: [shortId(versionHash(msgs.oracle)), shortId('ab'.repeat(32))] },
  { addrs: [{ host: '127.0.0.1', port: 1, seqNo: 0 }] },
  { nonce: '0011223344556677' },
];

before(async () => {
  node = await createTestNode({ ...LIMITS, banTimeMs: 1000, whitelist: [] }); // loopback sources are banned here, as strangers would be
  control = await RawPeer.connect(node.p2pPort, { localAddress: '127.0.0.2' });
  control.autoPong = true;
  await control.handshake();
});
after(async () => {
  control.socket.destroy();
  await node.stop();
});

let nextSource = 0;
/** A fresh loopback source address per run, so one run's ban never blocks the next. */
const source = (): string => `127.${10 + ((nextSource >> 16) & 127)}.${(nextSource >> 8) & 255}.${nextSource++ & 255}`;

/** A frame with a well-formed header (magic, length, checksum) around a known command and a hostile payload, or around 12 arbitrary command bytes. */
const frameArb = fc.oneof(
  { arbitrary: fc.tuple(fc.constantFrom(...COMMANDS), hostileBody([...valid, ...controlPayloads])).map(([command, payload]) => ({ command, frame: encodeFrame(NETWORK_MAGIC.regtest, command, payload) })), weight: 8 },
  {
    arbitrary: fc.tuple(fc.uint8Array({ minLength: 12, maxLength: 12 }), hostileBody(valid)).map(([command, payload]) => {
      const frame = encodeFrame(NETWORK_MAGIC.regtest, 'x', payload);
      frame.set(command, 4); // the command field: bytes 4..15
      return { command: Buffer.from(command).toString('hex'), frame };
    }),
    weight: 1,
  },
);

describe('P2P fuzzing', () => {
  it('survives every command with random and mutated payloads, and garbage bytes', async () => {
    await fc.assert(
      fc.asyncProperty(frameArb, fc.boolean(), fc.uint8Array({ maxLength: 64 }), async (f, garbageAfter, garbage) => {
        const p = await RawPeer.connect(node.p2pPort, { localAddress: source() });
        try {
          await p.handshake();
          p.write(f.frame);
          if (garbageAfter) p.write(Buffer.from(garbage));
          // The node answers a ping after our frame unless it closed the connection: either way it handled the frame.
          p.send('ping', { nonce: 'fedcba9876543210' });
          await waitFor(() => p.closed || p.frames.some((x) => x.command === 'pong'), { timeoutMs: 5000, message: `an answer after ${f.command}` });
        } finally {
          p.socket.destroy();
        }
      }),
      { seed: 515151, ...fuzzRuns(100) },
    );
    // Still healthy: the control peer is connected and answered, REST serves, limits hold.
    assert.equal(control.closed, false);
    const pongs = control.frames.filter((x) => x.command === 'pong').length;
    control.send('ping', { nonce: '0123456789abcdef' });
    await waitFor(() => control.frames.filter((x) => x.command === 'pong').length > pongs, { message: 'the control peer to get a pong' });
    const health = await fetch(`http://127.0.0.1:${node.httpPort}/health`);
    assert.equal(health.status, 200);
    const c = node.service.counts();
    assert.equal(c.oracles <= LIMITS.maxOracles, true);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
