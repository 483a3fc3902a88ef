// Request pieces shared by several routes; they validate requests and describe them in OpenAPI.
import { z } from 'zod';

export const idParam = z.object({ id: z.coerce.number().int().positive() });

export const recordParams = z.object({
  model: z.string().min(1).max(128).describe('The host application\'s model, e.g. sale.order'),
  resId: z.string().min(1).max(128).describe('The record\'s id in the host application, e.g. 23'),
});

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const cursorQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.coerce.number().int().positive().optional().describe('Read items older than this id (from nextBefore)'),
});

export const recordRef = z.object({ model: z.string().min(1).max(128), resId: z.coerce.string().min(1).max(128) });

export const email = z.string().max(320).describe('An email address; checked and normalized by Facteur');
