import MarkdownIt from 'markdown-it';

/** Raw HTML in Markdown is escaped, not passed through, and unsafe link schemes are refused. */
const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false });

/**
 * A README (or an advisory's description) rendered from Markdown to HTML that is safe by
 * construction. Code blocks can take keyboard focus, so a reader scrolls them without a mouse.
 */
export function Readme({ text }: { text: string }) {
  return <section class="readme" dangerouslySetInnerHTML={{ __html: markdown.render(text).replaceAll('<pre>', '<pre tabindex="0">') }} />;
}
