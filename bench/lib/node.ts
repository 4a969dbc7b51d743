/** bench/lib/node.ts - start benchmark nodes (real MegaNode on loopback, silent logs) and a raw P2P client that pushes pre-encoded entity frames. */
import type { MegaNode } from '../../src/node.ts';
import { NETWORK_MAGIC } from '../../src/wire/constants.ts';
import { encodeFrame } from '../../src/wire/frame.ts';
import { createTestNode, RawPeer, type NodeOverrides } from '../../test/helpers/network.ts';
import type { Msg } from './gen.ts';

/**
 * A node with production timers (keepalive 30 s, anti-entropy 60 s) unless overridden, roomy limits,
 * PoW thresholds 0 (the default) and silent logs.
 */
export function benchNode(overrides: NodeOverrides = {}, name?: string): Promise<MegaNode> {
  return createTestNode(
    {
      p2pKeepAlive: 30_000,
      handshakeTimeoutMs: 10_000,
      antiEntropyIntervalMs: 60_000,
      httpRequestTimeoutMs: 30_000,
      logLevel: 'silent',
      maxMempoolBytes: 4 * 1024 ** 3, // benchmarks store up to 1M entries (~0.5 GB of JSON), past the 256 MiB default
      ...overrides,
    },
    name,
  );
}

/** Every message as one regtest wire frame, concatenated in order. */
export function encodeFrames(msgs: Msg[]): Buffer {
  return Buffer.concat(msgs.map((m) => encodeFrame(NETWORK_MAGIC.regtest, m.kind, Buffer.from(JSON.stringify(m.body), 'utf8'))));
}

/** Connect a raw client to `node`, complete the handshake, answer pings. */
export async function rawClient(node: MegaNode): Promise<RawPeer> {
  const peer = await RawPeer.connect(node.p2pPort);
  peer.autoPong = true;
  await peer.handshake();
  return peer;
}

/** Write `bytes` in 256 KiB slices, honouring socket back-pressure; resolves when all are handed to the kernel. */
export async function pushBytes(peer: RawPeer, bytes: Buffer): Promise<void> {
  const SLICE = 256 * 1024;
  for (let off = 0; off < bytes.length; off += SLICE) {
    if (peer.closed) throw new Error('node closed the connection during the push');
    if (!peer.socket.write(bytes.subarray(off, off + SLICE))) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          peer.socket.off('drain', done);
          peer.socket.off('close', done);
          resolve();
        };
        peer.socket.on('drain', done);
        peer.socket.on('close', done);
      });
    }
  }
}

/** Total stored entries (oracles + capabilities + reports + disputes). */
export function stored(node: MegaNode): number {
  const c = node.service.counts();
  return c.oracles + c.capabilities + c.reports + c.disputes;
}
