// The quoted history of a reply is kept but marked (`data-facteur-quote`) so that the UI can fold
// it. Mail clients mark it each their own way: Gmail `div.gmail_quote`, Thunderbird
// `div.moz-cite-prefix` + `blockquote[type=cite]`, Apple Mail `blockquote[type=cite]`, Outlook a
// `div#divRplyFwdMsg` header after which everything is the quoted message.
import sanitizeHtml from 'sanitize-html';
import { bodyOptions, isSanitizedBlank } from '../../chatter/rules/html.ts';
import { escapeHtml } from '../../chatter/rules/html.ts';

export const QUOTE_ATTRIBUTE = 'data-facteur-quote';

const OUTLOOK_TEXT_SEPARATOR = /^\s*-{2,}\s*(Original Message|Message d'origine|Ursprüngliche Nachricht|Messaggio originale)\s*-{2,}\s*$/i;
const OUTLOOK_HISTORY = /<(?:hr[^>]*>\s*)?<div[^>]+id=["']?divRplyFwdMsg/i;

export interface ReplyBody {
  /** Sanitised, its quoted history marked. */
  html: string;
  /** It shows nothing to a reader (no text, no image). */
  blank: boolean;
}

/** What a received message is posted with: its HTML part, else its text part made HTML. */
export function replyBody(html: string | null, text: string | null): ReplyBody {
  const body = html !== null ? sanitizeReplyHtml(html) : textToHtml(text ?? '');
  return { html: body, blank: isSanitizedBlank(body) };
}

/**
 * Inbound HTML, sanitised as every stored body is (DESIGN "Security"), with its quoted parts marked,
 * in one pass of the sanitiser.
 */
export function sanitizeReplyHtml(html: string): string {
  const outlook = OUTLOOK_HISTORY.exec(html);
  const marked = outlook ? `${html.slice(0, outlook.index)}<div ${QUOTE_ATTRIBUTE}="true">${html.slice(outlook.index)}</div>` : html;
  return sanitizeHtml(marked, {
    ...bodyOptions,
    transformTags: {
      div: (tagName, attribs) => ({ tagName, attribs: isQuoteDiv(attribs) ? { ...attribs, [QUOTE_ATTRIBUTE]: 'true' } : attribs }),
      blockquote: (tagName, attribs) => ({ tagName, attribs: { ...attribs, [QUOTE_ATTRIBUTE]: 'true' } }),
    },
  });
}

function isQuoteDiv(attribs: Record<string, string>): boolean {
  const classes = (attribs.class ?? '').split(/\s+/);
  return classes.includes('gmail_quote') || classes.includes('moz-cite-prefix') || classes.includes('yahoo_quoted') || attribs.id === 'divRplyFwdMsg';
}

/**
 * A plain-text reply as HTML: paragraphs kept, `>` lines and the "On … wrote:" line that introduces
 * them (RFC 3676 §4.5 quoting) grouped in a marked blockquote.
 */
export function textToHtml(text: string): string {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const out: string[] = [];
  let quote: string[] = [];
  const flushQuote = () => {
    if (quote.length === 0) return;
    out.push(`<blockquote ${QUOTE_ATTRIBUTE}="true">${quote.map((l) => escapeHtml(l.replace(/^>\s?/, ''))).join('<br>')}</blockquote>`);
    quote = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    // Outlook quotes nothing with '>': everything after its separator is the quoted message.
    if (OUTLOOK_TEXT_SEPARATOR.test(line) || (/^_{10,}\s*$/.test(line) && /^(From|De|Von|Da):/.test(lines[i + 1] ?? ''))) {
      flushQuote();
      out.push(`<blockquote ${QUOTE_ATTRIBUTE}="true">${lines.slice(i).map(escapeHtml).join('<br>')}</blockquote>`);
      break;
    }
    if (line.startsWith('>')) {
      quote.push(line);
      continue;
    }
    flushQuote();
    if (/wrote:\s*$|a écrit\s*:\s*$|schrieb:\s*$|ha scritto:\s*$/i.test(line) && lines[i + 1]?.startsWith('>')) {
      out.push(`<p ${QUOTE_ATTRIBUTE}="true">${escapeHtml(line)}</p>`);
      continue;
    }
    out.push(escapeHtml(line));
  }
  flushQuote();
  return out.join('<br>\n').replace(/(<br>\n){3,}/g, '<br>\n<br>\n');
}

