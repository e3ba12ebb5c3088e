import MarkdownIt from 'markdown-it';
import { SafeHtml } from './html.js';

/** Raw HTML in Markdown is escaped, not passed through, and unsafe link schemes are refused. */
const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false });

/**
 * Renders a README (Markdown) to HTML that is safe by construction. Code blocks can take
 * keyboard focus, so a reader scrolls them without a mouse.
 */
export function renderReadme(text: string): SafeHtml {
  return new SafeHtml(markdown.render(text).replaceAll('<pre>', '<pre tabindex="0">'));
}
