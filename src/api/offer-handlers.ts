/** api/offer-handlers.ts - the REST handlers of offers (POST /offer through the one admission door; GET /offers with its index-backed filters, GET /offers/{id}), each listed offer with its oracle's standing and the event's maturity. Imports service and api helpers. */
import type { Request, Response } from 'express';
import type { OfferChain, Offer } from '../protocol/types.ts';
import type { StoredOffer } from '../service/service.ts';
import type { Standing } from '../identity/standing.ts';
import { submitHandler, type ApiDeps } from './handlers.ts';
import { standingFor } from './listings.ts';
import { ApiError } from './errors.ts';
import { sendJson } from './respond.ts';
import { SelfWritten, type JsonSink, type JsonValueSink } from './json-bytes.ts';
import { writeIsoSeconds } from '../dlc/summary.ts';
import type { ValidatedInput } from './validate.ts';

type Handler = (req: Request, res: Response) => void | Promise<void>;

const input = (res: Response): ValidatedInput => res.locals.input as ValidatedInput;

/** One listed offer (docs/PROTOCOL.md "Offers", listings). */
export interface OfferItem {
  id: string;
  offer: Offer;
  /** The Mega oracle key of the announcement the offer settles on. */
  oraclePubKey: string;
  /** That oracle's standing, as GET /oracles/{pubkey} reports it. */
  standing: Standing;
  maturityEpoch: number;
  /** ISO 8601 UTC of maturityEpoch (written into the answer as that string). */
  maturity: string | IsoSeconds;
}

const isU32 = (s: number): boolean => Number.isInteger(s) && s >= 0 && s <= 0xffffffff;

/** `new Date(s * 1000).toISOString()` of a u32 epoch, written into the answer without the Date and the string (a listed offer's maturity, issue #21 lookup). */
class IsoSeconds extends SelfWritten {
  constructor(private readonly s: number) {
    super();
  }

  writeJson(sink: JsonSink): boolean {
    if (!isU32(this.s)) return false;
    writeIsoSeconds(sink, this.s);
    return true;
  }

  toJSON(): string {
    return new Date(this.s * 1000).toISOString();
  }
}

/**
 * A page of GET /offers written item by item straight from the stored entries: no OfferItem, no
 * maturity object and no items array per answer (issue #21 lookup: what an answer allocates sets
 * how often the node scavenges). `toJSON()` builds those items; both give the same JSON.
 */
class OfferPage extends SelfWritten {
  constructor(
    private readonly list: readonly StoredOffer[],
    private readonly items: (list: readonly StoredOffer[]) => OfferItem[],
    private readonly standingOf: (pubkey: string) => Standing,
  ) {
    super();
  }

  writeJson(sink: JsonValueSink): boolean {
    const list = this.list;
    for (let i = 0; i < list.length; i++) if (!isU32((list[i] as StoredOffer).maturityEpoch)) return false;
    sink.raw('[');
    // Offers on the same oracle in a row share one standing, computed once (as items() does).
    let lastKey: string | undefined;
    let last: Standing | undefined;
    for (let i = 0; i < list.length; i++) {
      const e = list[i] as StoredOffer;
      if (e.oraclePubKey !== lastKey || last === undefined) {
        lastKey = e.oraclePubKey;
        last = this.standingOf(lastKey);
      }
      // The members in OfferItem's order, as the byte writer writes that object.
      sink.raw(i === 0 ? '{"id":' : ',{"id":');
      sink.string(e.id);
      sink.raw(',"offer":');
      sink.value(e.msg);
      sink.raw(',"oraclePubKey":');
      sink.string(e.oraclePubKey);
      sink.raw(',"standing":');
      sink.value(last);
      sink.raw(',"maturityEpoch":');
      sink.number(e.maturityEpoch);
      sink.raw(',"maturity":');
      writeIsoSeconds(sink, e.maturityEpoch);
      sink.raw('}');
    }
    sink.raw(']');
    return true;
  }

  toJSON(): OfferItem[] {
    return this.items(this.list);
  }
}

/** Handlers keyed by the spec's operationId (merged into the app's table in api/app.ts). */
export function createOfferHandlers(deps: Pick<ApiDeps, 'service' | 'isDurable' | 'standing'>): Record<string, Handler> {
  const { service } = deps;
  const standingOf = (pubkey: string): Standing => standingFor(deps.standing, pubkey, service.getOracle(pubkey));
  const item = (e: StoredOffer, standing: Standing = standingOf(e.oraclePubKey)): OfferItem => ({
    id: e.id,
    offer: e.msg,
    oraclePubKey: e.oraclePubKey,
    standing,
    maturityEpoch: e.maturityEpoch,
    maturity: new IsoSeconds(e.maturityEpoch),
  });
  /** The items of a page; offers on the same oracle in a row (every one of ?oracle=, most of ?announcement=) share one standing, computed once. */
  const items = (list: readonly StoredOffer[]): OfferItem[] => {
    let lastKey: string | undefined;
    let last: Standing | undefined;
    return list.map((e) => {
      if (e.oraclePubKey !== lastKey || last === undefined) {
        lastKey = e.oraclePubKey;
        last = standingOf(lastKey);
      }
      return item(e, last);
    });
  };
  return {
    postOffer: submitHandler(deps, 'offer'),
    getOffers: (_req, res) => {
      const q = input(res).query;
      const min = q.minCollateral as number | undefined;
      const max = q.maxCollateral as number | undefined;
      if (min !== undefined && max !== undefined && min > max) throw new ApiError(400, 'invalid-query', 'minCollateral is above maxCollateral');
      const list = service.listOffers(
        { page: q.page as number, chunkSize: q.chunkSize as number },
        {
          status: (q.status as Offer['status'] | undefined) ?? 'open',
          announcement: q.announcement as string | undefined,
          oracle: q.oracle as string | undefined,
          maker: q.maker as string | undefined,
          chain: q.chain as OfferChain | undefined,
          question: q.q as string | undefined,
          minCollateral: min,
          maxCollateral: max,
        },
      );
      sendJson(res, new OfferPage(list, items, standingOf));
    },
    getOffer: (_req, res) => {
      const e = service.getOffer(input(res).path.id as string);
      if (!e) throw new ApiError(404, 'not-found', 'no offer with this id is stored on this node');
      sendJson(res, item(e));
    },
  };
}
