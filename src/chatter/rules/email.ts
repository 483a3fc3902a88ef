// Addresses are compared in their normalized form; the form a person typed is kept for display.
import { z } from 'zod';

const emailSchema = z.email();

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function isValidEmail(email: string): boolean {
  return emailSchema.safeParse(email.trim()).success;
}
