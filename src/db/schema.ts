// Kysely's view of the tables created by migrations/. Keep both in step.
import type { ColumnType, Generated } from 'kysely';

type Id = Generated<number>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;

export type UserRole = 'internal' | 'portal';
export type NotificationPreference = 'email' | 'inbox';
export type MessageKind = 'comment' | 'note' | 'notification' | 'email' | 'tracking';
export type NotificationChannel = 'inbox' | 'email' | 'sms';
export type NotificationStatus = 'ready' | 'sent' | 'delivered' | 'bounce' | 'exception' | 'canceled';
export type OutboxState = 'queued' | 'sending' | 'sent' | 'delivered' | 'exception' | 'canceled';

export type ServerKind = 'smtp' | 'catcher' | 'sweego';
export type ServerSecurity = 'none' | 'starttls' | 'tls';

export type InboundSource = 'imap' | 'smtp' | 'api' | 'webhook';
export type InboundState = 'received' | 'routed' | 'bounced' | 'dropped' | 'unrouted' | 'failed';
export type ContactPolicy = 'everyone' | 'partners' | 'followers';

export interface Database {
  settings: { key: string; value: string };
  outgoing_servers: {
    id: Id;
    name: string;
    kind: ServerKind;
    host: string | null;
    port: number | null;
    security: Generated<ServerSecurity>;
    username: string | null;
    password_encrypted: string | null;
    from_filter: string | null;
    sequence: Generated<number>;
    active: Generated<boolean>;
    delete_after_delivery: Generated<boolean>;
    /** Sweego: signs its outbound webhooks and the reply tokens of mail sent through it (seed 001 §4.3.1). */
    outbound_webhook_secret_encrypted: ColumnType<string | null, string | null | undefined, string | null>;
    /** Sweego: signs its inbound webhooks. */
    inbound_webhook_secret_encrypted: ColumnType<string | null, string | null | undefined, string | null>;
    created_at: CreatedAt;
    updated_at: UpdatedAt;
  };
  webhook_deliveries: { webhook_id: string; endpoint: string; received_at: CreatedAt };
  caught_emails: {
    id: Id;
    outbox_id: number | null;
    message_id: string | null;
    envelope_from: string | null;
    envelope_to: string[];
    from_header: string | null;
    to_header: string | null;
    subject: string | null;
    raw: Uint8Array;
    created_at: CreatedAt;
  };
  companies: { id: Id; name: string; created_at: CreatedAt };
  alias_domains: {
    id: Id;
    company_id: number;
    domain: string;
    catchall: Generated<string>;
    bounce: Generated<string>;
    default_from: Generated<string>;
  };
  partners: {
    id: Id;
    name: string;
    email: string | null;
    email_normalized: string | null;
    phone: string | null;
    lang: Generated<string>;
    company_id: number | null;
    bounce_count: Generated<number>;
    blacklisted: Generated<boolean>;
    /** When they last unsubscribed through a provider's List-Unsubscribe (Sweego `list_unsub`). */
    unsubscribed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
    created_at: CreatedAt;
    updated_at: UpdatedAt;
  };
  users: {
    id: Id;
    partner_id: number;
    login: string;
    role: UserRole;
    notification: Generated<NotificationPreference>;
    created_at: CreatedAt;
    password_hash: string | null;
    is_admin: Generated<boolean>;
    language: string | null;
  };
  user_sessions: {
    id: Id;
    token_hash: string;
    user_id: number;
    expires_at: Timestamp;
    created_at: CreatedAt;
  };
  mail_templates: {
    id: Id;
    name: string;
    model: string | null;
    subject: Generated<string>;
    body: string;
    created_at: CreatedAt;
    updated_at: UpdatedAt;
  };
  records: {
    id: Id;
    model: string;
    res_id: string;
    name: string;
    company_id: number | null;
    responsible_user_id: number | null;
    parent_record_id: number | null;
    created_by_user_id: number | null;
    created_at: CreatedAt;
    updated_at: UpdatedAt;
  };
  subtypes: {
    id: Id;
    code: string;
    name: string;
    description: string | null;
    model: string | null;
    internal: Generated<boolean>;
    is_default: Generated<boolean>;
    hidden: Generated<boolean>;
    parent_subtype_id: number | null;
    sequence: Generated<number>;
    created_at: CreatedAt;
  };
  followers: { id: Id; record_id: number; partner_id: number; created_at: CreatedAt };
  follower_subtypes: { follower_id: number; subtype_id: number };
  messages: {
    id: Id;
    record_id: number;
    kind: MessageKind;
    subtype_id: number | null;
    author_partner_id: number | null;
    email_from: string | null;
    subject: string | null;
    body_html: Generated<string>;
    rfc_message_id: string;
    parent_message_id: number | null;
    email_from_normalized: ColumnType<string | null, string | null | undefined, string | null>;
    /** The provider's id of the delivery (Sweego's transaction_id), once delivered. */
    provider_transaction_id: ColumnType<string | null, string | null | undefined, string | null>;
    created_at: CreatedAt;
  };
  message_recipients: { message_id: number; partner_id: number; reason: 'explicit' | 'mention' };
  attachment_contents: { sha256: string; size: number; content: Uint8Array };
  attachments: {
    id: Id;
    message_id: number;
    filename: string;
    content_type: string;
    sha256: string;
    content_id: ColumnType<string | null, string | null | undefined, string | null>;
    created_at: CreatedAt;
  };
  notifications: {
    id: Id;
    message_id: number;
    partner_id: number;
    channel: NotificationChannel;
    status: NotificationStatus;
    failure_type: string | null;
    failure_reason: string | null;
    read_at: Timestamp | null;
    /** Sweego's transaction id of this notification's email, once delivered (migration 0008). */
    provider_transaction_id: ColumnType<string | null, string | null | undefined, string | null>;
    opens: Generated<number>;
    clicks: Generated<number>;
    created_at: CreatedAt;
  };
  outbox: {
    id: Id;
    channel: 'email' | 'sms';
    state: Generated<OutboxState>;
    notification_id: number | null;
    message_id: number | null;
    partner_id: number | null;
    email_to: string | null;
    attempts: Generated<number>;
    next_attempt_at: Generated<Date>;
    lease_until: Timestamp | null;
    failure_type: string | null;
    failure_reason: string | null;
    created_at: CreatedAt;
    updated_at: UpdatedAt;
    server_id: number | null;
    rfc_message_id: string | null;
    email_from: string | null;
    reply_to: string | null;
    subject: string | null;
    pending_delete: Generated<boolean>;
    confirmed: Generated<boolean>;
    sent_at: Timestamp | null;
    provider_message_id: string | null;
    notice: string | null;
    company_id: number | null;
    body_text: string | null;
    in_reply_to: string | null;
  };
  api_keys: {
    id: Id;
    name: string;
    prefix: string;
    secret_hash: string;
    created_at: CreatedAt;
    last_used_at: Timestamp | null;
    revoked_at: Timestamp | null;
  };
  incoming_servers: {
    id: Id;
    name: string;
    host: string;
    port: number;
    security: Generated<ServerSecurity>;
    username: string;
    password_encrypted: string | null;
    folder: Generated<string>;
    interval_minutes: Generated<number>;
    active: Generated<boolean>;
    last_fetch_at: Timestamp | null;
    last_error: string | null;
    created_at: CreatedAt;
    updated_at: UpdatedAt;
  };
  aliases: {
    id: Id;
    alias_domain_id: number;
    name: string;
    model: string;
    record_id: number | null;
    parent_record_id: number | null;
    contact_policy: Generated<ContactPolicy>;
    active: Generated<boolean>;
    created_at: CreatedAt;
  };
  inbound_emails: {
    id: Id;
    source: InboundSource;
    incoming_server_id: number | null;
    rfc_message_id: string;
    /** As received, or gzip-compressed: raw_encoding says which (migration 0006). */
    raw: Uint8Array;
    raw_encoding: Generated<'identity' | 'gzip'>;
    /** Bytes as received. */
    size: number;
    sender: string | null;
    subject: string | null;
    state: Generated<InboundState>;
    route: string | null;
    reason: string | null;
    record_id: number | null;
    message_id: number | null;
    attempts: Generated<number>;
    received_at: CreatedAt;
    processed_at: Timestamp | null;
  };
  events: {
    id: Id;
    type: string;
    payload: ColumnType<unknown, string, string>;
    created_at: CreatedAt;
  };
}
