/** wire/messages.ts - per-command payload codecs (encodeX/decodeX): JSON payloads validated with the spec's P2P schemas. Imports protocol/schema only; no sockets. */
import { checkWellFormed, formatSchemaErrors, type SchemaRegistry } from '../protocol/schema.ts';
import type { EntityKind } from '../protocol/types.ts';
import { Command, COMMANDS, EMPTY_PAYLOAD_COMMANDS, type Network } from './constants.ts';
import { WireError } from './errors.ts';

/** `version` payload. */
export interface VersionPayload {
  protocolVersion: number;
  network: Network;
  nonce: string;
  userAgent: string;
  listenPort: number;
  httpPort: number;
  shard?: { count: number; index: number };
}

/** `ping` / `pong` payload. */
export interface PingPayload {
  nonce: string;
}

/** One advertised listening address. */
export interface AddrEntry {
  host: string;
  port: number;
  seqNo: number;
  /** The shard the node at this address stores (protocol 4, optional): its own announcement, or what a handshake with it showed. */
  shard?: { count: number; index: number };
}

/**
 * An inventory item: the short version id of one version of an item (docs/PROTOCOL.md 11.6), the
 * first 16 bytes of its version hash in base64url without padding, 22 characters. The schema
 * (P2PInvItem) checks the form; which item it names only the holder's index knows.
 */
export type InvItem = string;

/** A decoded message. Entity payloads stay `unknown`: the service validates and admits them. */
export type WireMessage =
  | { command: 'version'; payload: VersionPayload }
  | { command: 'verack' | 'mempool' | 'prune' | 'graft'; payload: null }
  | { command: 'ping' | 'pong'; payload: PingPayload }
  | { command: 'addr'; payload: { addresses: AddrEntry[] } }
  | { command: 'inv' | 'getdata' | 'notfound'; payload: { items: InvItem[] } }
  | {
      command: EntityKind;
      payload: unknown;
      /** Payload size on the wire, set by decode (intake back-pressure counts it). */
      bytes?: number;
      /** Base64 of the frame's SHA-256d digest, set by the peer: names these exact payload bytes. */
      digest?: string;
    };

/** An entity message (any kind in {@link ENTITY_COMMANDS}). */
export type EntityMessage = Extract<WireMessage, { command: EntityKind }>;

/** Is `msg` an entity message? (The pool hands every one to the admission door, whatever its kind.) */
export function isEntityMessage(msg: WireMessage): msg is EntityMessage {
  return ENTITY_COMMANDS.has(msg.command);
}

/** Schema (in wolfram-mega-spec.yaml components) of each command with a structured payload. */
const PAYLOAD_SCHEMA: Record<string, string> = {
  [Command.VERSION]: 'P2PVersion',
  [Command.PING]: 'P2PPing',
  [Command.PONG]: 'P2PPing',
  [Command.ADDR]: 'P2PAddr',
  [Command.INV]: 'P2PInv',
  [Command.GETDATA]: 'P2PInv',
  [Command.NOTFOUND]: 'P2PInv',
};

/** Strict UTF-8 (a whole payload per call, so one decoder serves every message). */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The entity commands; their payload is the entity JSON itself. */
export const ENTITY_COMMANDS: ReadonlySet<string> = new Set([Command.ORACLE, Command.CAPABILITY, Command.REPORT, Command.DISPUTE, Command.ANNOUNCEMENT, Command.ATTESTATION, Command.OFFER]);

/** Encodes and decodes payloads. Throws WireError for anything a peer got wrong; never returns a partial result. */
export class MessageCodec {
  private readonly schemas: SchemaRegistry;

  constructor(schemas: SchemaRegistry) {
    this.schemas = schemas;
    for (const name of Object.values(PAYLOAD_SCHEMA)) schemas.component(name); // fail at start if the spec lacks one
  }

  /** Payload bytes of a message (UTF-8 JSON; empty for verack, mempool, prune and graft). */
  encode(msg: WireMessage): Buffer {
    return Buffer.from(this.encodeText(msg), 'utf8');
  }

  /** Payload of a message as its JSON text ('' for the empty-payload commands): `encodeFrame` writes it straight into the frame. */
  encodeText(msg: WireMessage): string {
    if (EMPTY_PAYLOAD_COMMANDS.has(msg.command)) return '';
    return JSON.stringify(msg.payload);
  }

  /** Decode and structurally validate a payload. Entity payloads are parsed JSON, validated later by the service. */
  decode(command: string, payload: Buffer): WireMessage {
    if (!COMMANDS.has(command)) throw new WireError('unknown-command', `unknown command ${command}`);
    if (EMPTY_PAYLOAD_COMMANDS.has(command)) {
      if (payload.length !== 0) throw new WireError('bad-payload', `${command} must have an empty payload`);
      return { command: command as 'verack' | 'mempool' | 'prune' | 'graft', payload: null };
    }
    let value: unknown;
    try {
      value = JSON.parse(UTF8.decode(payload));
    } catch (e) {
      throw new WireError('bad-payload', `${command} payload is not UTF-8 JSON: ${(e as Error).message.slice(0, 100)}`);
    }
    if (ENTITY_COMMANDS.has(command)) return { command: command as EntityKind, payload: value, bytes: payload.length };
    const v = this.schemas.component(PAYLOAD_SCHEMA[command] as string);
    if (!v(value)) throw new WireError('bad-payload', formatSchemaErrors(v.errors, command));
    const wf = checkWellFormed(value, command);
    if (!wf.ok) throw new WireError('bad-payload', wf.message);
    return { command, payload: value } as WireMessage;
  }
}
