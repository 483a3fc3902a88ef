// What the API returns for a thread (src/chatter/thread.ts), as the browser sees it (JSON).
export interface Notification {
  id: number;
  partnerId: number;
  partnerName: string;
  channel: 'inbox' | 'email' | 'sms';
  status: 'ready' | 'sent' | 'delivered' | 'bounce' | 'exception' | 'canceled';
  failureType: string | null;
  failureReason: string | null;
  readAt: string | null;
}

export interface ThreadMessage {
  id: number;
  kind: 'comment' | 'note' | 'notification' | 'email' | 'tracking';
  subtypeId: number | null;
  authorPartnerId: number | null;
  authorName: string | null;
  emailFrom: string | null;
  subject: string | null;
  bodyHtml: string;
  createdAt: string;
  subtype: { code: string; name: string; internal: boolean } | null;
  recipients: { partnerId: number; name: string; reason: 'explicit' | 'mention' }[];
  notifications: Notification[];
  attachments: { id: number; filename: string; contentType: string; size: number }[];
}

export interface Thread {
  recordId: number;
  messages: ThreadMessage[];
  nextBefore: number | null;
}

export interface Follower {
  partnerId: number;
  name: string;
  email: string | null;
  isInternalUser: boolean;
  subtypes: { id: number; code: string; name: string }[];
}

export interface Subtype {
  id: number;
  code: string;
  name: string;
  description: string | null;
  model: string | null;
  internal: boolean;
  isDefault: boolean;
  hidden: boolean;
}

export interface Partner {
  id: number;
  name: string;
  email: string | null;
}
