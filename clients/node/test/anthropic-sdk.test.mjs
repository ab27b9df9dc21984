// The official Anthropic TypeScript SDK (@anthropic-ai/sdk) against Meridian's /v1/messages, side by side: the
// recording upstream answering Anthropic's wire format directly (fixtures with "path": "/v1/messages"), then
// Meridian routing the model to it with its `type: anthropic` backend. The requests the upstream receives are not
// compared byte for byte (Meridian writes the system prompt and string contents as blocks, as the Messages API
// allows); the scenarios check what matters in them. Meridian-only tests cover what the upstream alone cannot show:
// a Claude model name mapped to a Chat Completions model, count_tokens, Meridian's own errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { scenario } from '../harness/scenario.mjs';
import { TARGETS } from '../harness/targets.mjs';

const MERIDIAN = TARGETS.find((t) => t.name === 'meridian');
const client = (target, options = {}) => new Anthropic({ baseURL: target.url, apiKey: target.apiKey, maxRetries: 0, ...options });
const ask = (text) => [{ role: 'user', content: text }];
const WEATHER = {
  name: 'get_weather',
  description: 'Current weather in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

/** What a program can observe of a message: everything but its id (each server makes its own); absent usage fields count as 0. */
function messageView(message) {
  const { id, usage, ...rest } = message;
  assert.match(id, /^msg_/);
  return {
    ...rest,
    usage: {
      input_tokens: usage.input_tokens ?? 0,
      output_tokens: usage.output_tokens ?? 0,
      cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
      cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
    },
  };
}

/**
 * A raw event stream as a program sees it: the event types in order and each delta, without pings (each server sends
 * them on its own schedule) and without message_start's usage (Meridian reports the prompt's size in message_delta,
 * where the SDK reads it too).
 */
function eventsView(events) {
  return events.filter((e) => e.type !== 'ping').map((e) => {
    switch (e.type) {
      case 'message_start':
        return { type: e.type, role: e.message.role, model: e.message.model, content: e.message.content };
      case 'content_block_start':
        return { type: e.type, index: e.index, content_block: e.content_block };
      case 'content_block_delta':
        return { type: e.type, index: e.index, delta: e.delta };
      case 'message_delta':
        return { type: e.type, delta: e.delta, output_tokens: e.usage.output_tokens };
      default:
        return { type: e.type, index: e.index };
    }
  });
}

async function collect(stream) {
  const events = [];
  for await (const event of stream) {
    events.push(event);
  }
  return events;
}

const errorView = (error) => ({ status: error.status, type: error.error?.error?.type, envelope: error.error?.type, cls: error.constructor.name });
const sameRequests = { compareRequests: false };

scenario('anthropic-sdk', 'plain answer, whole', {
  ...sameRequests,
  check: (m, requests) => {
    assert.equal(m.content[0].text, 'Hello! How can I help?');
    assert.equal(m.stop_reason, 'end_turn');
    assert.equal(m.usage.input_tokens, 11);
    assert.equal(requests[0].path, '/v1/messages');
    assert.equal(requests[0].body.max_tokens, 64);
    assert.ok(requests[0].headers['anthropic-version'], 'the upstream is told the API version');
  },
}, async (t) => messageView(await client(t).messages.create({ model: 'claude-plain', max_tokens: 64, system: 'Be kind.', messages: ask('Hello') })));

scenario('anthropic-sdk', 'plain answer, streamed as raw events', {
  ...sameRequests,
  check: (events) => {
    assert.deepEqual(events.map((e) => e.type), ['message_start', 'content_block_start', 'content_block_delta', 'content_block_delta',
      'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    assert.equal(events.filter((e) => e.type === 'content_block_delta').map((e) => e.delta.text).join(''), 'Hello! How can I help?');
  },
}, async (t) => eventsView(await collect(await client(t).messages.create({ model: 'claude-plain', max_tokens: 64, messages: ask('Hello'), stream: true }))));

scenario('anthropic-sdk', 'plain answer, the stream helper\'s text events and final message', {
  ...sameRequests,
  check: ({ text, final }) => {
    assert.equal(text, 'Hello! How can I help?');
    assert.equal(final.stop_reason, 'end_turn');
    assert.equal(final.usage.input_tokens, 11);
  },
}, async (t) => {
  const stream = client(t).messages.stream({ model: 'claude-plain', max_tokens: 64, messages: ask('Hello') });
  let text = '';
  stream.on('text', (piece) => { text += piece; });
  const final = messageView(await stream.finalMessage());
  return { text, final };
});

async function toolLoop(target, streamed) {
  const anthropic = client(target);
  const messages = ask('Weather in Paris?');
  const body = { model: 'claude-tools', max_tokens: 256, tools: [WEATHER], tool_choice: { type: 'auto' }, messages };
  const first = streamed ? await anthropic.messages.stream(body).finalMessage() : await anthropic.messages.create(body);
  const call = first.content.find((b) => b.type === 'tool_use');
  assert.ok(call, 'the model called a tool');
  messages.push({ role: 'assistant', content: first.content });
  messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: JSON.stringify({ city: call.input.city, temperature: 18 }) }] });
  const second = await anthropic.messages.create({ model: 'claude-tools', max_tokens: 256, tools: [WEATHER], messages });
  return { first: messageView(first), second: messageView(second) };
}

const toolCheck = ({ first, second }, requests) => {
  assert.equal(first.stop_reason, 'tool_use');
  const call = first.content.find((b) => b.type === 'tool_use');
  assert.equal(call.name, 'get_weather');
  assert.deepEqual(call.input, { city: 'Paris' });
  assert.equal(second.content[0].text, 'It is 18 degrees and sunny in Paris.');
  assert.equal(requests[0].body.tools[0].name, 'get_weather');
  assert.deepEqual(requests[0].body.tool_choice, { type: 'auto' });
  const result = requests[1].body.messages[2].content[0];
  assert.equal(result.type, 'tool_result');
  assert.equal(result.tool_use_id, 'toolu_fx_1');
  assert.equal(requests[1].body.messages[1].content.find((b) => b.type === 'tool_use').id, 'toolu_fx_1');
};

scenario('anthropic-sdk', 'tool use loop, whole', { ...sameRequests, check: toolCheck }, (t) => toolLoop(t, false));
scenario('anthropic-sdk', 'tool use loop, first turn streamed (input_json_delta accumulated by the SDK)', { ...sameRequests, check: toolCheck },
  (t) => toolLoop(t, true));

scenario('anthropic-sdk', 'extended thinking with its signature, whole and streamed', {
  ...sameRequests,
  check: ({ whole, streamed, deltas }, requests) => {
    for (const m of [whole, streamed]) {
      assert.equal(m.content[0].type, 'thinking');
      assert.equal(m.content[0].thinking, 'The user greets me; answer briefly.');
      assert.equal(m.content[0].signature, 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds');
      assert.equal(m.content[1].text, 'Hi!');
    }
    assert.ok(deltas.includes('signature_delta'), 'the signature arrives as a signature_delta');
    assert.deepEqual(requests[0].body.thinking, { type: 'enabled', budget_tokens: 1024 });
  },
}, async (t) => {
  const body = { model: 'claude-thinking', max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: ask('Hi') };
  const whole = messageView(await client(t).messages.create(body));
  const stream = client(t).messages.stream(body);
  const deltas = [];
  stream.on('streamEvent', (e) => { if (e.type === 'content_block_delta') deltas.push(e.delta.type); });
  const streamed = messageView(await stream.finalMessage());
  return { whole, streamed, deltas: [...new Set(deltas)] };
});

scenario('anthropic-sdk', 'an overloaded upstream is a 529 overloaded_error', {
  ...sameRequests,
  check: (e) => assert.deepEqual(e, { status: 529, type: 'overloaded_error', envelope: 'error', cls: 'OverloadedError' }),
}, async (t) => {
  try {
    await client(t).messages.create({ model: 'claude-overloaded', max_tokens: 16, messages: ask('Hi') });
  } catch (error) {
    return errorView(error);
  }
  throw new Error('expected an error');
});

scenario('anthropic-sdk', 'an error event in the middle of a stream fails the stream', {
  ...sameRequests,
  check: ({ text, error }) => {
    assert.equal(text, 'Partial');
    assert.equal(error, 'overloaded_error');
  },
}, async (t) => {
  const stream = client(t).messages.stream({ model: 'claude-cut', max_tokens: 16, messages: ask('Hi') });
  let text = '';
  stream.on('text', (piece) => { text += piece; });
  try {
    await stream.finalMessage();
  } catch (error) {
    return { text, error: error.error?.error?.type ?? error.error?.type };
  }
  throw new Error('expected the stream to fail');
});

// ---- through Meridian only ----

test('anthropic-sdk: a Claude model name mapped to a Chat Completions model, whole and streamed', async () => {
  const body = { model: 'claude-3-5-haiku-latest', max_tokens: 64, messages: ask('Hello') };
  const whole = await client(MERIDIAN).messages.create(body);
  assert.equal(whole.model, 'claude-3-5-haiku-latest');
  assert.equal(whole.content[0].text, 'Hello! How can I help?');
  const streamed = await client(MERIDIAN).messages.stream(body).finalMessage();
  assert.equal(streamed.content[0].text, 'Hello! How can I help?');
  assert.equal(streamed.stop_reason, 'end_turn');
  assert.ok(streamed.usage.input_tokens > 0);
});

test('anthropic-sdk: count_tokens', async () => {
  const short = await client(MERIDIAN).messages.countTokens({ model: 'claude-plain', messages: ask('Hello') });
  const long = await client(MERIDIAN).messages.countTokens({ model: 'claude-plain', tools: [WEATHER], system: 'You are a weather bot.',
    messages: ask('Hello there, how is the weather?') });
  assert.ok(short.input_tokens > 0);
  assert.ok(long.input_tokens > short.input_tokens);
});

test('anthropic-sdk: Meridian\'s own errors arrive as the SDK\'s typed errors', async () => {
  const failure = async (promise) => {
    try {
      await promise;
    } catch (error) {
      return errorView(error);
    }
    throw new Error('expected an error');
  };
  assert.deepEqual(await failure(client(MERIDIAN, { apiKey: 'sk-wrong' }).messages.create({ model: 'claude-plain', max_tokens: 8, messages: ask('Hi') })),
    { status: 401, type: 'authentication_error', envelope: 'error', cls: 'AuthenticationError' });
  assert.deepEqual(await failure(client(MERIDIAN).messages.create({ model: 'no-such-model', max_tokens: 8, messages: ask('Hi') })),
    { status: 404, type: 'not_found_error', envelope: 'error', cls: 'NotFoundError' });
  assert.deepEqual(await failure(client(MERIDIAN).messages.create({ model: 'claude-plain', max_tokens: 8, temperature: 3, messages: ask('Hi') })),
    { status: 400, type: 'invalid_request_error', envelope: 'error', cls: 'BadRequestError' });
});
