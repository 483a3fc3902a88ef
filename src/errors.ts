// Every error a caller can act on carries a stable code; http/errors.ts maps codes to HTTP statuses.
export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'COMPANY_NOT_FOUND'
  | 'PARTNER_NOT_FOUND'
  | 'USER_NOT_FOUND'
  | 'RECORD_NOT_FOUND'
  | 'PARENT_RECORD_NOT_FOUND'
  | 'SUBTYPE_NOT_FOUND'
  | 'FOLLOWER_NOT_FOUND'
  | 'ATTACHMENT_NOT_FOUND'
  | 'NOTIFICATION_NOT_FOUND'
  | 'SERVER_NOT_FOUND'
  | 'INCOMING_SERVER_NOT_FOUND'
  | 'INVALID_EMAIL'
  | 'DUPLICATE'
  | 'PORTAL_CANNOT_LOG_NOTE'
  | 'NOTE_RECIPIENTS_NOT_ALLOWED'
  | 'UNKNOWN_MENTION'
  | 'SUBTYPE_NOT_APPLICABLE'
  | 'INTERNAL_SUBTYPE_FOR_PORTAL'
  | 'EMPTY_MESSAGE'
  | 'OUTBOX_ENTRY_NOT_FOUND'
  | 'OUTBOX_ENTRY_NOT_CHANGEABLE'
  | 'CAUGHT_EMAIL_NOT_FOUND'
  | 'SECRET_UNREADABLE'
  | 'ALIAS_NOT_FOUND'
  | 'INBOUND_EMAIL_NOT_FOUND'
  | 'INBOUND_EMAIL_NOT_RETRYABLE'
  | 'INBOUND_EMAIL_ALREADY_ROUTED'
  | 'INBOUND_EMAIL_NOT_ATTACHABLE'
  | 'INVALID_WEBHOOK_SIGNATURE'
  | 'SWEEGO_API_FAILED'
  | 'LOGIN_FAILED'
  | 'TOO_MANY_ATTEMPTS'
  | 'EMBED_SCOPE'
  | 'TEMPLATE_NOT_FOUND'
  | 'TEMPLATE_INVALID';

export class FacteurError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'FacteurError';
  }
}
