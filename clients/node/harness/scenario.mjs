import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TARGETS } from './targets.mjs';
import { recorded } from './upstream.mjs';
import { requestView } from './views.mjs';

/**
 * One compatibility scenario: `run(target)` drives a real client SDK against a target (the recording upstream
 * directly, then Meridian) and returns what the client saw, reduced to what a program can observe (see
 * views.mjs). The scenario passes when
 *  - `check(seen, requests)` holds on both sides (so two equally broken answers cannot pass), and
 *  - the client saw the same through Meridian as directly, and
 *  - the upstream received the same requests both times (bodies, and the `headers` named), up to the
 *    differences listed in views.mjs (`requestView`) that Meridian makes on purpose.
 *
 * `client` names the SDK (openai, langchain, ai-sdk, ...: a new SDK is a new test file calling this).
 */
export function scenario(client, name, options, run) {
  const { check, headers = [], compareRequests = true, timeout = 20_000 } = options;
  test(`${client}: ${name}`, { timeout }, async () => {
    const sides = {};
    for (const target of TARGETS) {
      const { count: from } = await recorded(0);
      let seen;
      try {
        seen = await run(target);
      } catch (error) {
        error.message = `[${target.name}] ${error.message}`;
        throw error;
      }
      const { requests } = await recorded(from);
      assert.ok(requests.length > 0, `[${target.name}] the upstream received no request`);
      if (check) {
        try {
          await check(seen, requests);
        } catch (error) {
          error.message = `[${target.name}] ${error.message}`;
          throw error;
        }
      }
      sides[target.name] = { seen, requests };
    }
    assert.deepStrictEqual(sides.meridian.seen, sides.upstream.seen, 'what the client saw through Meridian differs from what it saw directly');
    if (compareRequests) {
      assert.deepStrictEqual(sides.meridian.requests.map((r) => requestView(r, headers)),
        sides.upstream.requests.map((r) => requestView(r, headers)),
        'what the upstream received through Meridian differs from what the client sent it directly');
    }
  });
}
