/** trader-daemon/admin-routes.ts - the routes of mega-trader's admin API (loopback, cookie): status, wallet address and balance, make/cancel/take offers, list/show/refund contracts; request bodies checked here (400 with the field), engine errors mapped by errors.ts. Imports daemon (admin-server), protocol and trader types. */
import { HttpError, type AdminRoute } from '../daemon/admin-server.ts';
import type { OfferChain, OfferContent, OfferEnumPayout, OfferPayouts } from '../protocol/types.ts';
import type { ContractEngine } from '../trader/types.ts';
import type { Wallet } from '../wallet/types.ts';

export interface AdminRouteDeps {
  engine: ContractEngine;
  wallet: Wallet;
  network: OfferChain;
  status(): Promise<object>;
  /** A fresh receive address of the wallet, and its script. */
  newAddress(): Promise<{ address: string; scriptPubKey: string }>;
  /** Sync the wallet with the chain now (balance reads it after). */
  syncWallet(): Promise<void>;
}

const HEX64 = /^[0-9a-f]{64}$/;
const MAKE_KEYS = ['announcementId', 'chain', 'makerCollateral', 'takerCollateral', 'payouts', 'feeRate', 'cetLocktime', 'refundLocktime', 'expiresAt'];

function bad(field: string, rule: string): HttpError {
  return new HttpError(400, 'bad-request', `${field}: ${rule}`);
}

const isSat = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function payoutsOf(v: unknown): OfferPayouts {
  if (typeof v !== 'object' || v === null) throw bad('payouts', 'an object {kind: "enum", outcomes: [{outcome, maker, taker}]} or {kind: "numeric", points: [{outcome, maker}]}');
  const p = v as { kind?: unknown; outcomes?: unknown; points?: unknown; rounding?: unknown };
  if (p.kind === 'enum') {
    if (!Array.isArray(p.outcomes) || p.outcomes.length < 1 || p.outcomes.length > 1000) throw bad('payouts.outcomes', 'a list of 1 to 1000 {outcome, maker, taker}');
    p.outcomes.forEach((o: unknown, i) => {
      const x = o as { outcome?: unknown; maker?: unknown; taker?: unknown } | null;
      if (typeof x?.outcome !== 'string' || !isSat(x.maker) || !isSat(x.taker) || Object.keys(x).length !== 3) throw bad(`payouts.outcomes[${i}]`, 'exactly {outcome: string, maker: sat, taker: sat}');
    });
    return { kind: 'enum', outcomes: p.outcomes as OfferEnumPayout[] };
  }
  if (p.kind === 'numeric') {
    if (!Array.isArray(p.points) || p.points.length < 2 || p.points.length > 1000) throw bad('payouts.points', 'a list of 2 to 1000 {outcome, maker}');
    p.points.forEach((o: unknown, i) => {
      const x = o as { outcome?: unknown; maker?: unknown } | null;
      if (typeof x?.outcome !== 'number' || !Number.isSafeInteger(x.outcome) || !isSat(x.maker) || Object.keys(x).length !== 2) throw bad(`payouts.points[${i}]`, 'exactly {outcome: integer, maker: sat}');
    });
    const out: OfferPayouts = { kind: 'numeric', points: p.points as { outcome: number; maker: number }[] };
    if (p.rounding !== undefined) {
      if (!Array.isArray(p.rounding) || p.rounding.length > 100 || !p.rounding.every((r: { begin?: unknown; mod?: unknown } | null) => Number.isSafeInteger(r?.begin) && Number.isSafeInteger(r?.mod))) throw bad('payouts.rounding', 'a list of at most 100 {begin, mod}');
      out.rounding = p.rounding as { begin: number; mod: number }[];
    }
    return out;
  }
  throw bad('payouts.kind', 'must be "enum" or "numeric"');
}

/** The terms of a make request (`contact` and `contractType` are the engine's). */
export function makeRequest(body: unknown, network: OfferChain): Omit<OfferContent, 'contact' | 'contractType'> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('(body)', 'an object with the offer terms');
  const b = body as Record<string, unknown>;
  const extra = Object.keys(b).find((k) => !MAKE_KEYS.includes(k));
  if (extra !== undefined) throw bad(extra.slice(0, 64), `unknown field (fields: ${MAKE_KEYS.join(', ')})`);
  if (typeof b.announcementId !== 'string' || !HEX64.test(b.announcementId)) throw bad('announcementId', '64 lowercase hex');
  if (b.chain !== undefined && b.chain !== network) throw bad('chain', `this daemon trades on ${network}`);
  for (const k of ['makerCollateral', 'takerCollateral', 'feeRate', 'refundLocktime', 'expiresAt'] as const) if (!isSat(b[k])) throw bad(k, 'a non-negative integer');
  if (b.cetLocktime !== undefined && !isSat(b.cetLocktime)) throw bad('cetLocktime', 'a non-negative integer');
  return {
    announcementId: b.announcementId,
    chain: network,
    makerCollateral: b.makerCollateral as number,
    takerCollateral: b.takerCollateral as number,
    payouts: payoutsOf(b.payouts),
    feeRate: b.feeRate as number,
    cetLocktime: (b.cetLocktime as number | undefined) ?? 0,
    refundLocktime: b.refundLocktime as number,
    expiresAt: b.expiresAt as number,
  };
}

function idParam(params: Record<string, string>, what: string): string {
  const id = params.id ?? '';
  if (!HEX64.test(id)) throw bad(what, '64 lowercase hex');
  return id;
}

/** A contract id as the engine names it (the route matcher already bounds it to 1-128 of [0-9A-Za-z_-]). */
const contractIdParam = (params: Record<string, string>): string => params.id ?? '';

/** The admin routes. */
export function adminRoutes(d: AdminRouteDeps): AdminRoute[] {
  const contract = (id: string) => {
    const c = d.engine.get(id);
    if (!c) throw new HttpError(404, 'unknown-contract', `no contract ${id}`);
    return c;
  };
  return [
    { method: 'GET', path: '/status', handle: () => d.status() },
    { method: 'GET', path: '/wallet/address', handle: () => d.newAddress() },
    {
      method: 'GET',
      path: '/wallet/balance',
      handle: async () => {
        await d.syncWallet();
        const b = d.wallet.balance();
        return { network: d.network, available: b.available.toString(), reserved: b.reserved.toString(), pending: b.pending.toString() };
      },
    },
    { method: 'POST', path: '/offers', handle: async (_p, body) => d.engine.make(makeRequest(body, d.network)) },
    {
      method: 'POST',
      path: '/offers/:id/cancel',
      handle: async (p) => {
        const id = idParam(p, 'offer id');
        await d.engine.cancel(id);
        return { offerId: id, status: 'cancelled' };
      },
    },
    { method: 'POST', path: '/offers/:id/take', handle: (p) => d.engine.take(idParam(p, 'offer id')) },
    { method: 'GET', path: '/contracts', handle: () => ({ contracts: d.engine.list() }) },
    { method: 'GET', path: '/contracts/:id', handle: (p) => contract(contractIdParam(p)) },
    {
      method: 'POST',
      path: '/contracts/:id/refund',
      handle: (p) => {
        const id = contractIdParam(p);
        contract(id);
        return d.engine.refund(id);
      },
    },
  ];
}
