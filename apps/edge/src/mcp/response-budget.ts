import type { JsonSchema } from '@meridian/contracts';
import {
  freeObject,
  isRecord,
  itemSchema,
  optional,
  propertySchema,
  resolve,
  shortenable,
  shrinkableArray,
  takesBoolean,
  takesInteger,
  takesString,
  takesStringArray,
  type SchemaNode,
} from './budget-schema';

/** A tool answer after the budget: the JSON to send, and a note for the text when its schema has no field for one. */
export interface BudgetedAnswer {
  result: Record<string, unknown>;
  cut: boolean;
  note?: string;
}

export interface BudgetOptions {
  budget: number;
  /** The tool's output schema (with or without its error branch). */
  outputSchema: JsonSchema;
  /** The tool's input schema: which arguments ask for less. */
  inputSchema?: JsonSchema;
  /** Checks the final answer against the output schema; a cut that fails it is not sent. */
  validate?: (value: unknown) => boolean;
}

/** Strings are never shortened below this many characters. */
const MIN_STRING = 80;
const MARKER_ROOM = 40;
/** Room first kept for what the answer says about its cuts. */
const FIRST_RESERVE = 700;
const MAX_STAGE3_STEPS = 200;
/** A list is cut in stage 1 only while it is at least 1/LIST_SHARE of the answer. */
const LIST_SHARE = 4;

/** Arguments that make an answer smaller, in the order they are suggested. */
const ASK_FOR_LESS: [string, string][] = [
  ['page_size', 'a smaller page_size'],
  ['select_columns', 'select_columns with only the fields needed'],
  ['limit', 'a lower limit'],
  ['row_limit', 'a lower row_limit'],
  ['columns', 'fewer columns'],
  ['sql', 'a statement selecting fewer or narrower columns'],
  ['preview_formats', 'fewer preview_formats'],
  ['config', 'a lower row_limit in config'],
  ['filters', 'filters'],
  ['search', 'search'],
  ['since', 'a shorter since/until range'],
];

const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v));

interface Cuts {
  arrays: { key: string; from: number; to: number }[];
  shortenedTo?: number;
  summarised: string[];
}

/**
 * Cuts a tool answer whose JSON exceeds the budget, in stages until it fits: (1) fewer items from
 * the end of its top-level lists of objects (rows, list items); (2) long strings shortened, with a
 * marker; (3) the largest nested fields replaced by a summary (a free-form object), emptied (a
 * list) or left out (an optional field). Only cuts the output schema allows are made; the answer
 * then says what was cut and which arguments ask for less (`truncated`/`truncation_reason` or
 * `warnings` where its schema has them, else a note sent beside the JSON).
 */
export function fitToBudget(result: Record<string, unknown>, opts: BudgetOptions): BudgetedAnswer {
  if (bytes(result) <= opts.budget) return { result, cut: false };
  const schema = resolve(opts.outputSchema, result);
  let answer = attempt(result, schema, opts, 3);
  if (opts.validate && !opts.validate(answer.result)) answer = attempt(result, schema, opts, 1);
  if (opts.validate && !opts.validate(answer.result)) return { result, cut: false };
  return answer;
}

/** Cuts to the budget less room for the message, growing the room until both fit. */
function attempt(
  result: Record<string, unknown>,
  schema: SchemaNode,
  opts: BudgetOptions,
  stages: number,
): BudgetedAnswer {
  let reserve = FIRST_RESERVE;
  let answer: BudgetedAnswer = { result, cut: false };
  for (let i = 0; i < 4; i++) {
    const target = Math.max(0, opts.budget - reserve);
    const { value, cuts } = cutInStages(result, schema, target, stages);
    answer = tell(value, cuts, schema, opts);
    const size = bytes(answer.result) + (answer.note ? Buffer.byteLength(answer.note) : 0);
    if (size <= opts.budget) return answer;
    reserve += size - opts.budget;
  }
  return answer;
}

function cutInStages(
  result: Record<string, unknown>,
  schema: SchemaNode,
  target: number,
  stages: number,
): { value: Record<string, unknown>; cuts: Cuts } {
  const cuts: Cuts = { arrays: [], summarised: [] };
  let value = fewerItems(result, schema, target, cuts);
  if (stages < 2 || bytes(value) <= target) return { value, cuts };
  value = shorterStrings(value, schema, target, cuts);
  if (stages < 3 || bytes(value) <= target) return { value, cuts };
  value = summarise(value, schema, target, cuts);
  return { value, cuts };
}

/**
 * Stage 1: the top-level lists of objects lose items from the end, largest list first, down to one;
 * a list that is a small part of what is left (the columns beside one huge row) keeps its items.
 */
function fewerItems(
  result: Record<string, unknown>,
  schema: SchemaNode,
  target: number,
  cuts: Cuts,
): Record<string, unknown> {
  const lists = Object.keys(result)
    .filter((k) => {
      const v = result[k];
      return (
        Array.isArray(v) &&
        v.length > 1 &&
        v.some((item) => typeof item === 'object' && item !== null) &&
        shrinkableArray(propertySchema(schema, result, k))
      );
    })
    .sort((a, b) => bytes(result[b]) - bytes(result[a]));
  let value = result;
  for (const key of lists) {
    const total = bytes(value);
    if (total <= target || bytes(value[key]) * LIST_SHARE < total) break;
    const items = value[key] as unknown[];
    const base = value;
    const keep = (n: number) => ({ ...base, [key]: items.slice(0, n) });
    // The JSON of the first n items is '[' + their JSON joined by commas + ']'.
    const empty = bytes(keep(0));
    const ends: number[] = [];
    let sum = 0;
    for (const item of items) ends.push((sum += Buffer.byteLength(JSON.stringify(item) ?? 'null')));
    const n = largestFitting(1, items.length - 1, (m) => empty + ends[m - 1] + m - 1 <= target);
    value = keep(n);
    cuts.arrays.push({ key, from: items.length, to: n });
  }
  return value;
}

/** The largest n in [lo, hi] that fits (fits is monotonic, falling); lo when none does. */
function largestFitting(lo: number, hi: number, fits: (n: number) => boolean): number {
  if (hi <= lo || !fits(lo)) return lo;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Stage 2: every string the schema lets change is cut to one length, the longest that fits. */
function shorterStrings(
  value: Record<string, unknown>,
  schema: SchemaNode,
  target: number,
  cuts: Cuts,
): Record<string, unknown> {
  const longest = longestString(value, schema);
  if (longest <= MIN_STRING + MARKER_ROOM) return value;
  const at = (n: number) => shorten(value, schema, n) as Record<string, unknown>;
  const n = largestFitting(MIN_STRING, longest - MARKER_ROOM - 1, (m) => bytes(at(m)) <= target);
  cuts.shortenedTo = n;
  return at(n);
}

function longestString(node: unknown, schema: SchemaNode): number {
  if (typeof node === 'string') return shortenable(schema) ? node.length : 0;
  if (Array.isArray(node)) {
    return node.reduce<number>((m, v) => Math.max(m, longestString(v, itemSchema(schema, v))), 0);
  }
  if (isRecord(node)) {
    return Object.keys(node).reduce(
      (m, k) => Math.max(m, longestString(node[k], propertySchema(schema, node, k))),
      0,
    );
  }
  return 0;
}

function shorten(node: unknown, schema: SchemaNode, max: number): unknown {
  if (typeof node === 'string') {
    if (!shortenable(schema) || node.length <= max + MARKER_ROOM) return node;
    // Never split a surrogate pair.
    const end = /[\uD800-\uDBFF]/.test(node[max - 1]) ? max - 1 : max;
    return `${node.slice(0, end)}… [${node.length - end} more characters]`;
  }
  if (Array.isArray(node)) return node.map((v) => shorten(v, itemSchema(schema, v), max));
  if (isRecord(node)) {
    return Object.fromEntries(
      Object.keys(node).map((k) => [k, shorten(node[k], propertySchema(schema, node, k), max)]),
    );
  }
  return node;
}

interface Candidate {
  path: (string | number)[];
  size: number;
  replacement: unknown;
  /** Leave the field out instead of replacing it. */
  remove: boolean;
}

/** Stage 3: the largest nested field the schema lets go is summarised, emptied or left out, until it fits. */
function summarise(
  value: Record<string, unknown>,
  schema: SchemaNode,
  target: number,
  cuts: Cuts,
): Record<string, unknown> {
  let current = value;
  for (let step = 0; step < MAX_STAGE3_STEPS && bytes(current) > target; step++) {
    const found: Candidate[] = [];
    collect(current, schema, [], found);
    if (found.length === 0) break;
    const largest = found.reduce((a, b) => (b.size > a.size ? b : a));
    // A field that is most of a larger one goes instead of all of it.
    const inner = found
      .filter((c) => c.path.length > largest.path.length && startsWith(c.path, largest.path))
      .filter((c) => c.size * 2 >= largest.size)
      .sort((a, b) => b.path.length - a.path.length)[0];
    const chosen = inner ?? largest;
    current = replaceAt(current, chosen) as Record<string, unknown>;
    cuts.summarised.push(pathText(chosen.path));
  }
  return current;
}

function collect(node: unknown, schema: SchemaNode, path: (string | number)[], out: Candidate[]): void {
  const visit = (child: unknown, childSchema: SchemaNode, key: string | number, parentSchema: SchemaNode) => {
    if (typeof child !== 'object' || child === null) return;
    const childPath = [...path, key];
    const size = bytes(child);
    const option = replacementFor(child, childSchema, size);
    if (option !== undefined && bytes(option) < size) {
      out.push({ path: childPath, size, replacement: option, remove: false });
    } else if (typeof key === 'string' && parentSchema && optional(parentSchema, key)) {
      out.push({ path: childPath, size, replacement: undefined, remove: true });
    }
    collect(child, childSchema, childPath, out);
  };
  if (Array.isArray(node)) node.forEach((v, i) => visit(v, itemSchema(schema, v), i, schema));
  else if (isRecord(node)) {
    for (const k of Object.keys(node)) visit(node[k], propertySchema(schema, node, k), k, schema);
  }
}

/** What may stand in for a nested object or list under its schema; undefined when nothing may. */
function replacementFor(node: object, schema: SchemaNode, size: number): unknown {
  const what = Array.isArray(node)
    ? `a list of ${node.length} items`
    : `an object with ${Object.keys(node).length} fields (${Object.keys(node).slice(0, 8).join(', ').slice(0, 160)})`;
  const summary = `[${what}, ${size} bytes, left out to fit the response budget]`;
  if (!schema) return summary;
  if (!Array.isArray(node) && freeObject(schema)) return { _summary: summary };
  if (Array.isArray(node) && node.length > 0 && shrinkableArray(schema)) return [];
  return undefined;
}

function replaceAt(node: unknown, c: Candidate, depth = 0): unknown {
  const key = c.path[depth];
  const last = depth === c.path.length - 1;
  if (Array.isArray(node)) {
    return node.map((v, i) => (i !== key ? v : last ? c.replacement : replaceAt(v, c, depth + 1)));
  }
  const obj = node as Record<string, unknown>;
  if (last && c.remove) {
    const { [key as string]: _gone, ...rest } = obj;
    return rest;
  }
  return { ...obj, [key]: last ? c.replacement : replaceAt(obj[key as string], c, depth + 1) };
}

const startsWith = (path: (string | number)[], prefix: (string | number)[]) =>
  prefix.every((p, i) => path[i] === p);

const pathText = (path: (string | number)[]) =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');

/** Says what was cut, in the fields the schema has for it, and updates counts of cut lists. */
function tell(
  value: Record<string, unknown>,
  cuts: Cuts,
  schema: SchemaNode,
  opts: BudgetOptions,
): BudgetedAnswer {
  const out = { ...value };
  for (const { from, to } of cuts.arrays) {
    for (const count of ['count', 'row_count']) {
      if (takesInteger(schema, count) && out[count] === from) out[count] = to;
    }
  }
  const message = describe(cuts, opts);
  if (takesBoolean(schema, 'truncated') && takesString(schema, 'truncation_reason')) {
    const before = typeof out.truncation_reason === 'string' ? out.truncation_reason : '';
    out.truncated = true;
    out.truncation_reason = before ? `${before}; ${message}` : message;
    return { result: out, cut: true };
  }
  if (takesStringArray(schema, 'warnings') && (Array.isArray(out.warnings) || optional(schema, 'warnings'))) {
    out.warnings = [...((out.warnings as unknown[] | undefined) ?? []), message];
    return { result: out, cut: true };
  }
  return { result: out, cut: true, note: message };
}

function describe(cuts: Cuts, opts: BudgetOptions): string {
  const parts = cuts.arrays.map(({ key, from, to }) => `${key} cut from ${from} to ${to}`);
  if (cuts.shortenedTo !== undefined) {
    parts.push(`strings over ${cuts.shortenedTo} characters shortened (marked "… [N more characters]")`);
  }
  if (cuts.summarised.length > 0) {
    const shown = cuts.summarised.slice(0, 4).join(', ');
    const more = cuts.summarised.length > 4 ? ` and ${cuts.summarised.length - 4} more` : '';
    parts.push(`${shown}${more} summarised or left out`);
  }
  const inputs = opts.inputSchema?.properties ?? {};
  const asks = ASK_FOR_LESS.filter(([arg]) => arg in inputs).map(([, text]) => text);
  const ask =
    asks.length > 0
      ? `Ask for less with ${asks.join(', ')}.`
      : 'This tool has no argument that narrows its answer.';
  return `Answer cut to fit MCP_RESPONSE_BUDGET_BYTES (${opts.budget} bytes): ${parts.join('; ')}. ${ask}`;
}
