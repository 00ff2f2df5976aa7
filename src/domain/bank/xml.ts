/**
 * A small, safe XML reader for bank files: the whole document as a tree of elements with local names (namespace
 * prefixes dropped), their attributes, text and line. Safe by construction: a DOCTYPE is refused (so no entity can
 * be declared, internal or external, and nothing is ever fetched), only the five predefined entities exist, depth and
 * element count are bounded, and the caller bounds the size. The parser underneath is `saxes` (a strict,
 * non-validating SAX parser with no network or file access); parsers of bank formats see only `XmlElement`, so it can
 * be swapped without touching them.
 */
import { SaxesParser } from 'saxes';
import { malformed } from './statement.ts';

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
  line: number;
}

export const MAX_XML_DEPTH = 64;
export const MAX_XML_ELEMENTS = 2_000_000;

/** Parses `text` into its root element, or throws BANK_FILE_MALFORMED naming the line. */
export function parseXml(text: string): XmlElement {
  const parser = new SaxesParser({ position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let count = 0;
  let failure: Error | null = null;
  const fail = (message: string) => {
    if (!failure) failure = malformed(`line ${parser.line}`, message, parser.line);
  };
  parser.on('doctype', () => fail('a DOCTYPE is not allowed in a bank file (it could declare entities)'));
  parser.on('opentag', (tag) => {
    count += 1;
    if (count > MAX_XML_ELEMENTS) return fail(`more than ${MAX_XML_ELEMENTS} elements`);
    if (stack.length >= MAX_XML_DEPTH) return fail(`elements nested deeper than ${MAX_XML_DEPTH}`);
    const attributes: Record<string, string> = {};
    for (const [key, value] of Object.entries(tag.attributes)) attributes[localName(key)] = String(value);
    const element: XmlElement = { name: localName(tag.name), attributes, children: [], text: '', line: parser.line };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(element);
    else if (root) return fail('more than one root element');
    else root = element;
    stack.push(element);
  });
  parser.on('text', (t) => {
    const top = stack[stack.length - 1];
    if (top) top.text += t;
  });
  parser.on('cdata', (t) => {
    const top = stack[stack.length - 1];
    if (top) top.text += t;
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.on('error', (error) => {
    fail(`not well-formed XML (${error.message.replace(/^[^:]*:\d+:\d+: /, '')})`);
  });
  try {
    parser.write(text).close();
  } catch (error) {
    if (!failure) fail(`not well-formed XML (${(error as Error).message})`);
  }
  if (failure) throw failure;
  if (!root) throw malformed('line 1', 'no XML element found', 1);
  return root;
}

function localName(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
}

/** The first child named `name`, or null. */
export function child(element: XmlElement | null | undefined, name: string): XmlElement | null {
  if (!element) return null;
  for (const c of element.children) if (c.name === name) return c;
  return null;
}

export function childrenNamed(element: XmlElement | null | undefined, name: string): XmlElement[] {
  return element ? element.children.filter((c) => c.name === name) : [];
}

/** Follows a path of child names ("Acct/Id/IBAN"); null when any step is missing. */
export function at(element: XmlElement | null | undefined, path: string): XmlElement | null {
  let current: XmlElement | null = element ?? null;
  for (const step of path.split('/')) {
    current = child(current, step);
    if (!current) return null;
  }
  return current;
}

/** The trimmed text at `path`, or null when absent or empty. */
export function textAt(element: XmlElement | null | undefined, path: string): string | null {
  const e = at(element, path);
  if (!e) return null;
  const t = e.text.trim();
  return t === '' ? null : t;
}
