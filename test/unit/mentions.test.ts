import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseMentions, renderMentions } from '../../src/chatter/rules/mentions.ts';
import { isBlank, isSanitizedBlank, sanitizeBody } from '../../src/chatter/rules/html.ts';

describe('mention markup @[Name](partner:ID)', () => {
  test('finds each mentioned partner once, in order', () => {
    assert.deepEqual(parseMentions('Hi @[User 1](partner:2) and @[Client](partner:14), cc @[User 1](partner:2)'), [
      { partnerId: 2, label: 'User 1' },
      { partnerId: 14, label: 'Client' },
    ]);
  });

  test('ignores what only looks like a mention', () => {
    assert.deepEqual(parseMentions('mail me @ home, [x](partner:3), @[](partner:4), @[A](partner:x)'), []);
  });

  test('renders a link carrying the partner id, with the label escaped', () => {
    assert.equal(
      renderMentions('to @[<b>Bob</b>](partner:9)'),
      'to <a class="mention" data-partner-id="9" href="#partner-9">@&#60;b&#62;Bob&#60;/b&#62;</a>',
    );
  });

  test('a rendered mention survives sanitizing; scripts and handlers do not', () => {
    const html = sanitizeBody(`${renderMentions('@[Ann](partner:1)')}<img src="x" onerror="alert(1)"><script>alert(2)</script>`);
    assert.match(html, /<a class="mention" data-partner-id="1" href="#partner-1">@Ann<\/a>/);
    assert.doesNotMatch(html, /onerror|script/);
  });

  test('a body of empty tags is blank; an image is not', () => {
    assert.equal(isBlank('<p> </p><br>'), true);
    assert.equal(isBlank('<p><img src="cid:logo"></p>'), false);
  });

  test('isSanitizedBlank agrees with isBlank on what the sanitiser wrote', () => {
    const bodies = [
      '<p> </p><br>',
      '<p>&nbsp;\u00a0</p>',
      '<div><script>alert(1)</script><style>p{}</style></div>',
      '<p title="a > b"> </p>',
      '<p><img src="cid:logo"></p>',
      '<p>Hello</p>',
      '<blockquote>&lt;quoted&gt;</blockquote>',
      '<!-- hidden --><p></p>',
    ];
    for (const body of bodies) {
      const sanitized = sanitizeBody(body);
      assert.equal(isSanitizedBlank(sanitized), isBlank(sanitized), `${body} → ${sanitized}`);
    }
  });
});
