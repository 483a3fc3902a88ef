// Whether an unrouted message may be answered with a notice (issue 4 §3 "optionally answered to the
// sender with an explanation"). RFC 3834 §2: never answer automatic mail, mailing lists, or a sender
// that cannot receive; and do not answer the same sender over and over.

export function mayAnswer(headers: Map<string, string>, from: string | null, returnPath: string | null): boolean {
  if (!from || returnPath === '') return false;
  const autoSubmitted = headers.get('auto-submitted')?.toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') return false;
  if (/^(bulk|junk|list)$/i.test(headers.get('precedence') ?? '')) return false;
  if (headers.has('list-id') || headers.has('list-unsubscribe') || headers.has('x-autoreply') || headers.has('x-autorespond')) return false;
  return !/^(mailer-daemon|postmaster|no-?reply|do-?not-?reply)@/i.test(from);
}

export function unroutedNotice(input: { subject: string | null; recipient: string }): { subject: string; bodyText: string } {
  const subject = input.subject?.trim() || '(no subject)';
  return {
    subject: `Not delivered: ${subject}`,
    bodyText: [
      `Your message "${subject}" to ${input.recipient} could not be delivered to a conversation.`,
      '',
      'It does not answer one of our emails, and this address does not take new messages.',
      'To continue a conversation, please reply to the email you received from us.',
      '',
      'This is an automatic message; answers to it are not read.',
    ].join('\n'),
  };
}
