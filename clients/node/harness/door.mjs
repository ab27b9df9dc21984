import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TARGETS } from './targets.mjs';
import { recorded } from './upstream.mjs';

const MERIDIAN = TARGETS.find((t) => t.name === 'meridian');

/**
 * A scenario for one of Meridian's own protocol doors (the Responses API, the legacy Completions API) whose upstream
 * speaks another protocol, so there is no "directly" side to compare with: `run(target)` drives a real client SDK
 * through Meridian only, and `check(seen, requests)` must hold on what the client saw and on what the recording
 * upstream received (translated into the upstream's protocol). The check is required: a door scenario passes only
 * on a right answer.
 */
export function doorScenario(client, name, options, run) {
  const { check, timeout = 20_000 } = options;
  assert.equal(typeof check, 'function', `door scenario '${name}' needs a check`);
  test(`${client}: ${name}`, { timeout }, async () => {
    const { count: from } = await recorded(0);
    const seen = await run(MERIDIAN);
    const { requests } = await recorded(from);
    assert.ok(requests.length > 0, 'the upstream received no request');
    await check(seen, requests);
  });
}
