// Mention markup, in a message body: @[Display Name](partner:42)
// Chosen because it survives plain text and HTML alike, names the partner without ambiguity
// (two "Dupont" never collide) and still reads as "@Display Name" once rendered.
const MENTION = /@\[([^\]\n]{1,200})\]\(partner:(\d{1,15})\)/g;

export interface Mention {
  partnerId: number;
  label: string;
}

export function parseMentions(body: string): Mention[] {
  const seen = new Set<number>();
  const mentions: Mention[] = [];
  for (const match of body.matchAll(MENTION)) {
    const partnerId = Number(match[2]);
    if (seen.has(partnerId)) continue;
    seen.add(partnerId);
    mentions.push({ partnerId, label: match[1]! });
  }
  return mentions;
}

/** Turns each mention into a link the UI can style and follow; the label is escaped. */
export function renderMentions(body: string): string {
  return body.replace(
    MENTION,
    (_all, label: string, id: string) =>
      `<a class="mention" data-partner-id="${id}" href="#partner-${id}">@${escapeHtml(label)}</a>`,
  );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
