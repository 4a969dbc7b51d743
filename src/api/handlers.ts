/** api/handlers.ts - one handler per OpenAPI operationId; each maps inputs to a service call and the result to HTTP. Imports service and protocol types. */
import type { Request, Response } from 'express';
import yaml from 'js-yaml';
import { generateKeyPair, publicKeyOf, signHash, SECP256K1_BACKEND } from '../protocol/keys.ts';
import { sha256Hex } from '../protocol/hash.ts';
import { ENTITY_SCHEMA, type OpenApiDoc } from '../protocol/schema.ts';
import type { EntityKind } from '../protocol/types.ts';
import type { MegaService, StoredCapability, StoredOracle } from '../service/service.ts';
import type { OracleStanding } from '../identity/standing.ts';
import { capabilityListing, listNetworkReportsByChain, listReportsByChain, oracleListing, standingOrderedPage } from './listings.ts';
import { prefixFetch } from './oracle-page.ts';
import type { BidStatus, HeldPlacement } from '../identity/bids.ts';
import type { PlacementOffer } from '../identity/placement.ts';
import type { PlacementApi } from './placement.ts';
import type { ManifestStatus } from '../identity/manifest.ts';
import type { AdmissionResult } from '../service/types.ts';
import { admitVouched } from '../service/admission-checked.ts';
import { ApiError } from './errors.ts';
import { sendJson } from './respond.ts';
import type { ValidatedInput } from './validate.ts';

/** What the handlers need from the node. */
export interface ApiDeps {
  service: MegaService;
  spec: OpenApiDoc;
  /** Node facts for GET /status and GET /id. */
  info: {
    version: string;
    network: string;
    startedAt: number;
    limits: Record<string, number>;
    shard: { count: number; index: number };
    facilitatorId: unknown;
  };
  now: () => number;
  /** Rotation links, conflicts and reputation (identity/standing.ts); without it reputation routes answer 404. */
  standing?: OracleStanding;
  /** Lightning bid verification state (identity/bids.ts); absent when the node has no LND. */
  bidStatus?: (pubkey: string) => BidStatus;
  /** Placement sold in-band through this node's LND (identity/placement.ts); absent when the node has no LND. */
  placement?: PlacementApi & { offer(): PlacementOffer };
  /** The placement a stored oracle holds on this node (identity/bids.ts); absent when the node has no LND. */
  placementOf?: (pubkey: string) => HeldPlacement | null;
  /** Website manifest state (identity/manifest.ts); without it every oracle is unverified. */
  manifests?: { manifestStatus(pubkey: string): ManifestStatus; isVerified(pubkey: string): boolean; verifiedCount?(): number };
  /** The facilitator's identity with its live manifest state (identity/facilitator.ts); without it GET /id serves info.facilitatorId as configured. */
  facilitator?: { view(): unknown };
  /** False while the journal cannot be written (persist/store.ts); absent = in-memory node. */
  isDurable?: () => boolean;
}

/** Response header of GET /oracles naming the listed oracles with a verified conflict (the signed bodies are never altered). */
export const CONFLICTED_HEADER = 'Mega-Conflicted';

/** One page holding every report: a reputation counts them all (each source already bounds what it returns). */
const ALL_REPORTS = { page: 0, chunkSize: Number.MAX_SAFE_INTEGER };
/** Keys of a rotation chain whose reports are gathered from the network at once (GET /oracles/{pubkey}/reputation?scope=network). */
const NETWORK_KEYS_AT_ONCE = 4;

type Handler = (req: Request, res: Response) => void | Promise<void>;

const input = (res: Response): ValidatedInput => res.locals.input as ValidatedInput;
const pageOf = (q: Record<string, unknown>) => ({ page: q.page as number, chunkSize: q.chunkSize as number });

/** The status and body a submission is answered with. */
export interface SubmitAnswer {
  status: number;
  body: { result: 'accepted' | 'duplicate' | 'out-of-shard'; id: string } | { error: { code: string; message: string } };
}

/** The REST answer of an admission outcome (201/200/202/422; 503/500 for the node's own trouble): one mapping for POST /<kind> and each item of POST /entities. */
export function admissionAnswer(r: AdmissionResult): SubmitAnswer {
  switch (r.status) {
    case 'accepted':
      return { status: 201, body: { result: 'accepted', id: r.id } };
    case 'duplicate':
      return { status: 200, body: { result: 'duplicate', id: r.id } };
    case 'out-of-shard':
      return { status: 202, body: { result: 'out-of-shard', id: r.id } };
    case 'rejected': {
      // Ours, not the client's: the node is stopping (try another node or later), or a bug (logged).
      const status = r.reason === 'shutting-down' ? 503 : r.reason === 'internal-error' ? 500 : 422;
      return { status, body: { error: { code: r.reason, message: r.message } } };
    }
  }
}

/** Map an admission outcome to the REST answer (201/200/202/422). */
export function sendAdmission(res: Response, r: AdmissionResult): void {
  const a = admissionAnswer(r);
  sendJson(res, a.body, a.status);
}

function oracleDetails(o: StoredOracle, bid: BidStatus, manifest: ManifestStatus, placement: HeldPlacement | null): unknown {
  return {
    oracle: o.msg,
    ...manifest,
    rank: { verifiedBid: o.verifiedBid, difficulty: o.msg.pow.difficulty },
    bid,
    // A bid counts only on the node whose LND it paid: elsewhere the same ad ranks by PoW (PROTOCOL 7.2).
    placement,
    capabilities: o.capabilities.size,
    reports: o.reports.size,
    receivedAt: new Date(o.receivedAt).toISOString(),
  };
}

/** Comma-separated pubkeys of the listed oracles with a verified conflict ('' when none: the header is always sent). */
function conflictedOf(list: readonly StoredOracle[], standing: OracleStanding): string {
  let out = '';
  for (const o of list) if (standing.isConflicted(o.msg.pubkey)) out = out === '' ? o.msg.pubkey : `${out},${o.msg.pubkey}`;
  return out;
}

/** The POST handler of an entity kind: the one admission door, with the journal's durability guard. */
export function submitHandler(deps: Pick<ApiDeps, 'service' | 'isDurable'>, kind: EntityKind): Handler {
  const source = (req: Request) => `http:${req.ip ?? 'unknown'}`;
  return async (req, res) => {
    // Never acknowledge what cannot be made durable: refuse while the journal is failing (disk full…).
    if (deps.isDurable && !deps.isDurable()) {
      throw new ApiError(503, 'storage-unavailable', 'this node cannot write its journal right now; try again later');
    }
    // The one admission door (service/intake.ts) validates the schema itself, except for a body the
    // API has just validated against the entity's own schema (validate.ts): that object is vouched
    // for during the synchronous admit call only, and not validated twice (admission-checked.ts).
    const { body, bodySchema } = input(res);
    const admit = () => deps.service.admit(kind, body, { id: source(req) });
    const r = await (bodySchema === ENTITY_SCHEMA[kind] && typeof body === 'object' && body !== null ? admitVouched(kind, body, admit) : admit());
    if (r.status === 'accepted' && deps.isDurable && !deps.isDurable()) {
      // The journal write of this very change failed: it is in memory only, so it is not acknowledged.
      throw new ApiError(503, 'storage-unavailable', 'the change was not written to the journal; it is not acknowledged');
    }
    sendAdmission(res, r);
  };
}

/** Handlers keyed by the spec's operationId. The app refuses to start if the spec names one that is missing here. */
export function createHandlers(deps: ApiDeps): Record<string, Handler> {
  const { service } = deps;
  const submit = (kind: EntityKind): Handler => submitHandler(deps, kind);
  const specCache = new Map<string, string>();

  return {
    postOracle: submit('oracle'),
    postCapability: submit('capability'),
    postReport: submit('report'),
    postDispute: submit('dispute'),

    getOracles: (_req, res) => {
      const q = input(res).query;
      const filter = { question: q.question as string | undefined, tag: q.tag as string | undefined };
      const standing = deps.standing;
      const wantManifest = q.manifestVerified as boolean | undefined;
      const keep = (o: StoredOracle): boolean => wantManifest === undefined || (deps.manifests?.isVerified(o.msg.pubkey) ?? false) === wantManifest;
      // manifestVerified=true is selective: no more oracles can match than are verified, so the walk
      // stops at the last of them (and never starts when none is).
      const maxMatches = wantManifest === true ? (deps.manifests?.verifiedCount?.() ?? (deps.manifests ? Infinity : 0)) : Infinity;
      // Default order: oracles with proofs after all others (traffic is diverted from them, PROTOCOL 10.4).
      const conflicted = (o: StoredOracle): boolean => standing?.isConflicted(o.msg.pubkey) ?? false;
      // prefixFetch: one growing prefix per request, so a deep page costs its depth, not depth² / batch.
      const list = standingOrderedPage(prefixFetch((p) => service.listOracles(p, filter)), conflicted, keep, pageOf(q), q.exclude === 'conflicted', maxMatches);
      if (standing) res.setHeader(CONFLICTED_HEADER, conflictedOf(list, standing));
      sendJson(res, list.map((o) => oracleListing(o, standing)));
    },
    getOracleReputation: async (_req, res) => {
      const { path, query } = input(res);
      const pubkey = path.pubkey as string;
      const standing = deps.standing;
      if (!standing || !service.getOracle(pubkey)) throw new ApiError(404, 'oracle-not-found', 'no oracle with this pubkey is stored on this node');
      if (query.scope !== 'network') {
        sendJson(res, standing.reputation(pubkey));
        return;
      }
      // The same gathering as GET /reports?scope=network (remote answers re-verified by the service),
      // once per key of the rotation chain, so an old key's reports on other shards count too.
      // A few keys at a time: each asks up to one peer per other shard, and a chain may be long.
      const keys = [pubkey, ...standing.previousKeys(pubkey)];
      const gathered: Awaited<ReturnType<MegaService['listReportsNetwork']>> = [];
      for (let i = 0; i < keys.length; i += NETWORK_KEYS_AT_ONCE) {
        const lists = await Promise.all(keys.slice(i, i + NETWORK_KEYS_AT_ONCE).map((k) => service.listReportsNetwork(k, ALL_REPORTS, (query.depth as number | undefined) ?? 1)));
        for (const l of lists) gathered.push(...l);
      }
      sendJson(res, standing.reputationFrom(pubkey, gathered, 'network'));
    },
    getOracle: (_req, res) => {
      const pubkey = input(res).path.pubkey as string;
      const o = service.getOracle(pubkey);
      if (!o) throw new ApiError(404, 'oracle-not-found', 'no oracle with this pubkey is stored on this node');
      sendJson(res, oracleDetails(o, deps.bidStatus?.(pubkey) ?? { state: 'none' }, deps.manifests?.manifestStatus(pubkey) ?? { manifestVerified: false, manifestDomain: null }, deps.placementOf?.(pubkey) ?? null));
    },
    getCapabilities: (_req, res) => {
      const q = input(res).query;
      if (q.pubkey === undefined && q.question === undefined && q.tag === undefined) {
        throw new ApiError(400, 'invalid-query', 'give at least one of pubkey, question, tag');
      }
      const filter = { pubkey: q.pubkey as string | undefined, question: q.question as string | undefined, tag: q.tag as string | undefined };
      const standing = deps.standing;
      const conflicted = (c: StoredCapability): boolean => standing?.isConflicted(c.msg.oraclePubKey) ?? false;
      const list = standingOrderedPage(prefixFetch((p) => service.listCapabilities(p, filter)), conflicted, () => true, pageOf(q), q.exclude === 'conflicted');
      sendJson(res, list.map((c) => capabilityListing(c, standing, service.getOracle(c.msg.oraclePubKey))));
    },
    getReports: async (_req, res) => {
      const q = input(res).query;
      if (q.scope === 'network') {
        // Other shards' reports too, over every key of the rotation chain, like the local listing (PROTOCOL 10.6).
        const depth = (q.depth as number | undefined) ?? 1;
        sendJson(res, await listNetworkReportsByChain((k) => service.listReportsNetwork(k, ALL_REPORTS, depth), deps.standing, q.pubkey as string, pageOf(q), NETWORK_KEYS_AT_ONCE));
        return;
      }
      // Local reports follow the rotation chain both ways (PROTOCOL 10.6).
      sendJson(res, listReportsByChain({ listReports: (k, p) => service.listReports(k, p), standing: deps.standing }, q.pubkey as string, pageOf(q)));
    },
    getStatus: (_req, res) => {
      sendJson(res, {
        version: deps.info.version,
        network: deps.info.network,
        counts: service.counts(),
        limits: deps.info.limits,
        shard: deps.info.shard,
        uptimeSeconds: Math.floor((deps.now() - deps.info.startedAt) / 1000),
        secp256k1: SECP256K1_BACKEND,
      });
    },
    getId: (_req, res) => {
      const id = deps.facilitator ? deps.facilitator.view() : (deps.info.facilitatorId ?? null);
      // Placement for sale is advertised even by a node without a facilitatorId (PROTOCOL 10.5).
      sendJson(res, deps.placement ? { ...(id as object | null), placement: deps.placement.offer() } : id);
    },
    getHealth: (_req, res) => {
      sendJson(res, { status: 'ok' });
    },
    getSpec: (req, res) => {
      const origin = `${req.protocol}://${req.get('host') ?? 'localhost'}`;
      let text = specCache.get(origin);
      if (text === undefined) {
        const doc = { ...deps.spec, servers: [{ url: origin, description: 'this node' }] };
        text = yaml.dump(doc, { noRefs: true, lineWidth: 120 });
        if (specCache.size < 16) specCache.set(origin, text);
      }
      res.type('application/yaml').send(text);
    },
    testOnlyGenKeyPair: (_req, res) => {
      sendJson(res, generateKeyPair());
    },
    testOnlySign: (_req, res) => {
      const q = input(res).query;
      const pk = q.pk as string;
      let publicKey: string;
      try {
        publicKey = publicKeyOf(pk);
      } catch {
        throw new ApiError(400, 'invalid-query', 'query.pk: not a valid secp256k1 private key');
      }
      const hash = sha256Hex(q.msg as string);
      sendJson(res, { hash, signature: signHash(hash, pk), signatureType: 'ecdsa-secp256k1', publicKey });
    },
  };
}
