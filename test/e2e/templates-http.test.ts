// Mail templates over real HTTP: the CRUD, rendering on a record as the composer's picker calls it,
// the editor's preview, Liquid errors as 400 TEMPLATE_INVALID, and who may do what.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { internalUser, portalUser, externalPartner } from '../helpers/chatter.ts';
import { recordPath, startTestServer, type TestServer } from '../helpers/http.ts';

describe('mail templates over HTTP', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    const { client } = server;
    assert.equal((await client.put(recordPath('sale.order', '31'), { name: 'S00031' })).status, 201);
    const carol = await externalPartner(server.app.chatter, 'Carol Client');
    assert.equal((await client.post(`${recordPath('sale.order', '31')}/followers`, { partnerId: carol.id })).status, 201);
  });
  after(() => server?.close());

  test('create, list by model, read, change, render on a record, preview, delete', async () => {
    const { client } = server;
    const created = await client.post('/api/templates', { name: 'Quotation', model: 'sale.order', subject: 'Quotation {{ record.name }}', body: '<p>Dear {{ followers[0].name }}, here is {{ record.name }}.</p>' });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.model, 'sale.order');
    const generic = await client.post('/api/templates', { name: 'Any model', body: '<p>{{ record.model }}</p>' });
    assert.equal(generic.status, 201, generic.text);
    assert.equal(generic.body.model, null);
    assert.equal(generic.body.subject, '');
    const ticket = await client.post('/api/templates', { name: 'Tickets only', model: 'helpdesk.ticket', body: '<p>t</p>' });

    const listed = await client.get('/api/templates?model=sale.order');
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.map((t: { name: string }) => t.name), ['Any model', 'Quotation']);
    assert.equal((await client.get('/api/templates')).body.length, 3);
    assert.equal((await client.get(`/api/templates/${created.body.id}`)).body.body, created.body.body);

    const rendered = await client.post(`/api/templates/${created.body.id}/render`, { model: 'sale.order', resId: '31' });
    assert.equal(rendered.status, 200, rendered.text);
    assert.deepEqual(rendered.body, { subject: 'Quotation S00031', bodyHtml: '<p>Dear Carol Client, here is S00031.</p>' });

    const changed = await client.patch(`/api/templates/${created.body.id}`, { subject: 'Your quotation {{ record.name }}' });
    assert.equal(changed.status, 200, changed.text);
    assert.equal((await client.post(`/api/templates/${created.body.id}/render`, { model: 'sale.order', resId: 31 })).body.subject, 'Your quotation S00031');

    const preview = await client.post('/api/templates/preview', { subject: 'Re {{ record.name }}', body: '<p>{{ record.resId }}<script>x()</script></p>', model: 'sale.order', resId: '31' });
    assert.equal(preview.status, 200, preview.text);
    assert.deepEqual(preview.body, { subject: 'Re S00031', bodyHtml: '<p>31</p>' });
    const bare = await client.post('/api/templates/preview', { subject: 'Hello', body: '<p>{{ record.name }}</p>' });
    assert.deepEqual(bare.body, { subject: 'Hello', bodyHtml: '<p></p>' });

    assert.equal((await client.delete(`/api/templates/${ticket.body.id}`)).status, 204);
    const gone = await client.get(`/api/templates/${ticket.body.id}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error.code, 'TEMPLATE_NOT_FOUND');
    assert.equal((await client.post(`/api/templates/${ticket.body.id}/render`, { model: 'sale.order', resId: '31' })).body.error.code, 'TEMPLATE_NOT_FOUND');
    assert.equal((await client.post(`/api/templates/${generic.body.id}/render`, { model: 'sale.order', resId: '999' })).body.error.code, 'RECORD_NOT_FOUND');
  });

  test('invalid Liquid is a 400 TEMPLATE_INVALID with the parser\'s words, on save and on preview', async () => {
    const { client } = server;
    const refused = await client.post('/api/templates', { name: 'Broken', body: '<p>{% for x in followers %}</p>' });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error.code, 'TEMPLATE_INVALID');
    assert.match(refused.body.error.message, /^The body is not valid Liquid: tag .*for.* not closed/);
    const preview = await client.post('/api/templates/preview', { subject: '{{ record.name', body: '', model: 'sale.order', resId: '31' });
    assert.equal(preview.status, 400);
    assert.equal(preview.body.error.code, 'TEMPLATE_INVALID');
    assert.match(preview.body.error.message, /^The subject is not valid Liquid: output "\{\{ record\.name" not closed/);
  });

  test('an internal user renders and previews but does not write; a portal user does neither', async () => {
    const { client } = server;
    const deps = server.app.chatter;
    const staff = client.as((await internalUser(deps, 'Ian Internal')).id);
    const portal = client.as((await portalUser(deps, 'Pam Portal')).id);
    const template = (await client.post('/api/templates', { name: 'Hello', body: '<p>Hello {{ user.name }}</p>' })).body;

    const rendered = await staff.post(`/api/templates/${template.id}/render`, { model: 'sale.order', resId: '31' });
    assert.equal(rendered.status, 200, rendered.text);
    assert.equal(rendered.body.bodyHtml, '<p>Hello Ian Internal</p>');
    assert.equal((await staff.post('/api/templates/preview', { subject: '', body: 'x' })).status, 200);
    const staffWrites = await staff.post('/api/templates', { name: 'Mine', body: 'x' });
    assert.equal(staffWrites.status, 403);
    assert.equal((await staff.patch(`/api/templates/${template.id}`, { name: 'Renamed' })).status, 403);
    assert.equal((await staff.delete(`/api/templates/${template.id}`)).status, 403);

    const portalWrites = await portal.post('/api/templates', { name: 'Mine', body: 'x' });
    assert.equal(portalWrites.status, 403);
    assert.equal(portalWrites.body.error.code, 'FORBIDDEN');
    assert.equal((await portal.get('/api/templates?model=sale.order')).status, 403);
    assert.equal((await portal.post(`/api/templates/${template.id}/render`, { model: 'sale.order', resId: '31' })).status, 403);
    assert.equal((await client.get(`/api/templates/${template.id}`)).body.name, 'Hello', 'nothing changed');
  });
});
