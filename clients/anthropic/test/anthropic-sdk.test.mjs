// The official Anthropic TypeScript SDK (@anthropic-ai/sdk) against Meridian's /v1/messages.
//
// Side by side: each scenario runs the same client code against the loopback Anthropic server directly and
// through Meridian (which routes the model to that server with its `type: anthropic` backend), and passes when its
// own checks hold on both sides and what the client saw is the same. Meridian-only scenarios cover what the
// upstream alone cannot show: a model served by an OpenAI-compatible upstream, the model-name mapping, count_tokens,
// Meridian's own errors. The Java integration test (bootstrap's AnthropicSdkIT) starts the servers and the jar.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';

const UPSTREAM_URL = required('UPSTREAM_URL');
const MERIDIAN_URL = required('MERIDIAN_URL');
const MERIDIAN_KEY = process.env.MERIDIAN_KEY ?? 'sk-meridian';

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the suite through AnthropicSdkIT (./mvnw verify), or see clients/anthropic/README.md`);
  }
  return value.replace(/\/$/, '');
}

const SIDES = [
  { name: 'upstream', baseURL: UPSTREAM_URL, apiKey: 'sk-ant-upstream' },
  { name: 'meridian', baseURL: MERIDIAN_URL, apiKey: MERIDIAN_KEY },
];
const MERIDIAN = SIDES[1];

const client = (side, options = {}) => new Anthropic({ baseURL: side.baseURL, apiKey: side.apiKey, maxRetries: 0, ...options });
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
 * A raw event stream as a program sees it: the event types in order and each delta, without pings (each server
 * sends them on its own schedule) and without message_start's usage (Meridian reports the prompt's size in
 * message_delta, where the SDK reads it too).
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

function scenario(name, options, run) {
  const { check, sides = SIDES } = options;
  test(`anthropic-sdk: ${name}`, { timeout: 20_000 }, async () => {
    const seen = {};
    for (const side of sides) {
      try {
        seen[side.name] = await run(side);
        if (check) {
          await check(seen[side.name]);
        }
      } catch (error) {
        error.message = `[${side.name}] ${error.message}`;
        throw error;
      }
    }
    if (seen.upstream !== undefined) {
      assert.deepStrictEqual(seen.meridian, seen.upstream, 'what the client saw through Meridian differs from what it saw directly');
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

scenario('plain answer, whole', {
  check: (m) => {
    assert.equal(m.content[0].type, 'text');
    assert.equal(m.content[0].text, 'Hello! How can I help?');
    assert.equal(m.stop_reason, 'end_turn');
    assert.equal(m.usage.input_tokens, 11);
  },
}, async (side) => messageView(await client(side).messages.create({ model: 'claude-plain', max_tokens: 64, system: 'Be kind.', messages: ask('Hello') })));

scenario('plain answer, streamed as raw events', {
  check: (events) => {
    assert.deepEqual(events.map((e) => e.type), ['message_start', 'content_block_start', 'content_block_delta', 'content_block_delta',
      'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    assert.equal(events.filter((e) => e.type === 'content_block_delta').map((e) => e.delta.text).join(''), 'Hello! How can I help?');
  },
}, async (side) => eventsView(await collect(await client(side).messages.create({ model: 'claude-plain', max_tokens: 64, messages: ask('Hello'), stream: true }))));

scenario('plain answer, the stream helper\'s text events and final message', {
  check: ({ text, final }) => {
    assert.equal(text, 'Hello! How can I help?');
    assert.equal(final.stop_reason, 'end_turn');
    assert.equal(final.usage.input_tokens, 11);
  },
}, async (side) => {
  const stream = client(side).messages.stream({ model: 'claude-plain', max_tokens: 64, messages: ask('Hello') });
  let text = '';
  stream.on('text', (piece) => { text += piece; });
  const final = messageView(await stream.finalMessage());
  return { text, final };
});

async function toolLoop(side, streamed) {
  const anthropic = client(side);
  const messages = ask('Weather in Paris?');
  const first = streamed
    ? await anthropic.messages.stream({ model: 'claude-tools', max_tokens: 256, tools: [WEATHER], tool_choice: { type: 'auto' }, messages }).finalMessage()
    : await anthropic.messages.create({ model: 'claude-tools', max_tokens: 256, tools: [WEATHER], tool_choice: { type: 'auto' }, messages });
  const call = first.content.find((b) => b.type === 'tool_use');
  assert.ok(call, 'the model called a tool');
  messages.push({ role: 'assistant', content: first.content });
  messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: JSON.stringify({ city: call.input.city, temperature: 18 }) }] });
  const second = await anthropic.messages.create({ model: 'claude-tools', max_tokens: 256, tools: [WEATHER], messages });
  return { first: messageView(first), second: messageView(second) };
}

const toolCheck = ({ first, second }) => {
  assert.equal(first.stop_reason, 'tool_use');
  const call = first.content.find((b) => b.type === 'tool_use');
  assert.equal(call.name, 'get_weather');
  assert.deepEqual(call.input, { city: 'Paris' });
  assert.equal(second.stop_reason, 'end_turn');
  assert.equal(second.content[0].text, 'It is 18 degrees and sunny in Paris.');
};

scenario('tool use loop, whole', { check: toolCheck }, (side) => toolLoop(side, false));
scenario('tool use loop, first turn streamed (input_json_delta accumulated by the SDK)', { check: toolCheck }, (side) => toolLoop(side, true));

scenario('extended thinking with its signature, whole and streamed', {
  check: ({ whole, streamed, events }) => {
    for (const m of [whole, streamed]) {
      assert.equal(m.content[0].type, 'thinking');
      assert.equal(m.content[0].thinking, 'The user greets me; answer briefly.');
      assert.equal(m.content[0].signature, 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds');
      assert.equal(m.content[1].text, 'Hi!');
    }
    assert.ok(events.includes('signature_delta'), 'the signature arrives as a signature_delta');
  },
}, async (side) => {
  const body = { model: 'claude-thinking', max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: ask('Hi') };
  const whole = messageView(await client(side).messages.create(body));
  const stream = client(side).messages.stream(body);
  const events = [];
  stream.on('streamEvent', (e) => { if (e.type === 'content_block_delta') events.push(e.delta.type); });
  const streamed = messageView(await stream.finalMessage());
  return { whole, streamed, events: [...new Set(events)] };
});

scenario('an overloaded upstream is a 529 overloaded_error', {
  check: (e) => {
    assert.equal(e.status, 529);
    assert.equal(e.type, 'overloaded_error');
    assert.equal(e.envelope, 'error');
  },
}, async (side) => {
  try {
    await client(side).messages.create({ model: 'claude-overloaded', max_tokens: 16, messages: ask('Hi') });
  } catch (error) {
    return errorView(error);
  }
  throw new Error('expected an error');
});

scenario('an error event in the middle of a stream fails the stream', {
  check: ({ text, error }) => {
    assert.equal(text, 'Partial');
    assert.equal(error.type, 'overloaded_error');
  },
}, async (side) => {
  const stream = client(side).messages.stream({ model: 'claude-cut', max_tokens: 16, messages: ask('Hi') });
  let text = '';
  stream.on('text', (piece) => { text += piece; });
  try {
    await stream.finalMessage();
  } catch (error) {
    return { text, error: { type: error.error?.error?.type ?? error.error?.type } };
  }
  throw new Error('expected the stream to fail');
});

// ---- through Meridian only ----

scenario('a Claude model name mapped to a model served by an OpenAI-compatible upstream, whole and streamed', {
  sides: [MERIDIAN],
  check: ({ whole, streamed }) => {
    assert.equal(whole.model, 'claude-3-5-haiku-latest');
    assert.equal(whole.content[0].text, 'Hello from the fake upstream.');
    assert.equal(streamed.content[0].text, 'Hello from the fake upstream.');
    assert.equal(streamed.stop_reason, 'end_turn');
    assert.ok(streamed.usage.input_tokens > 0);
  },
}, async (side) => {
  const body = { model: 'claude-3-5-haiku-latest', max_tokens: 64, messages: ask('Hello') };
  return {
    whole: messageView(await client(side).messages.create(body)),
    streamed: messageView(await client(side).messages.stream(body).finalMessage()),
  };
});

scenario('count_tokens', {
  sides: [MERIDIAN],
  check: ({ short, long }) => {
    assert.ok(short.input_tokens > 0);
    assert.ok(long.input_tokens > short.input_tokens);
  },
}, async (side) => ({
  short: await client(side).messages.countTokens({ model: 'claude-plain', messages: ask('Hello') }),
  long: await client(side).messages.countTokens({ model: 'claude-plain', tools: [WEATHER], system: 'You are a weather bot.', messages: ask('Hello there, how is the weather?') }),
}));

scenario('Meridian\'s own errors arrive as the SDK\'s typed errors', {
  sides: [MERIDIAN],
  check: ({ missingKey, unknownModel, badRequest }) => {
    assert.deepEqual(missingKey, { status: 401, type: 'authentication_error', envelope: 'error', cls: 'AuthenticationError' });
    assert.deepEqual(unknownModel, { status: 404, type: 'not_found_error', envelope: 'error', cls: 'NotFoundError' });
    assert.deepEqual(badRequest, { status: 400, type: 'invalid_request_error', envelope: 'error', cls: 'BadRequestError' });
  },
}, async (side) => {
  const failure = async (promise) => {
    try {
      await promise;
    } catch (error) {
      return errorView(error);
    }
    throw new Error('expected an error');
  };
  return {
    missingKey: await failure(client(side, { apiKey: 'sk-wrong' }).messages.create({ model: 'claude-plain', max_tokens: 8, messages: ask('Hi') })),
    unknownModel: await failure(client(side).messages.create({ model: 'no-such-model', max_tokens: 8, messages: ask('Hi') })),
    badRequest: await failure(client(side).messages.create({ model: 'claude-plain', max_tokens: 8, temperature: 3, messages: ask('Hi') })),
  };
});
