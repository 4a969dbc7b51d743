/** oracle-daemon/ads.ts - the oracle's ads as the config describes them: the identity ad and the capability ads, signed through the Signer interface, with seqNo kept in the state file and bumped only when the signed content changes, and PoW that only ever grows (mined on worker threads). Imports oracle, protocol and oracle-daemon. */
import { canonicalize, signingHash } from '../protocol/canonical.ts';
import { sha256Hex } from '../protocol/hash.ts';
import { capabilityPreimage, oraclePreimage } from '../protocol/pow.ts';
import { minePow } from '../protocol/pow-miner.ts';
import { SIGNATURE_TYPE, type OracleCapability, type OracleId, type Pow } from '../protocol/types.ts';
import type { Signer } from '../oracle/signer.ts';
import type { CapabilityConfig, OracleDaemonConfig } from './config.ts';
import type { DaemonState, PublishedVersion } from './state.ts';

/** The keys of one oracle: identity (ads), one per capability (facts), and the DLC key (announcements, attestations). */
export interface OracleKeys {
  identity: Signer;
  dlc: Signer | null;
  /** By capability name. */
  capabilities: ReadonlyMap<string, Signer>;
}

type Unsigned<T> = Omit<T, 'oracleSignature' | 'oracleSignatureType' | 'seqNo' | 'pow' | 'cTTL'>;

const contentHash = (content: object): string => sha256Hex(canonicalize(content));

/** Sign an ad (OracleId or capability) with the identity signer: ECDSA over the JCS of everything but signature, pow and cTTL. */
function signAd<T extends object>(body: T, signer: Signer): T & { oracleSignature: string; oracleSignatureType: typeof SIGNATURE_TYPE } {
  const withType = { ...body, oracleSignatureType: SIGNATURE_TYPE };
  return { ...withType, oracleSignature: signer.signEcdsa(signingHash(withType, 'oracleSignature')) };
}

/** The ads the daemon publishes, kept in step with the config and the state file. */
export class AdBook {
  private oracleAd!: OracleId;
  private readonly caps = new Map<string, OracleCapability>();

  constructor(
    private readonly cfg: OracleDaemonConfig,
    private readonly keys: OracleKeys,
    private readonly state: DaemonState,
    /** The fact server's Oblivious HTTP key configuration (hex), published in capabilities it serves. */
    private readonly ohttpKeyConfig: string | null = null,
  ) {}

  private oracleContent(): Unsigned<OracleId> {
    const c: Unsigned<OracleId> = { pubkey: this.keys.identity.publicKey, bid: { amount: 0, proof: '' } };
    if (this.cfg.identity.tags.length) c.tags = [...this.cfg.identity.tags];
    if (this.cfg.identity.manifestUri !== null) c.manifestUri = this.cfg.identity.manifestUri;
    return c;
  }

  private capabilityContent(cap: CapabilityConfig): Unsigned<OracleCapability> {
    const signer = this.keys.capabilities.get(cap.name) as Signer;
    const c: Unsigned<OracleCapability> = { oraclePubKey: this.keys.identity.publicKey, capabilityPubKey: signer.publicKey, question: cap.question };
    if (cap.tags.length) c.tags = [...cap.tags];
    if (cap.params.length) c.params = cap.params.map((p) => ({ name: p.name, values: [...p.values] }));
    if (cap.answers.length) c.answers = [...cap.answers];
    // A capability without its own endpoint is served by the daemon's fact server, when there is one.
    const endpoint = cap.endpoint ?? this.cfg.factServer?.publicUrl ?? null;
    if (endpoint !== null) c.endpoint = endpoint;
    if (endpoint !== null && cap.endpoint === null && this.ohttpKeyConfig !== null) c.ohttpKeyConfig = this.ohttpKeyConfig;
    if (cap.factLifetime !== null) c.factLifetime = cap.factLifetime;
    if (this.cfg.payment && cap.priceMsat !== null && BigInt(cap.priceMsat) > 0n) c.lightningNodeId = this.cfg.payment.lightningNodeId;
    if (cap.event) c.dlc = { oracleKey: (this.keys.dlc as Signer).dlcKey, signingVersion: cap.event.signingVersion };
    return c;
  }

  /**
   * The version to publish of an ad: the stored one when the content is unchanged, else seqNo + 1
   * (0 the first time); PoW kept (its preimage has no seqNo) and mined up to `difficulty` if lower.
   */
  private async version(stored: PublishedVersion | undefined | null, hash: string, preimage: string, difficulty: number, signal?: AbortSignal): Promise<{ v: PublishedVersion; changed: boolean }> {
    let pow: Pow | undefined = stored?.pow;
    if (!pow || pow.difficulty < difficulty) pow = await minePow(preimage, difficulty, { workers: this.cfg.miningBudget.workers, signal });
    const seqNo = !stored ? 0 : stored.contentHash === hash ? stored.seqNo : stored.seqNo + 1;
    const v = { contentHash: hash, seqNo, pow };
    return { v, changed: !stored || stored.contentHash !== hash || stored.pow !== pow };
  }

  /** Build every ad from the config, bumping seqNos where the content changed and mining missing PoW. Call before publishing. */
  async prepare(signal?: AbortSignal): Promise<void> {
    const content = this.oracleContent();
    const o = await this.version(this.state.oracle, contentHash(content), oraclePreimage(content), this.cfg.identity.difficulty, signal);
    if (o.changed) this.state.setOracle(o.v);
    this.oracleAd = this.build(content, o.v);
    for (const cap of this.cfg.capabilities) {
      const cc = this.capabilityContent(cap);
      const c = await this.version(this.state.capability(cc.capabilityPubKey), contentHash(cc), capabilityPreimage(cc), cap.difficulty, signal);
      if (c.changed) this.state.setCapability(cc.capabilityPubKey, c.v);
      this.caps.set(cap.name, this.buildCap(cc, c.v));
    }
  }

  private build(content: Unsigned<OracleId>, v: PublishedVersion): OracleId {
    return signAd({ ...content, seqNo: v.seqNo, cTTL: this.cfg.identity.cTTL, pow: v.pow }, this.keys.identity) as OracleId;
  }

  private buildCap(content: Unsigned<OracleCapability>, v: PublishedVersion): OracleCapability {
    return signAd({ ...content, seqNo: v.seqNo, cTTL: this.cfg.identity.cTTL, pow: v.pow }, this.keys.identity) as OracleCapability;
  }

  /** The signed identity ad. */
  get oracle(): OracleId {
    return this.oracleAd;
  }

  /** The signed capability ads, in config order. */
  get capabilities(): OracleCapability[] {
    return [...this.caps.values()];
  }

  /** The signed capability ad of a configured capability. */
  capability(name: string): OracleCapability | undefined {
    return this.caps.get(name);
  }

  /**
   * A node holds a version of the ad with a seqNo at or above ours but not ours (the key was used
   * before this data dir, or the state was restored from an old backup): publish ours as its seqNo + 1.
   */
  adoptSeqNo(nodeSeqNo: number): boolean {
    const stored = this.state.oracle as PublishedVersion;
    if (nodeSeqNo < stored.seqNo) return false;
    const v = { ...stored, seqNo: nodeSeqNo + 1 };
    this.state.setOracle(v);
    this.oracleAd = this.build(this.oracleContent(), v);
    return true;
  }

  /** The same for a capability. */
  adoptCapabilitySeqNo(name: string, nodeSeqNo: number): boolean {
    const cap = this.caps.get(name);
    const stored = cap && this.state.capability(cap.capabilityPubKey);
    if (!cap || !stored || nodeSeqNo < stored.seqNo) return false;
    const v = { ...stored, seqNo: nodeSeqNo + 1 };
    this.state.setCapability(cap.capabilityPubKey, v);
    this.caps.set(name, this.buildCap(this.capabilityContent(this.cfg.capabilities.find((c) => c.name === name) as CapabilityConfig), v));
    return true;
  }

  /** Mine the identity ad's PoW up to `difficulty` (the same signed ad carries it: no seqNo change). Returns the new PoW. */
  async raiseOracleDifficulty(difficulty: number, signal?: AbortSignal): Promise<Pow> {
    const stored = this.state.oracle as PublishedVersion;
    if (stored.pow.difficulty >= difficulty) return stored.pow;
    const pow = await minePow(oraclePreimage(this.oracleAd), difficulty, { workers: this.cfg.miningBudget.workers, signal });
    const v = { ...(this.state.oracle as PublishedVersion), pow }; // the seqNo may have moved while mining
    this.state.setOracle(v);
    this.oracleAd = { ...this.oracleAd, pow };
    return pow;
  }
}
