// test/helpers/invoice.ts - regtest BOLT11 invoices signed locally with the decoder package's own encoder and signer (what an oracle's Lightning node would issue): test factories, protocol vectors and Swagger examples share this one builder.
import bolt11 from 'bolt11';

/** bolt11's regtest network description (bech32 prefix `bcrt`). */
const REGTEST = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0] };

/** What a regtest invoice commits to. */
export interface InvoiceInit {
  /** Signing key of the Lightning node (hex). */
  nodePrivateKey: string;
  paymentHash: string;
  /** SHA-256 of the canonical request (PROTOCOL 8.3 payment claims). */
  descriptionHash: string;
  millisatoshis: string;
  timestamp: number;
  /** 32-byte payment secret (hex); any fixed value for deterministic output. */
  paymentSecret: string;
}

/** A signed regtest BOLT11 payment request. Deterministic for fixed inputs. */
export function makeRegtestInvoice(i: InvoiceInit): string {
  const unsigned = bolt11.encode({
    network: REGTEST,
    millisatoshis: i.millisatoshis,
    timestamp: i.timestamp,
    tags: [
      { tagName: 'payment_hash', data: i.paymentHash },
      { tagName: 'purpose_commit_hash', data: i.descriptionHash },
      { tagName: 'payment_secret', data: i.paymentSecret },
    ],
  });
  return bolt11.sign(unsigned, i.nodePrivateKey).paymentRequest as string;
}
