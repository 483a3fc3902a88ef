// Message bodies are HTML that browsers and mail clients will render: keep formatting, drop scripts,
// event handlers and foreign styles. Mentions keep their data-partner-id so the UI can link them.
import sanitizeHtml from 'sanitize-html';

/** What a stored body may contain; inbound mail adds the quote marks of inbound/rules/quote.ts. */
export const bodyOptions: sanitizeHtml.IOptions = {
  allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img', 'span', 'del', 's', 'u'],
  allowedAttributes: {
    a: ['href', 'title', 'class', 'data-partner-id', 'target', 'rel'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    span: ['class'],
    div: ['data-facteur-quote'],
    blockquote: ['data-facteur-quote'],
    p: ['data-facteur-quote'],
    td: ['colspan', 'rowspan'],
    th: ['colspan', 'rowspan'],
  },
  allowedSchemes: ['http', 'https', 'mailto', 'tel', 'cid'],
  allowedSchemesByTag: { img: ['http', 'https', 'cid', 'data'] },
};

/** Text as HTML that shows it as written (in text and in double-quoted attributes). */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function sanitizeBody(html: string): string {
  return sanitizeHtml(html, bodyOptions);
}

/** True when the HTML shows nothing to a reader (no text, no image). */
export function isBlank(html: string): boolean {
  return sanitizeHtml(html, { allowedTags: ['img'], allowedAttributes: {} }).trim() === '';
}

/**
 * isBlank for HTML that sanitizeBody (or a sanitiser with its options) already wrote, without parsing
 * it a second time: such HTML has no script or style whose text would be hidden, and escapes `<` and
 * `>` inside attribute values, so removing the tags leaves exactly the text a reader sees.
 */
export function isSanitizedBlank(html: string): boolean {
  return !/<img\b/i.test(html) && html.replace(/<[^>]*>/g, '').trim() === '';
}
