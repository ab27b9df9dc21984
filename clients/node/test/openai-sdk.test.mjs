// The official `openai` Node SDK, side by side: the recording upstream directly, then through Meridian.
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { scenario } from '../harness/scenario.mjs';
import { completionView, plain, streamView } from '../harness/views.mjs';

const client = (target, options = {}) => new OpenAI({ baseURL: target.openaiBaseURL, apiKey: target.apiKey, maxRetries: 0, ...options });
const ask = (text) => [{ role: 'user', content: text }];

const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['city'] },
    strict: false,
  },
};
const weather = ({ city }) => JSON.stringify({ city, temperature: city === 'Oslo' ? 3 : 18, sky: 'sunny' });

async function collect(stream) {
  const chunks = [];
  for await (const chunk of stream) {
    chunks.push(chunk);
  }
  return chunks;
}

async function whole(target, body, options) {
  return completionView(await client(target, options).chat.completions.create(body));
}

async function streamed(target, body, options) {
  return streamView(await collect(await client(target, options).chat.completions.create({ ...body, stream: true })));
}

scenario('openai', 'plain answer, whole', {
  check: (seen) => assert.equal(seen.choices[0].message.content, 'Hello! How can I help?'),
}, (t) => whole(t, { model: 'plain', messages: ask('Hello') }));

scenario('openai', 'plain answer, streamed with the usage chunk', {
  check: (seen) => {
    assert.equal(seen.choices[0].map((e) => e.content ?? '').join(''), 'Hello! How can I help?');
    assert.equal(seen.usage.total_tokens, 17);
    assert.equal(seen.chunkFields.system_fingerprint, 'fp_plain');
  },
}, (t) => streamed(t, { model: 'plain', messages: ask('Hello'), stream_options: { include_usage: true } }));

scenario('openai', 'plain answer, streamed without asking for usage', {
  check: (seen) => assert.equal(seen.usage, undefined),
}, (t) => streamed(t, { model: 'plain', messages: ask('Hello') }));

scenario('openai', 'tool call, whole', {
  check: (seen, requests) => {
    const call = seen.choices[0].message.tool_calls[0];
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Paris', unit: 'celsius' });
    assert.equal(seen.choices[0].finish_reason, 'tool_calls');
    assert.deepEqual(requests[0].body.tool_choice, 'auto');
  },
}, (t) => whole(t, { model: 'tools', messages: ask('Weather in Paris?'), tools: [WEATHER_TOOL], tool_choice: 'auto', parallel_tool_calls: false }));

scenario('openai', 'tool call, streamed as fragments', {
  check: (seen) => {
    const fragments = seen.choices[0].filter((e) => e.tool_call);
    assert.equal(fragments.length, 5);
    assert.equal(fragments[0].tool_call.id, 'call_fx_weather_1');
    assert.equal(fragments.map((f) => f.tool_call.function.arguments).join(''), '{"city":"Paris","unit":"celsius"}');
  },
}, (t) => streamed(t, { model: 'tools', messages: ask('Weather in Paris?'), tools: [WEATHER_TOOL], tool_choice: { type: 'function', function: { name: 'get_weather' } } }));

scenario('openai', 'two parallel tool calls, streamed under their own indices', {
  check: (seen) => assert.deepEqual([...new Set(seen.choices[0].filter((e) => e.tool_call).map((e) => e.tool_call.index))], [0, 1]),
}, (t) => streamed(t, { model: 'parallel-tools', messages: ask('Weather in Paris and Oslo?'), tools: [WEATHER_TOOL], parallel_tool_calls: true }));

scenario('openai', 'the stream helper accumulates a tool call', {
  check: (seen) => assert.equal(seen.choices[0].message.tool_calls[0].function.arguments, '{"city":"Paris","unit":"celsius"}'),
}, async (t) => {
  const stream = client(t).chat.completions.stream({ model: 'tools', messages: ask('Weather in Paris?'), tools: [WEATHER_TOOL] });
  return completionView(await stream.finalChatCompletion());
});

for (const stream of [false, true]) {
  scenario('openai', `runTools: a whole tool loop${stream ? ', streamed' : ''}`, {
    check: (seen, requests) => {
      assert.equal(seen.final, 'It is 18 °C and sunny in Paris.');
      assert.equal(requests.length, 2);
      const toolMessage = requests[1].body.messages.find((m) => m.role === 'tool');
      assert.equal(toolMessage.tool_call_id, 'call_fx_weather_1');
      assert.equal(requests[1].body.messages[1].tool_calls[0].function.name, 'get_weather');
    },
  }, async (t) => {
    const runner = client(t).chat.completions.runTools({
      model: 'tools',
      messages: ask('Weather in Paris?'),
      stream,
      tools: [{ type: 'function', function: { function: weather, parse: JSON.parse, name: 'get_weather', description: 'Current weather in a city', parameters: WEATHER_TOOL.function.parameters } }],
    });
    const final = await runner.finalContent();
    return { final, messages: plain(runner.messages), usage: plain(await runner.totalUsage()) };
  });
}

scenario('openai', 'n: 2, whole', {
  check: (seen) => {
    assert.deepEqual(seen.choices.map((c) => [c.index, c.message.content, c.finish_reason]), [[0, 'Red apple', 'stop'], [1, 'Blue sky', 'length']]);
  },
}, (t) => whole(t, { model: 'n2', messages: ask('A colour and a thing'), n: 2 }));

scenario('openai', 'n: 2, streamed: each choice apart', {
  check: (seen) => {
    assert.equal(seen.choices[0].map((e) => e.content ?? '').join(''), 'Red apple');
    assert.equal(seen.choices[1].map((e) => e.content ?? '').join(''), 'Blue sky');
    assert.deepEqual(seen.choices[1].at(-1), { finish_reason: 'length' });
  },
}, (t) => streamed(t, { model: 'n2', messages: ask('A colour and a thing'), n: 2, stream_options: { include_usage: true } }));

scenario('openai', 'logprobs, whole', {
  check: (seen) => assert.equal(seen.choices[0].logprobs.content[0].top_logprobs[1].token, 'No'),
}, (t) => whole(t, { model: 'logprobs', messages: ask('Yes or no?'), logprobs: true, top_logprobs: 2 }));

scenario('openai', 'logprobs, streamed with each token', {
  check: (seen) => assert.deepEqual(seen.choices[0].filter((e) => e.logprobs).map((e) => e.logprobs.content[0].token), ['Yes', '.']),
}, (t) => streamed(t, { model: 'logprobs', messages: ask('Yes or no?'), logprobs: true, top_logprobs: 2 }));

scenario('openai', 'refusal, whole', {
  check: (seen) => {
    assert.equal(seen.choices[0].message.refusal, "I'm sorry, I can't help with that.");
    assert.equal(seen.choices[0].message.content, undefined);
  },
}, (t) => whole(t, { model: 'refusal', messages: ask('Something bad'), response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' }, strict: true } } }));

scenario('openai', 'refusal, streamed', {
  check: (seen) => assert.equal(seen.choices[0].map((e) => e.refusal ?? '').join(''), "I'm sorry, I can't help with that."),
}, (t) => streamed(t, { model: 'refusal', messages: ask('Something bad') }));

scenario('openai', 'usage details and reasoning (DeepSeek), whole', {
  check: (seen) => {
    assert.equal(seen.usage.prompt_cache_hit_tokens, 1024);
    assert.equal(seen.usage.prompt_cache_miss_tokens, 176);
    assert.equal(seen.usage.prompt_tokens_details.cached_tokens, 1024);
    assert.equal(seen.usage.completion_tokens_details.reasoning_tokens, 150);
    assert.equal(seen.choices[0].message.reasoning_content, 'The user greets me.');
    assert.equal(seen.system_fingerprint, 'fp_ds_v4');
  },
}, (t) => whole(t, { model: 'usage-details', messages: ask('Hi'), thinking: { type: 'enabled' } }));

scenario('openai', 'usage details and reasoning (DeepSeek), streamed', {
  check: (seen) => {
    assert.equal(seen.usage.prompt_cache_hit_tokens, 1024);
    assert.equal(seen.choices[0].map((e) => e.reasoning_content ?? '').join(''), 'The user greets me.');
  },
}, (t) => streamed(t, { model: 'usage-details', messages: ask('Hi'), stream_options: { include_usage: true } }));

scenario('openai', 'a finish reason OpenAI does not define, and unknown fields', {
  check: (seen) => {
    assert.equal(seen.choices[0].finish_reason, 'insufficient_system_resource');
    assert.deepEqual(seen.kv_transfer_params, { remote: 1 });
  },
}, (t) => whole(t, { model: 'finish-reason', messages: ask('Go') }));

scenario('openai', 'a finish reason OpenAI does not define, streamed', {
  check: (seen) => assert.deepEqual(seen.choices[0].at(-1), { finish_reason: 'insufficient_system_resource' }),
}, (t) => streamed(t, { model: 'finish-reason', messages: ask('Go') }));

const IMAGE = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
scenario('openai', 'vision: text and image_url parts', {
  check: (seen, requests) => {
    assert.equal(seen.choices[0].message.content, 'A red square.');
    assert.deepEqual(requests[0].body.messages[0].content[1], { type: 'image_url', image_url: { url: IMAGE, detail: 'low' } });
  },
}, (t) => whole(t, {
  model: 'vision',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: IMAGE, detail: 'low' } }] }],
}));

// Every vendor extra and every OpenAI field a gateway could drop: the upstream must receive each as written.
export const EXTRAS = {
  thinking: { type: 'enabled' },
  enable_thinking: true,
  chat_template_kwargs: { enable_thinking: false },
  top_k: 40,
  min_p: 0.05,
  repetition_penalty: 1.1,
  guided_json: { type: 'object', properties: { a: { type: 'string' } } },
  options: { num_ctx: 4096 },
  keep_alive: '5m',
  extra_body: { provider: { order: ['a'] } },
};
const OPENAI_FIELDS = {
  logit_bias: { 50256: -100 },
  reasoning_effort: 'low',
  verbosity: 'low',
  metadata: { team: 'search' },
  store: false,
  service_tier: 'auto',
  prediction: { type: 'content', content: 'Done.' },
  seed: 7,
  stop: ['END'],
  user: 'user-1',
  safety_identifier: 'sid-1',
  prompt_cache_key: 'pck-1',
  web_search_options: { search_context_size: 'low' },
  modalities: ['text'],
  max_completion_tokens: 64,
  temperature: 0.2,
  top_p: 0.9,
  frequency_penalty: 0.1,
  presence_penalty: 0.2,
};
for (const stream of [false, true]) {
  scenario('openai', `every vendor extra and OpenAI field reaches the upstream${stream ? ', streamed' : ''}`, {
    check: (seen, requests) => {
      for (const [field, value] of Object.entries({ ...EXTRAS, ...OPENAI_FIELDS })) {
        assert.deepEqual(requests[0].body[field], value, field);
      }
      assert.deepEqual(requests[0].body.messages.at(-1), { role: 'assistant', content: 'Sure, ', prefix: true });
    },
  }, (t) => (stream ? streamed : whole)(t, {
    model: 'extras',
    messages: [...ask('Say done'), { role: 'assistant', content: 'Sure, ', prefix: true }],
    ...EXTRAS,
    ...OPENAI_FIELDS,
  }));
}

scenario('openai', 'organization and project headers (forward-headers)', {
  headers: ['openai-organization', 'openai-project'],
  check: (seen, requests) => {
    assert.equal(requests[0].headers['openai-organization'], 'org-compat');
    assert.equal(requests[0].headers['openai-project'], 'proj_compat');
  },
}, (t) => whole(t, { model: 'plain', messages: ask('Hello') }, { organization: 'org-compat', project: 'proj_compat' }));
