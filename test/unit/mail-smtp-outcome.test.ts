import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifySendInfo, classifySmtpError, type SmtpErrorLike } from '../../src/mail/rules/smtp-outcome.ts';

/** Shaped like nodemailer's errors: message = its words + ': ' + the server's reply. */
const smtpError = (code: string, command: string, response?: string): SmtpErrorLike => ({
  code,
  command,
  ...(response === undefined ? {} : { response, responseCode: Number(response.slice(0, 3)) }),
  message: response === undefined ? `${code} failure` : `Command failed: ${response}`,
});
const kindOf = (error: SmtpErrorLike) => {
  const outcome = classifySmtpError(error);
  return `${outcome.kind} ${outcome.failureType}`;
};

describe('classifySmtpError: replies (RFC 5321 §4.2.1)', () => {
  test('any 4yz reply is transient → retry mail_smtp, whatever the command', () => {
    for (const [code, command, response] of [
      ['EENVELOPE', 'RCPT TO', '450 4.2.0 <a@b.test>: Recipient address rejected: Greylisted'],
      ['EENVELOPE', 'RCPT TO', '452 4.5.3 Too many recipients'],
      ['EENVELOPE', 'MAIL FROM', '451 4.3.0 Temporary lookup failure'],
      ['EMESSAGE', 'DATA', '451 4.7.1 Try again later'],
      ['EAUTH', 'AUTH PLAIN', '454 4.7.0 Temporary authentication failure'],
      ['ECONNECTION', 'CONN', '421 4.3.2 Service shutting down'],
      ['EPROTOCOL', 'RSET', '421 closing'],
    ] as const) {
      assert.equal(kindOf(smtpError(code, command, response)), 'retry mail_smtp', response);
    }
  });

  test('5yz at RCPT TO → failed mail_email_invalid (the whole-envelope error and a single rejection alike)', () => {
    assert.equal(kindOf(smtpError('EENVELOPE', 'RCPT TO', '550 5.1.1 <nobody@b.test>: Recipient address rejected: User unknown')), 'failed mail_email_invalid');
    assert.equal(kindOf(smtpError('EENVELOPE', 'RCPT TO', '553 5.1.3 Bad recipient address syntax')), 'failed mail_email_invalid');
    assert.equal(kindOf(smtpError('EENVELOPE', 'RCPT TO', '556 5.1.10 Recipient address has null MX')), 'failed mail_email_invalid');
  });

  test('5yz at MAIL FROM → failed mail_from_invalid, except 552 (RFC 1870 SIZE) → mail_smtp', () => {
    assert.equal(kindOf(smtpError('EENVELOPE', 'MAIL FROM', '553 5.7.1 <x@y.test>: Sender address rejected: not owned by user')), 'failed mail_from_invalid');
    assert.equal(kindOf(smtpError('EENVELOPE', 'MAIL FROM', '550 5.7.1 SPF check failed')), 'failed mail_from_invalid');
    assert.equal(kindOf(smtpError('EENVELOPE', 'MAIL FROM', '552 5.3.4 Message size exceeds fixed limit')), 'failed mail_smtp');
  });

  test('5yz on AUTH (EAUTH 535, 534) and 530 anywhere → failed mail_smtp: credentials, retrying will not help', () => {
    assert.equal(kindOf(smtpError('EAUTH', 'AUTH PLAIN', '535 5.7.8 Error: authentication failed')), 'failed mail_smtp');
    assert.equal(kindOf(smtpError('EAUTH', 'AUTH XOAUTH2', '535 5.7.3 Authentication unsuccessful')), 'failed mail_smtp');
    assert.equal(kindOf(smtpError('EAUTH', 'AUTH LOGIN', '534 5.7.9 Application-specific password required')), 'failed mail_smtp');
    assert.equal(kindOf(smtpError('EENVELOPE', 'MAIL FROM', '530 5.7.0 Authentication required')), 'failed mail_smtp');
    assert.equal(kindOf({ code: 'EAUTH', responseCode: 535, message: 'Invalid login' }), 'failed mail_smtp');
  });

  test('other 5yz (DATA, message rejected, greeting) → failed mail_smtp', () => {
    assert.equal(kindOf(smtpError('EMESSAGE', 'DATA', '554 5.7.1 Message rejected as spam')), 'failed mail_smtp');
    assert.equal(kindOf(smtpError('EENVELOPE', 'DATA', '554 5.5.1 Error: no valid recipients')), 'failed mail_smtp');
    assert.equal(kindOf(smtpError('ECONNECTION', 'CONN', '554 5.7.1 Your IP is blocked')), 'failed mail_smtp');
    assert.equal(kindOf({ responseCode: 550, message: 'rejected' }), 'failed mail_smtp');
  });

  test('503 "bad sequence of commands" blames the session → retry', () => {
    assert.equal(kindOf(smtpError('EENVELOPE', 'RCPT TO', '503 5.5.1 Error: need MAIL command')), 'retry mail_smtp');
  });

  test('the reply code is read from the response when responseCode is missing', () => {
    assert.equal(kindOf({ code: 'EENVELOPE', command: 'RCPT TO', response: '550 no such user', message: 'x' }), 'failed mail_email_invalid');
    assert.equal(kindOf({ code: 'EENVELOPE', command: 'RCPT TO', response: '450-first line\r\n450 second', message: 'x' }), 'retry mail_smtp');
    assert.equal(kindOf({ code: 'EMESSAGE', command: 'DATA', response: '554', message: 'x' }), 'failed mail_smtp');
  });

  test('an unexpected 2yz/3yz reply falls back to the error code', () => {
    assert.equal(kindOf(smtpError('EAUTH', 'AUTH LOGIN', '250 OK')), 'failed mail_smtp');
    assert.equal(kindOf(smtpError('EPROTOCOL', 'RSET', '354 go ahead')), 'retry mail_smtp');
  });
});

describe('classifySmtpError: no reply', () => {
  test('connection, timeout, socket, DNS, TLS and proxy failures → retry', () => {
    for (const code of ['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'EPROTOCOL', 'EPROXY', 'EABORT', 'EMAXLIMIT', 'EOAUTH2', 'EFETCH']) {
      assert.equal(kindOf({ code, command: 'CONN', message: 'Connection closed unexpectedly' }), 'retry mail_smtp', code);
    }
  });

  test('raw Node network errors (other transports) → retry', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']) {
      assert.equal(kindOf({ code, message: `connect ${code} 127.0.0.1:2525` }), 'retry mail_smtp', code);
    }
  });

  test('nodemailer\'s own envelope checks (command API)', () => {
    assert.equal(kindOf({ code: 'EENVELOPE', command: 'API', message: 'No recipients defined' }), 'failed mail_email_missing');
    assert.equal(kindOf({ code: 'EENVELOPE', command: 'API', message: 'Invalid recipient "a b@c"' }), 'failed mail_email_invalid');
    assert.equal(kindOf({ code: 'EENVELOPE', command: 'API', message: 'Invalid sender "a b@c"' }), 'failed mail_from_invalid');
    assert.equal(kindOf({ code: 'EENVELOPE', command: 'API', message: 'Invalid DSN bad' }), 'failed mail_smtp');
  });

  test('an envelope rejection without a reply follows its command', () => {
    assert.equal(kindOf({ code: 'EENVELOPE', command: 'RCPT TO', message: 'Recipient command failed' }), 'failed mail_email_invalid');
    assert.equal(kindOf({ code: 'EENVELOPE', command: 'MAIL FROM', message: 'Mail command failed' }), 'failed mail_from_invalid');
  });

  test('configuration and credential errors → failed mail_smtp', () => {
    for (const [code, command, message] of [
      ['EAUTH', 'API', 'Missing credentials for "PLAIN"'],
      ['ENOAUTH', 'API', 'Authentication credentials not provided'],
      ['EMESSAGE', 'MAIL FROM', 'Message size larger than allowed 10240'],
      ['EMESSAGE', 'API', 'Empty message'],
      ['EREQUIRETLS', 'MAIL FROM', 'Server does not support REQUIRETLS extension (RFC 8689)'],
      ['EMAXRECIPIENTS', 'API', 'Too many recipients'],
      ['ECONFIG', 'API', 'Invalid configuration'],
      ['ERR_ACCESS_DENIED', 'CONN', 'Access to this API has been restricted'],
    ] as const) {
      assert.equal(kindOf({ code, command, message }), 'failed mail_smtp', code);
    }
  });

  test('anything unrecognised → failed unknown, kept with its error rather than retried forever', () => {
    assert.equal(kindOf({ message: 'Cannot read properties of undefined' }), 'failed unknown');
    assert.equal(kindOf({ code: 'ESTREAM', command: 'API', message: 'ENOENT: no such file' }), 'failed unknown');
  });
});

describe('classifySmtpError: reason', () => {
  test('the server\'s reply when there is one, else the message, trimmed', () => {
    assert.equal(classifySmtpError(smtpError('EENVELOPE', 'RCPT TO', '550 5.1.1 User unknown  ')).reason, '550 5.1.1 User unknown');
    assert.equal(classifySmtpError({ code: 'ETIMEDOUT', message: '  Greeting never received ' }).reason, 'Greeting never received');
    assert.equal(classifySmtpError({ code: 'ETIMEDOUT', response: '   ', message: 'Timeout' }).reason, 'Timeout');
  });

  test('multi-line replies become one line', () => {
    const reply = '550-5.1.1 The email account that you tried to reach does not exist.\r\n550-5.1.1 Please try\r\n550 5.1.1 double-checking.';
    assert.equal(classifySmtpError(smtpError('EENVELOPE', 'RCPT TO', reply)).reason, '550-5.1.1 The email account that you tried to reach does not exist. 550-5.1.1 Please try 550 5.1.1 double-checking.');
    assert.equal(classifySmtpError({ message: 'a\n\n  b\rc' }).reason, 'a b c');
  });

  test('at most 1,000 characters, never cutting a surrogate pair', () => {
    const long = classifySmtpError({ message: 'x'.repeat(5000) }).reason;
    assert.equal(long.length, 1000);
    assert.ok(long.endsWith('…'));
    assert.equal(classifySmtpError({ message: 'y'.repeat(1000) }).reason, 'y'.repeat(1000));
    const emoji = classifySmtpError({ message: `${'x'.repeat(998)}😀😀` }).reason;
    assert.equal(emoji, `${'x'.repeat(998)}…`);
  });

  test('never empty', () => {
    assert.equal(classifySmtpError({ code: 'ECONNECTION', message: '' }).reason, 'ECONNECTION');
    assert.equal(classifySmtpError({ message: ' \r\n ' }).reason, 'unknown error');
  });
});

describe('classifySendInfo (nodemailer success info with rejected recipients)', () => {
  test('null when the recipient was accepted, or nobody was rejected', () => {
    assert.equal(classifySendInfo({ accepted: ['a@b.test'], rejected: [] }), null);
    assert.equal(classifySendInfo({ accepted: ['a@b.test'], rejected: ['c@d.test'] }), null);
    assert.equal(classifySendInfo({}), null);
  });

  test('a rejected sole recipient is a 5yz at RCPT → failed mail_email_invalid, with the server\'s reply', () => {
    const rejection = { ...smtpError('EENVELOPE', 'RCPT TO', '550 5.1.1 User unknown'), message: 'Recipient command failed: 550 5.1.1 User unknown' };
    assert.deepEqual(classifySendInfo({ accepted: [], rejected: ['a@b.test'], rejectedErrors: [rejection] }), { kind: 'failed', failureType: 'mail_email_invalid', reason: '550 5.1.1 User unknown' });
  });

  test('rejected without details → mail_email_invalid all the same', () => {
    assert.deepEqual(classifySendInfo({ accepted: [], rejected: ['a@b.test'] }), { kind: 'failed', failureType: 'mail_email_invalid', reason: 'Recipient rejected' });
    assert.equal(classifySendInfo({ rejected: ['a@b.test'], rejectedErrors: [{ message: 'rejected' }] })?.failureType, 'mail_email_invalid');
  });

  test('a temporary rejection wins over a permanent one → retry', () => {
    const errors = [smtpError('EENVELOPE', 'RCPT TO', '550 5.1.1 User unknown'), smtpError('EENVELOPE', 'RCPT TO', '451 4.3.0 Try later')];
    assert.deepEqual(classifySendInfo({ accepted: [], rejected: ['a@b.test', 'a@b.test'], rejectedErrors: errors }), { kind: 'retry', failureType: 'mail_smtp', reason: '451 4.3.0 Try later' });
  });
});
