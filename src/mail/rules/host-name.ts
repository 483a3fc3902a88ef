// The host of a mail server, as a person types it in a form: a name or an IP address, alone.
// Shared by outgoing (SMTP) and incoming (IMAP) servers, which explain a refusal the same way.
import { z } from 'zod';

const ipAddress = z.union([z.ipv4(), z.ipv6()]);

const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

/** RFC 1035 §2.3.4: labels of 1–63 letters, digits and hyphens (not at either end), 253 in all. */
export function isHostName(value: string): boolean {
  return value.length <= 253 && value.split('.').every((label) => HOST_LABEL.test(label));
}

/**
 * The host to store (a lowercased name, or an IP address without brackets), or why the value is not
 * one. `protocol` and `example` shape the explanation: `smtp`, `smtp.example.com`.
 */
export function readHost(raw: string, protocol: string, example: string): { host: string } | { problem: string } {
  const host = raw.trim().replace(/^\[(.*)\]$/, '$1');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host) || /[/@\s]/.test(host)) {
    return { problem: `"${raw}" is not a host name: give the name alone, e.g. ${example}, without ${protocol}://, a user or a path (the port has its own field).` };
  }
  if (ipAddress.safeParse(host).success) return { host };
  if (/:\d+$/.test(host)) return { problem: `"${raw}" includes a port: give the host alone (${example}) and the port in the port field.` };
  if (!isHostName(host)) return { problem: `"${raw}" is not a valid host name: use letters, digits, hyphens and dots, e.g. ${example}, or an IP address.` };
  return { host: host.toLowerCase() };
}
