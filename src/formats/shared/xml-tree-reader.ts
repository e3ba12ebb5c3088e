import { SaxesParser } from 'saxes';
import { KuraError } from '../../core/errors/catalogue.js';

/** One element of a parsed document: its name (as written, prefix included), attributes, children and text. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own character data and CDATA, concatenated. */
  text: string;
}

/** Bounds that keep a hostile document cheap to refuse. */
export interface XmlLimits {
  maxBytes: number;
  maxDepth: number;
  maxElements: number;
}

/** The first child named `name`, or undefined. */
export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((c) => c.name === name);
}

/** Every child named `name`. */
export function children(element: XmlElement | undefined, name: string): XmlElement[] {
  return element ? element.children.filter((c) => c.name === name) : [];
}

/** The trimmed text of the first child named `name`, or null when it is absent or empty. */
export function childText(element: XmlElement | undefined, name: string): string | null {
  const text = child(element, name)?.text.trim();
  return text ? text : null;
}

/**
 * A strict, streaming XML reader that builds a small element tree from chunks as they arrive,
 * so an upload is parsed while it is stored. It never expands entities: a document with a
 * DOCTYPE is refused outright (no internal subset, no billion laughs), and only XML's five
 * predefined entities and character references are understood. Depth, element count and size
 * are bounded.
 */
export class XmlTreeReader {
  private readonly parser = new SaxesParser({ xmlns: false, position: false });
  private readonly decoder = new TextDecoder('utf-8');
  private readonly stack: XmlElement[] = [];
  private root: XmlElement | null = null;
  private bytes = 0;
  private elements = 0;

  /** @param what How messages name the document, e.g. `the POM`. */
  constructor(
    private readonly what: string,
    private readonly limits: XmlLimits,
  ) {
    const parser = this.parser;
    parser.on('error', (error) => {
      throw new KuraError('INVALID_MANIFEST', `${what} is not well-formed XML: ${error.message}`);
    });
    parser.on('doctype', () => {
      throw new KuraError('INVALID_MANIFEST', `${what} declares a DOCTYPE; DTDs and entity declarations are not accepted`);
    });
    parser.on('opentag', (tag) => {
      if (++this.elements > limits.maxElements) throw new KuraError('INVALID_MANIFEST', `${what} has more than ${limits.maxElements} elements`);
      if (this.stack.length >= limits.maxDepth) throw new KuraError('INVALID_MANIFEST', `${what} nests deeper than ${limits.maxDepth} elements`);
      const element: XmlElement = { name: tag.name, attributes: { ...tag.attributes }, children: [], text: '' };
      const parent = this.stack[this.stack.length - 1];
      if (parent) parent.children.push(element);
      else this.root = element;
      this.stack.push(element);
    });
    parser.on('closetag', () => {
      this.stack.pop();
    });
    const appendText = (text: string) => {
      const current = this.stack[this.stack.length - 1];
      if (current) current.text += text;
    };
    parser.on('text', appendText);
    parser.on('cdata', appendText);
  }

  /** Feeds bytes (UTF-8). @throws KuraError INVALID_MANIFEST, PAYLOAD_TOO_LARGE */
  write(chunk: Uint8Array): void {
    this.bytes += chunk.byteLength;
    if (this.bytes > this.limits.maxBytes) throw new KuraError('PAYLOAD_TOO_LARGE', `${this.what} is larger than ${this.limits.maxBytes} bytes`);
    const text = this.decoder.decode(chunk, { stream: true });
    if (text) this.parser.write(text);
  }

  /** Ends the document and returns its root element. @throws KuraError INVALID_MANIFEST */
  finish(): XmlElement {
    const rest = this.decoder.decode();
    if (rest) this.parser.write(rest);
    this.parser.close();
    if (!this.root) throw new KuraError('INVALID_MANIFEST', `${this.what} has no root element`);
    return this.root;
  }
}
