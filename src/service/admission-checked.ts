/** service/admission-checked.ts - the REST API's hand-off of a body it has just validated against an entity's own schema, so admission does not validate the same object twice in one synchronous call. Imports protocol types only. */
import type { EntityKind } from '../protocol/types.ts';

let vouchedKind: EntityKind | null = null;
let vouchedPayload: unknown = null;

/**
 * Run `admit` with `payload` vouched for as schema-valid and well-formed for `kind` (validated by
 * the caller with the same schema, `ENTITY_SCHEMA[kind]`, and `checkWellFormed`, on this object,
 * unchanged since). The vouch holds only during the synchronous part of `admit`: it is cleared when
 * `admit` returns or throws, so no later call, turn or other object ever sees it.
 */
export function admitVouched<T>(kind: EntityKind, payload: object, admit: () => T): T {
  vouchedKind = kind;
  vouchedPayload = payload;
  try {
    return admit();
  } finally {
    vouchedKind = null;
    vouchedPayload = null;
  }
}

/** Was exactly this object vouched for as `kind` by the caller on the stack? Consumed: a second ask is answered false. */
export function takeVouched(kind: EntityKind, payload: unknown): boolean {
  const hit = vouchedPayload === payload && vouchedKind === kind && payload !== null;
  vouchedKind = null;
  vouchedPayload = null;
  return hit;
}
