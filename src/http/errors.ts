// The one place where errors become HTTP answers: { error: { code, message, details } }.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FacteurError, type ErrorCode } from '../errors.ts';

const statusOf: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  INVALID_EMAIL: 400,
  NOTE_RECIPIENTS_NOT_ALLOWED: 400,
  UNKNOWN_MENTION: 400,
  SUBTYPE_NOT_APPLICABLE: 400,
  EMPTY_MESSAGE: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  PORTAL_CANNOT_LOG_NOTE: 403,
  INTERNAL_SUBTYPE_FOR_PORTAL: 403,
  COMPANY_NOT_FOUND: 404,
  PARTNER_NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  RECORD_NOT_FOUND: 404,
  SUBTYPE_NOT_FOUND: 404,
  FOLLOWER_NOT_FOUND: 404,
  ATTACHMENT_NOT_FOUND: 404,
  NOTIFICATION_NOT_FOUND: 404,
  SERVER_NOT_FOUND: 404,
  INCOMING_SERVER_NOT_FOUND: 404,
  PARENT_RECORD_NOT_FOUND: 422,
  DUPLICATE: 409,
  OUTBOX_ENTRY_NOT_FOUND: 404,
  OUTBOX_ENTRY_NOT_CHANGEABLE: 409,
  CAUGHT_EMAIL_NOT_FOUND: 404,
  ALIAS_NOT_FOUND: 404,
  INBOUND_EMAIL_NOT_FOUND: 404,
  INBOUND_EMAIL_NOT_RETRYABLE: 409,
  INBOUND_EMAIL_ALREADY_ROUTED: 409,
  INBOUND_EMAIL_NOT_ATTACHABLE: 409,
  INVALID_WEBHOOK_SIGNATURE: 401,
  SWEEGO_API_FAILED: 502,
  LOGIN_FAILED: 401,
  TOO_MANY_ATTEMPTS: 429,
  EMBED_SCOPE: 403,
  TEMPLATE_NOT_FOUND: 404,
  TEMPLATE_INVALID: 400,
  // A stored secret sealed under another master key: the installation's configuration, not the call.
  SECRET_UNREADABLE: 500,
};

const transportCodes: Record<number, string> = { 400: 'VALIDATION_FAILED', 413: 'PAYLOAD_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE' };

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | FacteurError | Error, request, reply) => {
    if (error instanceof FacteurError) {
      return reply.status(statusOf[error.code]).send({ error: { code: error.code, message: error.message, details: error.details } });
    }
    const fastifyError = error as FastifyError;
    if (fastifyError.validation) {
      const problems = fastifyError.validation.map((v) => `${v.instancePath || fastifyError.validationContext || ''} ${v.message ?? ''}`.trim());
      return reply.status(400).send({
        error: { code: 'VALIDATION_FAILED', message: `The request is not valid: ${problems.join('; ')}.`, details: { problems } },
      });
    }
    if (fastifyError.statusCode && fastifyError.statusCode < 500) {
      // Fastify's own refusals (unparsable JSON, body too large…) keep its words under our codes.
      const code = transportCodes[fastifyError.statusCode] ?? 'BAD_REQUEST';
      return reply.status(fastifyError.statusCode).send({ error: { code, message: fastifyError.message } });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send({ error: { code: 'INTERNAL', message: 'Facteur failed to handle this request; the error is in its log.' } });
  });
}

/** For /api/… paths that name no route (the web UI's handler, http/ui.ts, calls it). */
export function routeNotFound(request: FastifyRequest, reply: FastifyReply) {
  return reply.status(404).send({ error: { code: 'ROUTE_NOT_FOUND', message: `No route ${request.method} ${request.url}; see /api/docs.` } });
}
