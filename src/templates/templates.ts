// Mail templates (issue 6): a subject and a body in Liquid that an internal user picks in the composer;
// Facteur renders them on the record, and the result stays editable before it is sent. Administrators
// write them, so rendering is still fenced: no file includes, bounded size, time and memory.
import { Liquid, LiquidError, RenderError } from 'liquidjs';
import { requireInternal, requireSystem, type Actor } from '../chatter/actor.ts';
import type { ChatterDeps } from '../chatter/deps.ts';
import { requireCompany, requireRecord, type RecordRef } from '../chatter/lookups.ts';
import { sanitizeBody } from '../chatter/rules/html.ts';
import { FacteurError } from '../errors.ts';
import {
  deleteTemplate as deleteTemplateRow,
  findTemplate,
  insertTemplate,
  listTemplates as listTemplateRows,
  templateFollowers,
  updateTemplate as updateTemplateRow,
  type TemplateRow,
} from './templates.store.ts';

export type { TemplateRow };

/** The followers a template sees: enough to greet or list them, never a whole mailing list. */
export const TEMPLATE_FOLLOWERS = 100;

const limits = {
  // `templates: {}` serves includes, renders and layouts from an empty in-memory map: no file is ever read.
  templates: {},
  strictFilters: true,
  ownPropertyOnly: true,
  parseLimit: 200_000, // characters of template text
  renderLimit: 1_000, // milliseconds of rendering
  memoryLimit: 10_000_000, // characters and array items allocated while rendering
};
// The subject is text (escaping would show "&amp;"); in the body, values are escaped as HTML.
const textEngine = new Liquid(limits);
const htmlEngine = new Liquid({ ...limits, outputEscape: 'escape' });

export interface TemplateInput {
  name: string;
  model?: string | null | undefined;
  subject?: string | undefined;
  body: string;
}

export interface Rendered {
  subject: string;
  bodyHtml: string;
}

type Part = 'subject' | 'body';

function invalid(part: Part, error: unknown): never {
  if (!(error instanceof LiquidError)) throw error;
  const reason = /ENOENT|Failed to lookup/.test(error.message) ? `templates cannot include other templates or files (${error.message})` : error.message;
  // Syntax is the writer's mistake; a render error (a limit, a failed filter) depends on the record too.
  const what = error instanceof RenderError ? 'cannot be rendered' : 'is not valid Liquid';
  throw new FacteurError('TEMPLATE_INVALID', `The ${part} ${what}: ${reason}.`, { part, reason: error.message });
}

/** Parses both parts, so that a template that cannot render is refused when it is saved. */
function checkSyntax(subject: string, body: string): void {
  for (const [part, text] of [['subject', subject], ['body', body]] as const) {
    try {
      (part === 'subject' ? textEngine : htmlEngine).parse(text);
    } catch (error) {
      invalid(part, error);
    }
  }
}

async function renderPart(part: Part, text: string, context: object): Promise<string> {
  try {
    return String(await (part === 'subject' ? textEngine : htmlEngine).parseAndRender(text, context));
  } catch (error) {
    return invalid(part, error);
  }
}

/** What a template may name: the record, its company, the person writing, the followers. */
async function contextFor(deps: ChatterDeps, actor: Actor, ref: RecordRef | null) {
  const record = ref ? await requireRecord(deps.db, ref) : null;
  const company = record?.companyId ? await requireCompany(deps.db, record.companyId) : null;
  return {
    record: record && { id: record.id, name: record.name, model: record.model, resId: record.resId },
    company: company && { name: company.name },
    user: actor.kind === 'user' ? { name: actor.user.name, email: actor.user.email } : null,
    followers: record ? await templateFollowers(deps.db, record.id, TEMPLATE_FOLLOWERS) : [],
  };
}

async function renderText(deps: ChatterDeps, actor: Actor, text: { subject: string; body: string }, ref: RecordRef | null): Promise<Rendered> {
  const context = await contextFor(deps, actor, ref);
  const subject = (await renderPart('subject', text.subject, context)).replace(/\s+/g, ' ').trim();
  const bodyHtml = sanitizeBody(await renderPart('body', text.body, context));
  return { subject, bodyHtml };
}

async function requireTemplate(deps: ChatterDeps, id: number): Promise<TemplateRow> {
  const template = await findTemplate(deps.db, id);
  if (!template) throw new FacteurError('TEMPLATE_NOT_FOUND', `No mail template has id ${id}.`, { templateId: id });
  return template;
}

/** The templates offered on a model (its own and those for every model), or all of them. */
export async function listTemplates(deps: ChatterDeps, actor: Actor, model?: string): Promise<TemplateRow[]> {
  requireInternal(actor, 'use mail templates');
  return listTemplateRows(deps.db, model);
}

export async function getTemplate(deps: ChatterDeps, actor: Actor, id: number): Promise<TemplateRow> {
  requireInternal(actor, 'use mail templates');
  return requireTemplate(deps, id);
}

export async function createTemplate(deps: ChatterDeps, actor: Actor, input: TemplateInput): Promise<TemplateRow> {
  requireSystem(actor, 'write mail templates');
  const values = { name: input.name, model: input.model ?? null, subject: input.subject ?? '', body: input.body };
  checkSyntax(values.subject, values.body);
  const id = await insertTemplate(deps.db, values);
  deps.log.info({ templateId: id, model: values.model }, 'mail template created');
  return requireTemplate(deps, id);
}

export async function updateTemplate(deps: ChatterDeps, actor: Actor, id: number, input: Partial<TemplateInput>): Promise<TemplateRow> {
  requireSystem(actor, 'change mail templates');
  const current = await requireTemplate(deps, id);
  const values = {
    name: input.name ?? current.name,
    model: input.model === undefined ? current.model : input.model,
    subject: input.subject ?? current.subject,
    body: input.body ?? current.body,
  };
  checkSyntax(values.subject, values.body);
  if (!(await updateTemplateRow(deps.db, id, values))) throw new FacteurError('TEMPLATE_NOT_FOUND', `No mail template has id ${id}.`, { templateId: id });
  deps.log.info({ templateId: id }, 'mail template updated');
  return requireTemplate(deps, id);
}

export async function deleteTemplate(deps: ChatterDeps, actor: Actor, id: number): Promise<void> {
  requireSystem(actor, 'delete mail templates');
  if (!(await deleteTemplateRow(deps.db, id))) throw new FacteurError('TEMPLATE_NOT_FOUND', `No mail template has id ${id}.`, { templateId: id });
  deps.log.info({ templateId: id }, 'mail template deleted');
}

/** A saved template rendered on a record, for the composer: the subject as text, the body as safe HTML. */
export async function renderTemplate(deps: ChatterDeps, actor: Actor, id: number, ref: RecordRef): Promise<Rendered> {
  requireInternal(actor, 'use mail templates');
  const template = await requireTemplate(deps, id);
  return renderText(deps, actor, template, ref);
}

/** Unsaved text rendered as the editor types it, on a chosen record or on none. */
export async function previewTemplate(deps: ChatterDeps, actor: Actor, input: { subject: string; body: string; record?: RecordRef | null | undefined }): Promise<Rendered> {
  requireInternal(actor, 'preview mail templates');
  return renderText(deps, actor, input, input.record ?? null);
}
