/**
 * Dunning templates, pure: a small mustache-like language (no template library is in package.json) and the
 * variables a reminder can use. `{{name}}` inserts a value (escaped for HTML when rendering HTML, as is for text and
 * SMS), `{{#items}}…{{/items}}` repeats for each item (or shows once for a true value), `{{^items}}…{{/items}}` shows
 * when the list is empty or the value false. Names are dotted paths (`customer.name`); inside a section a name is
 * looked up on the element first, then outside. An unknown name, an unclosed or stray section is an error naming
 * where it is, found when the template is saved (`templateProblems`), never at send time.
 */
import type { ErrorDetail } from './errors.ts';

export const TEMPLATE_LANGUAGES = ['zh-CN', 'en'] as const;
export type TemplateLanguage = (typeof TEMPLATE_LANGUAGES)[number];

export const MAX_TEMPLATE_LENGTH = 20_000;

/** The variables a template may name, and inside `items` / `totals` those of each element. */
export const TEMPLATE_VARIABLES = {
  top: ['company.name', 'company.address', 'customer.code', 'customer.name', 'customer.address', 'contact.name', 'contact.email', 'contact.phone',
    'asOf', 'reference', 'step.seq', 'step.channel', 'statementLink', 'bank.name', 'bank.account', 'bank.accountName',
    'items', 'totals', 'fee', 'hasFee', 'hasInterest'],
  items: ['document', 'installment', 'dueDate', 'daysOverdue', 'currency', 'open', 'interest', 'hasDiscount', 'discount', 'discountUntil', 'payWithDiscount'],
  totals: ['currency', 'open', 'interest', 'fee', 'total'],
} as const;

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'var'; name: string; raw: boolean; at: number }
  | { kind: 'section'; name: string; inverted: boolean; children: Node[]; at: number };

export type TemplateValue = string | number | boolean | null | undefined | TemplateScope | TemplateScope[];
export interface TemplateScope { [name: string]: TemplateValue }

export class TemplateError extends Error {
  constructor(message: string, readonly at: number) { super(message); }
}

const TAG = /\{\{(\{?)([#^/]?)\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(\}?)\}\}/g;

/** Parses a template; throws TemplateError naming the position of a malformed tag or section. */
export function parseTemplate(source: string): Node[] {
  const root: Node[] = [];
  const stack: { name: string; children: Node[]; at: number }[] = [];
  let current = root;
  let last = 0;
  for (const m of source.matchAll(TAG)) {
    const at = m.index;
    if (at > last) current.push({ kind: 'text', text: source.slice(last, at) });
    last = at + m[0].length;
    const [, open, sigil, name, close] = m as unknown as [string, string, string, string, string];
    if ((open === '{') !== (close === '}')) throw new TemplateError(`unbalanced braces in {{${open}${name}${close}}}`, at);
    if (sigil === '#' || sigil === '^') {
      const node: Node = { kind: 'section', name, inverted: sigil === '^', children: [], at };
      current.push(node);
      stack.push({ name, children: current, at });
      current = node.children;
    } else if (sigil === '/') {
      const top = stack.pop();
      if (!top || top.name !== name) throw new TemplateError(`{{/${name}}} closes ${top ? `{{#${top.name}}}` : 'no open section'}`, at);
      current = top.children;
    } else {
      current.push({ kind: 'var', name, raw: open === '{', at });
    }
  }
  if (stack.length) throw new TemplateError(`{{#${stack[stack.length - 1]!.name}}} is never closed`, stack[stack.length - 1]!.at);
  if (last < source.length) current.push({ kind: 'text', text: source.slice(last) });
  const stray = /\{\{|\}\}/.exec(root.filter((n) => n.kind === 'text').map((n) => (n as { text: string }).text).join(''));
  if (stray) throw new TemplateError('a "{{" or "}}" that is not a tag: write tags like {{customer.name}}', 0);
  return root;
}

/** Problems with a template text (unknown variables, malformed tags) as field details; empty when fine. */
export function templateProblems(source: string, field: string): ErrorDetail[] {
  if (source.length > MAX_TEMPLATE_LENGTH) return [{ field, message: `at most ${MAX_TEMPLATE_LENGTH} characters` }];
  let nodes: Node[];
  try {
    nodes = parseTemplate(source);
  } catch (error) {
    if (error instanceof TemplateError) return [{ field, message: `${error.message} (at character ${error.at + 1})` }];
    throw error;
  }
  const problems: ErrorDetail[] = [];
  const walk = (list: Node[], inside: 'top' | 'items' | 'totals') => {
    for (const n of list) {
      if (n.kind === 'text') continue;
      const known = (TEMPLATE_VARIABLES[inside] as readonly string[]).includes(n.name) || (inside !== 'top' && (TEMPLATE_VARIABLES.top as readonly string[]).includes(n.name));
      if (!known) problems.push({ field, message: `unknown variable {{${n.name}}} (at character ${n.at + 1}); known: ${TEMPLATE_VARIABLES[inside].join(', ')}` });
      if (n.kind === 'section') walk(n.children, n.name === 'items' || n.name === 'totals' ? n.name : inside);
    }
  };
  walk(nodes, 'top');
  return problems;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

// Variable names split at the dots, once per name (a run looks the same few names up millions of times).
const PATHS = new Map<string, string[]>();
function pathOf(name: string): string[] {
  let path = PATHS.get(name);
  if (!path) {
    path = name.split('.');
    if (PATHS.size >= 5_000) PATHS.clear();
    PATHS.set(name, path);
  }
  return path;
}

function lookup(scopes: readonly TemplateScope[], name: string): TemplateValue {
  const path = pathOf(name);
  for (let i = scopes.length - 1; i >= 0; i--) {
    let value: TemplateValue = scopes[i];
    let found = true;
    for (const part of path) {
      if (value && typeof value === 'object' && !Array.isArray(value) && part in value) value = (value as TemplateScope)[part];
      else { found = false; break; }
    }
    if (found) return value;
  }
  return undefined;
}

/**
 * Renders a template with `scope`. `html`: values are escaped (`{{{name}}}` is not); otherwise inserted as they are
 * (plain text email, SMS, PDF). Missing values render empty.
 */
export function renderTemplate(source: string, scope: TemplateScope, options: { html?: boolean } = {}): string {
  const out: string[] = [];
  const walk = (nodes: Node[], scopes: TemplateScope[]) => {
    for (const n of nodes) {
      if (n.kind === 'text') out.push(n.text);
      else if (n.kind === 'var') {
        const v = lookup(scopes, n.name);
        const text = v === null || v === undefined || typeof v === 'object' ? '' : String(v);
        out.push(options.html && !n.raw ? escapeHtml(text) : text);
      } else {
        const v = lookup(scopes, n.name);
        const truthy = Array.isArray(v) ? v.length > 0 : Boolean(v);
        if (n.inverted) { if (!truthy) walk(n.children, scopes); continue; }
        if (!truthy) continue;
        if (Array.isArray(v)) for (const element of v) walk(n.children, [...scopes, element]);
        else walk(n.children, typeof v === 'object' ? [...scopes, v as TemplateScope] : scopes);
      }
    }
  };
  walk(parsed(source), [scope]);
  return out.join('');
}

// A run renders the same few templates thousands of times: each is parsed once (a bounded cache, no behaviour).
const PARSED = new Map<string, Node[]>();
function parsed(source: string): Node[] {
  let nodes = PARSED.get(source);
  if (!nodes) {
    nodes = parseTemplate(source);
    if (PARSED.size >= 500) PARSED.clear();
    PARSED.set(source, nodes);
  }
  return nodes;
}
