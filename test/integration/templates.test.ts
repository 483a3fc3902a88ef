// Mail templates rendered on a record through the real operations: the Liquid context, the body's
// sanitising, invalid Liquid refused in words, and the fences (no includes, bounded work).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Actor } from '../../src/chatter/actor.ts';
import { createCompany } from '../../src/chatter/companies.ts';
import { followRecord } from '../../src/chatter/followers.ts';
import { registerRecord } from '../../src/chatter/records.ts';
import { FacteurError } from '../../src/errors.ts';
import { createTemplate, deleteTemplate, listTemplates, previewTemplate, renderTemplate, updateTemplate } from '../../src/templates/templates.ts';
import { SYSTEM, externalPartner, internalUser, openTestChatter, portalUser, type TestChatter } from '../helpers/chatter.ts';

function rejectsWith(code: string, pattern?: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof FacteurError, String(error));
    assert.equal(error.code, code);
    if (pattern) assert.match(error.message, pattern);
    return true;
  };
}

describe('mail templates', () => {
  let t: TestChatter;
  let author: Actor;
  const ref = { model: 'sale.order', resId: '77' };
  before(async () => {
    t = await openTestChatter();
    const company = await createCompany(t.deps, SYSTEM, { name: 'Acme & Sons' });
    await registerRecord(t.deps, SYSTEM, { ...ref, name: 'S00077 <Rush>', companyId: company.id });
    const carol = await externalPartner(t.deps, 'Carol Client', 'carol@customer.example.org');
    await followRecord(t.deps, SYSTEM, ref, { partnerId: carol.id });
    author = { kind: 'user', user: await internalUser(t.deps, 'Alice Author') };
  });
  after(() => t.close());

  test('the context names the record, its company, the writer and the followers; the subject is text, the body escaped HTML', async () => {
    const template = await createTemplate(t.deps, SYSTEM, {
      name: 'Quotation ready',
      model: 'sale.order',
      subject: 'Your quotation {{ record.name }} from {{ company.name }}',
      body: '<p>Hello {% for f in followers %}{{ f.name }} ({{ f.email }}){% endfor %},</p><p>{{ record.model }} {{ record.resId }} — {{ user.name }} &lt;{{ user.email }}&gt;</p>',
    });
    const rendered = await renderTemplate(t.deps, author, template.id, ref);
    assert.equal(rendered.subject, 'Your quotation S00077 <Rush> from Acme & Sons');
    assert.match(rendered.bodyHtml, /<p>Hello Carol Client \(carol@customer\.example\.org\),<\/p>/);
    assert.match(rendered.bodyHtml, /sale\.order 77 — Alice Author &lt;alice\.author\.\d+@company\.example\.com&gt;/);

    const named = await previewTemplate(t.deps, author, { subject: '', body: '<p>{{ record.name }}</p>', record: ref });
    assert.equal(named.bodyHtml, '<p>S00077 &lt;Rush&gt;</p>', 'a value is escaped in the body, never taken as markup');

    const nothing = await previewTemplate(t.deps, SYSTEM, { subject: 'For {{ record.name }}{{ user.name }}', body: '<p>x</p>' });
    assert.equal(nothing.subject, 'For', 'no record and no user: empty values, not an error');
  });

  test('the body is sanitised like a message: scripts, handlers and javascript: links are dropped', async () => {
    const rendered = await previewTemplate(t.deps, author, {
      subject: 'x',
      body: '<p onclick="steal()">Hi</p><script>alert(1)</script><a href="javascript:alert(2)">link</a><img src="x" onerror="alert(3)"><strong>ok</strong>',
      record: ref,
    });
    assert.doesNotMatch(rendered.bodyHtml, /script|onclick|onerror|javascript:/i);
    assert.match(rendered.bodyHtml, /<p>Hi<\/p>/);
    assert.match(rendered.bodyHtml, /<strong>ok<\/strong>/);
  });

  test('invalid Liquid is refused when saved and when previewed, with the parser\'s words', async () => {
    await assert.rejects(
      createTemplate(t.deps, SYSTEM, { name: 'Broken', subject: 'ok', body: '<p>{% if record.name %}unclosed</p>' }),
      rejectsWith('TEMPLATE_INVALID', /^The body is not valid Liquid: .*tag .*if.* not closed/),
    );
    await assert.rejects(
      previewTemplate(t.deps, author, { subject: '{{ record.name | no_such_filter }}', body: '', record: ref }),
      rejectsWith('TEMPLATE_INVALID', /^The subject is not valid Liquid: undefined filter: no_such_filter/),
    );
    const saved = await createTemplate(t.deps, SYSTEM, { name: 'Fine', body: '<p>fine</p>' });
    await assert.rejects(updateTemplate(t.deps, SYSTEM, saved.id, { subject: '{{ unclosed' }), rejectsWith('TEMPLATE_INVALID', /subject/));
    assert.equal((await updateTemplate(t.deps, SYSTEM, saved.id, { subject: 'Now {{ record.name }}' })).subject, 'Now {{ record.name }}');
  });

  test('rendering is fenced: no file is included, and runaway loops stop with an error', async () => {
    for (const body of ["{% include '/etc/passwd' %}", "{% render 'package.json' %}", "{% layout 'x' %}"]) {
      await assert.rejects(previewTemplate(t.deps, author, { subject: '', body, record: ref }), rejectsWith('TEMPLATE_INVALID', /cannot include other templates or files/));
    }
    const started = Date.now();
    await assert.rejects(
      previewTemplate(t.deps, author, { subject: '', body: '{% for i in (1..100000000) %}{{ i }}{% endfor %}', record: ref }),
      rejectsWith('TEMPLATE_INVALID', /limit/),
    );
    await assert.rejects(
      previewTemplate(t.deps, author, { subject: '', body: '{% assign a = "xxxxxxxxxx" %}{% for i in (1..40) %}{% assign a = a | append: a %}{% endfor %}{{ a | size }}', record: ref }),
      rejectsWith('TEMPLATE_INVALID', /limit/),
    );
    await assert.rejects(
      previewTemplate(t.deps, author, { subject: '', body: '{% for i in (1..2000) %}{% for j in (1..2000) %}{% if j == 1 %}{% endif %}{% endfor %}{% endfor %}', record: ref }),
      rejectsWith('TEMPLATE_INVALID', /^The body cannot be rendered: template render limit exceeded/),
    );
    assert.ok(Date.now() - started < 5_000, 'the limits stop the work quickly');
    // Properties that are not the object's own (constructor, prototype) are not reachable.
    const probe = await previewTemplate(t.deps, author, { subject: '{{ record.constructor }}{{ record.name.constructor }}', body: '', record: ref });
    assert.equal(probe.subject, '');
  });

  test('a model lists its own templates and those of every model; writing is for administrators, using for internal users', async () => {
    const generic = await createTemplate(t.deps, SYSTEM, { name: 'Generic thanks', body: '<p>Thanks</p>' });
    const other = await createTemplate(t.deps, SYSTEM, { name: 'Ticket answer', model: 'helpdesk.ticket', body: '<p>Answer</p>' });
    const forOrders = (await listTemplates(t.deps, author, 'sale.order')).map((x) => x.name);
    assert.ok(forOrders.includes('Generic thanks') && forOrders.includes('Quotation ready'));
    assert.ok(!forOrders.includes('Ticket answer'));
    assert.ok((await listTemplates(t.deps, author)).some((x) => x.id === other.id));

    const portal: Actor = { kind: 'user', user: await portalUser(t.deps, 'Pat Portal') };
    await assert.rejects(listTemplates(t.deps, portal, 'sale.order'), rejectsWith('FORBIDDEN'));
    await assert.rejects(renderTemplate(t.deps, portal, generic.id, ref), rejectsWith('FORBIDDEN'));
    await assert.rejects(createTemplate(t.deps, author, { name: 'Mine', body: 'x' }), rejectsWith('FORBIDDEN', /administrator/));
    await assert.rejects(deleteTemplate(t.deps, author, generic.id), rejectsWith('FORBIDDEN'));

    await assert.rejects(renderTemplate(t.deps, author, generic.id, { model: 'sale.order', resId: 'nope' }), rejectsWith('RECORD_NOT_FOUND'));
    await deleteTemplate(t.deps, SYSTEM, generic.id);
    await assert.rejects(renderTemplate(t.deps, author, generic.id, ref), rejectsWith('TEMPLATE_NOT_FOUND'));
    await assert.rejects(deleteTemplate(t.deps, SYSTEM, generic.id), rejectsWith('TEMPLATE_NOT_FOUND'));
  });
});
