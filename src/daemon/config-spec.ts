/** daemon/config-spec.ts - a small schema language for the daemons' JSON configs (mega-oracle, mega-trader): every key's type, default, unit and doc in one place, a validator that lists every problem as "path: rule", and the docs table rendered from the same spec. Imports nothing. */

/** One key of the config. No `default` = required (unless `nullable`, whose default is null). */
export type Spec =
  | { kind: 'int'; min: number; max?: number; default?: number; nullable?: boolean; unit?: string; doc: string }
  | { kind: 'str'; max: number; pattern?: RegExp; rule?: string; default?: string | null; nullable?: boolean; doc: string }
  | { kind: 'bool'; default?: boolean; doc: string }
  | { kind: 'enum'; values: readonly string[]; default?: string; doc: string }
  | { kind: 'list'; item: Spec; minItems?: number; maxItems: number; default?: unknown[]; unique?: boolean; doc: string }
  | { kind: 'obj'; fields: Fields; default?: Record<string, unknown> | null; nullable?: boolean; doc: string }
  | { kind: 'union'; tag: string; variants: Record<string, Fields>; default?: unknown; nullable?: boolean; doc: string };

/** The keys of an object. */
export type Fields = Record<string, Spec>;

/** Keys starting with `//` are comments: ignored at every level, their value must be text (or a list of text). */
export const isCommentKey = (k: string): boolean => k.startsWith('//');

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function hasDefault(s: Spec): boolean {
  if (s.default !== undefined || ('nullable' in s && s.nullable === true)) return true;
  return s.kind === 'obj' && Object.values(s.fields).every(hasDefault); // an object of defaults defaults to them
}

function defaultOf(s: Spec): unknown {
  if (s.default !== undefined) return structuredClone(s.default);
  if (s.kind === 'obj' && !s.nullable) return checkFields(s.fields, {}, '', [], '');
  return null;
}

/** Validate `v` against `s`; problems are pushed as "path: rule"; returns the value with defaults filled. */
export function check(s: Spec, v: unknown, path: string, problems: string[], section = 'mega-oracle'): unknown {
  const at = path || '(root)';
  switch (s.kind) {
    case 'int': {
      if (v === null && s.nullable) return null;
      const max = s.max ?? Number.MAX_SAFE_INTEGER;
      if (typeof v === 'number' && Number.isInteger(v) && v >= s.min && v <= max) return v;
      problems.push(`${at}: must be an integer ${s.max === undefined ? `≥ ${s.min}` : `in [${s.min}, ${s.max}]`}${s.nullable ? ' or null' : ''}`);
      return v;
    }
    case 'str':
      if (v === null && s.nullable) return null;
      if (typeof v !== 'string' || v.length === 0 || v.length > s.max) problems.push(`${at}: must be a non-empty string of at most ${s.max} characters${s.nullable ? ' or null' : ''}`);
      else if (s.pattern && !s.pattern.test(v)) problems.push(`${at}: ${s.rule ?? `must match ${s.pattern}`}`);
      return v;
    case 'bool':
      if (typeof v !== 'boolean') problems.push(`${at}: must be true or false`);
      return v;
    case 'enum':
      if (typeof v !== 'string' || !s.values.includes(v)) problems.push(`${at}: must be one of ${s.values.map((x) => JSON.stringify(x)).join(', ')}`);
      return v;
    case 'list': {
      if (!Array.isArray(v) || v.length < (s.minItems ?? 0) || v.length > s.maxItems) {
        problems.push(`${at}: must be a list of ${s.minItems ?? 0} to ${s.maxItems} items`);
        return v;
      }
      const out = v.map((item, i) => check(s.item, item, `${path}[${i}]`, problems, section));
      if (s.unique && new Set(out.map((x) => JSON.stringify(x))).size !== out.length) problems.push(`${at}: items must be distinct`);
      return out;
    }
    case 'obj':
      if (v === null && s.nullable) return null;
      if (!isObj(v)) {
        problems.push(`${at}: must be an object${s.nullable ? ' or null' : ''}`);
        return v;
      }
      return checkFields(s.fields, v, path, problems, section);
    case 'union': {
      if (v === null && s.nullable) return null;
      if (!isObj(v)) {
        problems.push(`${at}: must be an object with "${s.tag}": ${Object.keys(s.variants).map((x) => JSON.stringify(x)).join(' | ')}`);
        return v;
      }
      const tag = v[s.tag];
      const fields = typeof tag === 'string' && Object.hasOwn(s.variants, tag) ? s.variants[tag] : undefined;
      if (!fields) {
        problems.push(`${path ? `${path}.` : ''}${s.tag}: must be one of ${Object.keys(s.variants).map((x) => JSON.stringify(x)).join(', ')}`);
        return v;
      }
      return { [s.tag]: tag, ...checkFields(fields, Object.fromEntries(Object.entries(v).filter(([k]) => k !== s.tag)), path, problems, section) };
    }
  }
}

/** Validate an object's keys: unknown keys refused (the message points at `section` of docs/configuration.md), comments (`//…`) dropped, defaults filled. */
export function checkFields(fields: Fields, v: Record<string, unknown>, path: string, problems: string[], section = 'mega-oracle'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const prefix = path ? `${path}.` : '';
  for (const k of Object.keys(v)) {
    if (isCommentKey(k)) {
      const c = v[k];
      if (typeof c !== 'string' && !(Array.isArray(c) && c.every((x) => typeof x === 'string'))) problems.push(`${prefix}${k}: a comment must be text or a list of text`);
    } else if (!Object.hasOwn(fields, k)) problems.push(`${prefix}${k}: unknown key (see docs/configuration.md, ${section})`);
  }
  for (const [k, s] of Object.entries(fields)) {
    if (Object.hasOwn(v, k)) out[k] = check(s, v[k], `${prefix}${k}`, problems, section);
    else if (hasDefault(s)) out[k] = defaultOf(s);
    else problems.push(`${prefix}${k}: required`);
  }
  return out;
}

function typeName(s: Spec): string {
  switch (s.kind) {
    case 'int':
      return s.nullable ? 'integer \\| null' : 'integer';
    case 'str':
      return s.nullable ? 'string \\| null' : 'string';
    case 'bool':
      return 'boolean';
    case 'enum':
      return s.values.map((x) => `"${x}"`).join(' \\| ');
    case 'list':
      return `list of ${typeName(s.item)}`;
    case 'obj':
      return s.nullable ? 'object \\| null' : 'object';
    case 'union':
      return `object (by "${s.tag}")${s.nullable ? ' \\| null' : ''}`;
  }
}

/** One row of the docs table per key (nested keys as `a.b`, list items as `a[].b`, union variants marked). */
export function docRows(fields: Fields, path = '', variant = ''): string[] {
  const rows: string[] = [];
  for (const [k, s] of Object.entries(fields)) {
    const p = path ? `${path}.${k}` : k;
    const def = s.default !== undefined ? JSON.stringify(s.default) : !hasDefault(s) ? 'required' : s.kind === 'obj' && !s.nullable ? '(its keys\' defaults)' : 'null';
    const unit = s.kind === 'int' && s.unit ? ` (${s.unit})` : '';
    const range = s.kind === 'int' ? ` Range ${s.min}–${s.max ?? '∞'}.` : s.kind === 'list' ? ` At most ${s.maxItems}.` : '';
    const doc = range && !s.doc.endsWith('.') ? `${s.doc}.` : s.doc;
    rows.push(`| \`${p}\`${variant} | ${typeName(s)}${unit} | ${def.replace(/\|/g, '\\|')} | ${doc}${range} |`);
    if (s.kind === 'obj') rows.push(...docRows(s.fields, p));
    if (s.kind === 'list' && s.item.kind === 'obj') rows.push(...docRows(s.item.fields, `${p}[]`));
    if (s.kind === 'list' && s.item.kind === 'union') for (const [name, f] of Object.entries(s.item.variants)) rows.push(...docRows(f, `${p}[]`, ` (${s.item.tag} ${name})`));
    if (s.kind === 'union') for (const [name, f] of Object.entries(s.variants)) rows.push(...docRows(f, p, ` (${s.tag} ${name})`));
  }
  return rows;
}
