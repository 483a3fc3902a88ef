import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { readReplyToken, replyTokenLocalPart } from '../../src/mail/rules/reply-token.ts';

const secret = 'outbound-webhook-secret';
const hmacHex = (payloadHex: string, key = secret) => createHmac('sha256', key).update(payloadHex).digest('hex');
/** A token signed by hand, for payloads replyTokenLocalPart would never issue. */
const forge = (payload: string | Buffer, sigLength = 8, key = secret) => {
  const hex = Buffer.from(payload).toString('hex');
  return `reply+${hex}.${hmacHex(hex, key).slice(0, sigLength)}`;
};

describe('replyTokenLocalPart', () => {
  test('encodes seed 001 §7.1 example payload "23-sale.order" and signs the hex with the first 8 HMAC-SHA256 hex chars', () => {
    const hex = '32332d73616c652e6f72646572';
    assert.equal(replyTokenLocalPart({ model: 'sale.order', resId: '23' }, secret), `reply+${hex}.${hmacHex(hex).slice(0, 8)}`);
  });

  test('is lowercase and depends on the secret', () => {
    const a = replyTokenLocalPart({ model: 'sale.order', resId: '23' }, secret);
    const b = replyTokenLocalPart({ model: 'sale.order', resId: '23' }, 'another secret');
    assert.ok(a !== null && b !== null);
    assert.equal(a, a.toLowerCase());
    assert.notEqual(a, b);
    assert.equal(a.slice(0, a.indexOf('.')), b.slice(0, b.indexOf('.')));
  });

  test('fits RFC 5321 §4.5.3.1.1: a 24-byte payload gives 63 octets, 25 bytes would give 65 → null', () => {
    const fits = replyTokenLocalPart({ model: 'x'.repeat(21), resId: '12' }, secret); // "12-" + 21 = 24 bytes
    assert.equal(fits?.length, 63);
    assert.equal(replyTokenLocalPart({ model: 'x'.repeat(22), resId: '12' }, secret), null);
    assert.equal(replyTokenLocalPart({ model: 'sale.order', resId: '0b7e9d2c-5a41-4c9e-9f0e-3d2a1b4c5d6e' }, secret), null);
  });

  test('counts octets, not characters: "é" takes two bytes, four hex digits', () => {
    assert.equal(replyTokenLocalPart({ model: 'é'.repeat(10), resId: '1' }, secret)?.length, 15 + 2 * 22);
    assert.equal(replyTokenLocalPart({ model: 'é'.repeat(12), resId: '1' }, secret), null);
  });

  test('refuses what could not be read back: a model with "-", an empty model or resId', () => {
    assert.equal(replyTokenLocalPart({ model: 'sales-order', resId: '1' }, secret), null);
    assert.equal(replyTokenLocalPart({ model: '', resId: '1' }, secret), null);
    assert.equal(replyTokenLocalPart({ model: 'sale.order', resId: '' }, secret), null);
  });

  test('refuses an empty secret: every token would be forgeable', () => {
    assert.throws(() => replyTokenLocalPart({ model: 'sale.order', resId: '1' }, ''), RangeError);
  });
});

describe('readReplyToken', () => {
  const token = replyTokenLocalPart({ model: 'sale.order', resId: '23' }, secret)!;
  const valid = { kind: 'valid', model: 'sale.order', resId: '23' };

  test('reads back what was issued, including resIds with "-" and non-ASCII text', () => {
    for (const record of [
      { model: 'sale.order', resId: '23' },
      { model: 'crm.lead', resId: 'INV-2024-7' },
      { model: 'x_ticket', resId: '-' },
      { model: 'café.crème', resId: 'ü' },
      { model: 'a', resId: '1' },
    ]) {
      const localPart = replyTokenLocalPart(record, secret);
      assert.ok(localPart !== null);
      assert.deepEqual(readReplyToken(localPart, secret), { kind: 'valid', ...record });
    }
  });

  test('takes a bare local part, an address, an angle-bracketed address or a name-addr', () => {
    for (const input of [token, `${token}@reply.example.com`, `  <${token}@reply.example.com> `, `"Sales" <${token}@reply.example.com>`]) {
      assert.deepEqual(readReplyToken(input, secret), valid, input);
    }
  });

  test('is case-insensitive: mail servers may change the case of local parts', () => {
    assert.deepEqual(readReplyToken(`${token.toUpperCase()}@EXAMPLE.COM`, secret), valid);
    assert.deepEqual(readReplyToken(`Reply+${token.slice(6)}`, secret), valid);
  });

  test('none: addresses that are not reply tokens', () => {
    for (const input of ['', 'sales@example.com', 'catchall@example.com', 'reply@example.com', 'replyto@example.com', 'reply-23@example.com', `x${token}@example.com`, '@example.com']) {
      assert.deepEqual(readReplyToken(input, secret), { kind: 'none' }, input);
    }
  });

  test('malformed: a reply+ local part that is not hex "." 8–64 hex chars', () => {
    const sig = token.slice(token.indexOf('.') + 1);
    for (const input of [
      'reply+', 'reply+@example.com', 'reply+.12345678', `reply+32332d.`, 'reply+32332d', `reply+zz.${sig}`,
      `reply+323.${sig}`, `reply+3233.${sig.slice(0, 7)}`, `reply+3233.${'a'.repeat(65)}`, `reply+3233.${sig}.${sig}`,
      `reply+3233.${sig}g`, `reply+32 33.${sig}`,
    ]) {
      assert.deepEqual(readReplyToken(input, secret), { kind: 'malformed' }, input);
    }
  });

  test('malformed: correctly signed payloads that do not decode to "{resId}-{model}"', () => {
    for (const payload of ['23', '-sale.order', '23-', Buffer.from([0xff, 0x2d, 0x61])]) {
      assert.deepEqual(readReplyToken(forge(payload), secret), { kind: 'malformed' }, String(payload));
    }
  });

  test('invalid-signature: an altered payload, an altered signature, another secret', () => {
    const hex = token.slice(6, token.indexOf('.'));
    const sig = token.slice(token.indexOf('.') + 1);
    const otherHex = Buffer.from('24-sale.order').toString('hex');
    const flipped = `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`;
    assert.deepEqual(readReplyToken(`reply+${otherHex}.${sig}`, secret), { kind: 'invalid-signature' });
    assert.deepEqual(readReplyToken(`reply+${hex}.${flipped}`, secret), { kind: 'invalid-signature' });
    assert.deepEqual(readReplyToken(token, 'another secret'), { kind: 'invalid-signature' });
    assert.deepEqual(readReplyToken(forge('23-sale.order', 8, 'attacker'), secret), { kind: 'invalid-signature' });
  });

  test('accepts longer signatures when they are a prefix of the HMAC (up to all 64 hex chars)', () => {
    assert.deepEqual(readReplyToken(forge('23-sale.order', 16), secret), valid);
    assert.deepEqual(readReplyToken(forge('23-sale.order', 64), secret), valid);
    const long = forge('23-sale.order', 16);
    assert.deepEqual(readReplyToken(`${long.slice(0, -1)}${long.endsWith('0') ? '1' : '0'}`, secret), { kind: 'invalid-signature' });
  });

  test('splits the payload at its last "-": the resId keeps its dashes', () => {
    assert.deepEqual(readReplyToken(forge('A-B-C-x.y'), secret), { kind: 'valid', resId: 'A-B-C', model: 'x.y' });
  });

  test('refuses an empty secret', () => {
    assert.throws(() => readReplyToken(token, ''), RangeError);
  });
});
