import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trackingHtml } from '../../src/chatter/rules/tracking.ts';

test('tracking lines: one line per change, values escaped, an empty value shown as a dash', () => {
  assert.equal(
    trackingHtml([
      { field: 'Stage', from: 'New', to: 'Won' },
      { field: 'Amount <EUR>', from: null, to: '1 200 & more' },
    ]),
    '<ul><li><span class="tracking-field">Stage</span>: New → Won</li><li><span class="tracking-field">Amount &lt;EUR&gt;</span>: — → 1 200 &amp; more</li></ul>',
  );
});
