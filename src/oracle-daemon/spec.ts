/** oracle-daemon/spec.ts - the oracle daemon's config schema language: daemon/config-spec.ts (shared with mega-trader), re-exported so the oracle's modules and tests keep their imports. */
export { check, checkFields, docRows, isCommentKey, type Fields, type Spec } from '../daemon/config-spec.ts';
