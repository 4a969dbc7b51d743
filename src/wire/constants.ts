/** wire/constants.ts - frame layout, per-network magic, command names and wire limits. Imports nothing. */

/** Bytes of a frame header: magic (4) + command (12) + length (4) + checksum (4). */
export const HEADER_BYTES = 24;
/** Bytes of the NUL-padded ASCII command field. */
export const COMMAND_BYTES = 12;
/** Default largest payload (config `maxMsgLength`). */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;
/** Wire protocol version this node speaks (`version.protocolVersion`). 5: the relay commands `prune` and `graft` (eager push along a tree, docs/PROTOCOL.md 11.7); 4: the `offer` entity command (docs/PROTOCOL.md "Offers") and the optional `shard` of `addr` entries (11.9); 3: the DLC entity commands `announcement` and `attestation` (docs/PROTOCOL.md "DLC oracles"); 2: inventory items are short version ids (11.6); 1 named them `{type, id, version}`. Peers of another version are refused at the handshake: a node of an older version would ban a sender of the new commands. */
export const PROTOCOL_VERSION = 5;
/** Most items in one inv / getdata / notfound message. */
export const MAX_INV_ITEMS = 1000;
/** Most addresses in one addr message. */
export const MAX_ADDR_ITEMS = 1000;

/** Mega's own magic per network (ASCII), never Bitcoin's. */
export const NETWORK_MAGIC = {
  mainnet: Buffer.from('MEGA', 'ascii'),
  testnet: Buffer.from('MEGT', 'ascii'),
  regtest: Buffer.from('MEGR', 'ascii'),
} as const;

/** A network name. */
export type Network = keyof typeof NETWORK_MAGIC;

/** Every command, exactly as it appears on the wire (bcoin `packets.types`). */
export const Command = {
  VERSION: 'version',
  VERACK: 'verack',
  PING: 'ping',
  PONG: 'pong',
  ADDR: 'addr',
  INV: 'inv',
  GETDATA: 'getdata',
  NOTFOUND: 'notfound',
  MEMPOOL: 'mempool',
  ORACLE: 'oracle',
  CAPABILITY: 'capability',
  REPORT: 'report',
  DISPUTE: 'dispute',
  ANNOUNCEMENT: 'announcement',
  ATTESTATION: 'attestation',
  OFFER: 'offer',
  PRUNE: 'prune',
  GRAFT: 'graft',
} as const;

/** A command string. */
export type CommandName = (typeof Command)[keyof typeof Command];

/** All command strings. */
export const COMMANDS: ReadonlySet<string> = new Set(Object.values(Command));

/** Commands whose payload is empty. */
export const EMPTY_PAYLOAD_COMMANDS: ReadonlySet<string> = new Set([Command.VERACK, Command.MEMPOOL, Command.PRUNE, Command.GRAFT]);
