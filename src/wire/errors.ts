/** wire/errors.ts - WireError: a protocol violation by the sender, with a literal code. Imports nothing. */

/** What was wrong with the bytes a peer sent. */
export type WireErrorCode =
  | 'bad-magic'
  | 'bad-command'
  | 'unknown-command'
  | 'oversize'
  | 'bad-checksum'
  | 'bad-payload'
  | 'bad-message';

/** A protocol violation. Peers catch it, add ban score and disconnect; the process never crashes. */
export class WireError extends Error {
  override name = 'WireError';
  readonly code: WireErrorCode;
  constructor(code: WireErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
