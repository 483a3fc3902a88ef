// The layouts that wrap a message in an email, one per recipient group (DESIGN "templates"):
// internal users get a link to the record in Facteur; external partners get no internal link.
import { convert } from 'html-to-text';
import { Liquid } from 'liquidjs';

const engine = new Liquid({ outputEscape: 'escape', cache: true });

// `body` is sanitised HTML already (stored that way), so it is output raw; everything else is escaped.
const layout = `<!doctype html>
<html><body style="font-family: Arial, Helvetica, sans-serif; font-size: 14px; color: #222;">
<div style="max-width: 640px;">
{%- if viewUrl %}
<p style="margin: 0 0 16px;"><a href="{{ viewUrl }}" style="background: #714b67; color: #fff; padding: 6px 12px; border-radius: 4px; text-decoration: none;">View {{ recordName }}</a></p>
{%- endif %}
<div>{{ body | raw }}</div>
<p style="margin-top: 24px; color: #888; font-size: 12px;">{% if authorName %}{{ authorName }} — {% endif %}{{ recordName }}{% if subtypeName %} · {{ subtypeName }}{% endif %}</p>
</div>
</body></html>`;

export type RecipientGroup = 'internal' | 'external';

export interface LayoutInput {
  group: RecipientGroup;
  bodyHtml: string;
  recordName: string;
  authorName: string | null;
  subtypeName: string | null;
  /** Where internal users open the record; ignored for external recipients. */
  recordUrl: string;
}

export function renderNotificationEmail(input: LayoutInput): { html: string; text: string } {
  const html = engine.parseAndRenderSync(layout, {
    body: input.bodyHtml,
    recordName: input.recordName,
    authorName: input.authorName,
    subtypeName: input.subtypeName,
    viewUrl: input.group === 'internal' ? input.recordUrl : null,
  });
  const text = convert(html, { wordwrap: 78, selectors: [{ selector: 'a', options: { hideLinkHrefIfSameAsText: true } }] });
  return { html, text };
}
