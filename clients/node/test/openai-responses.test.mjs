// The official `openai` Node SDK on Meridian's Responses API door (/v1/responses) and legacy Completions door
// (/v1/completions). The recording upstream speaks Chat Completions (and /v1/completions): each scenario checks what the
// SDK saw and what the upstream received after Meridian's translation.
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { zodTextFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { doorScenario } from '../harness/door.mjs';

const client = (target) => new OpenAI({ baseURL: target.openaiBaseURL, apiKey: target.apiKey, maxRetries: 0 });

const WEATHER = {
  type: 'function',
  name: 'get_weather',
  description: 'Current weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['city'] },
  strict: false,
};
const weather = ({ city }) => JSON.stringify({ city, temperature: city === 'Oslo' ? 3 : 18, sky: 'sunny' });

doorScenario('openai responses', 'create, whole', {
  check: (seen, requests) => {
    assert.match(seen.id, /^resp_[0-9a-f]{32}$/);
    assert.equal(seen.object, 'response');
    assert.equal(seen.status, 'completed');
    assert.equal(seen.output_text, 'Hello! How can I help?');
    assert.equal(seen.output[0].type, 'message');
    assert.equal(seen.instructions, 'Be friendly.');
    assert.deepEqual({ input: seen.usage.input_tokens, output: seen.usage.output_tokens, total: seen.usage.total_tokens }, { input: 12, output: 5, total: 17 });
    assert.equal(requests[0].path, '/v1/chat/completions');
    assert.deepEqual(requests[0].body.messages, [{ role: 'system', content: 'Be friendly.' }, { role: 'user', content: 'Hello' }]);
    assert.equal(requests[0].body.max_tokens, 64);
  },
}, async (t) => {
  const response = await client(t).responses.create({ model: 'plain', instructions: 'Be friendly.', input: 'Hello', max_output_tokens: 64 });
  return { ...response, output_text: response.output_text };
});

doorScenario('openai responses', 'stream with responses.stream: typed events in order, then the final response', {
  check: (seen, requests) => {
    assert.equal(seen.types[0], 'response.created');
    assert.equal(seen.types[1], 'response.in_progress');
    assert.equal(seen.types.at(-1), 'response.completed');
    assert.ok(seen.types.includes('response.output_item.added'));
    assert.ok(seen.types.includes('response.content_part.added'));
    assert.ok(seen.types.includes('response.output_text.done'));
    assert.ok(seen.types.includes('response.output_item.done'));
    assert.deepEqual(seen.sequence, seen.sequence.map((_, i) => i), 'sequence_number counts from 0 without a gap');
    assert.equal(seen.text, 'Hello! How can I help?');
    assert.equal(seen.final.output_text, 'Hello! How can I help?');
    assert.equal(seen.final.status, 'completed');
    assert.equal(seen.final.usage.output_tokens, 5);
    assert.equal(requests[0].body.stream, true);
  },
}, async (t) => {
  const stream = client(t).responses.stream({ model: 'plain', input: 'Hello' });
  const types = [];
  const sequence = [];
  let text = '';
  for await (const event of stream) {
    types.push(event.type);
    sequence.push(event.sequence_number);
    if (event.type === 'response.output_text.delta') {
      text += event.delta;
    }
  }
  const final = await stream.finalResponse();
  return { types, sequence, text, final: { output_text: final.output_text, status: final.status, usage: final.usage } };
});

doorScenario('openai responses', 'function tool loop continued with previous_response_id', {
  check: (seen, requests) => {
    assert.equal(seen.call.type, 'function_call');
    assert.equal(seen.call.name, 'get_weather');
    assert.deepEqual(JSON.parse(seen.call.arguments), { city: 'Paris', unit: 'celsius' });
    assert.equal(seen.text, 'It is 18 °C and sunny in Paris.');
    assert.equal(seen.previous, seen.firstId);
    assert.deepEqual(requests[0].body.tools, [{ type: 'function', function: { name: 'get_weather', description: 'Current weather in a city',
      parameters: WEATHER.parameters, strict: false } }]);
    const history = requests[1].body.messages;
    assert.deepEqual(history.map((m) => m.role), ['user', 'assistant', 'tool']);
    assert.equal(history[1].tool_calls[0].id, seen.call.call_id);
    assert.equal(history[2].tool_call_id, seen.call.call_id);
    assert.deepEqual(JSON.parse(history[2].content), { city: 'Paris', temperature: 18, sky: 'sunny' });
  },
}, async (t) => {
  const openai = client(t);
  const first = await openai.responses.create({ model: 'tools', input: 'Weather in Paris?', tools: [WEATHER] });
  const call = first.output.find((item) => item.type === 'function_call');
  const second = await openai.responses.create({
    model: 'tools', previous_response_id: first.id, tools: [WEATHER],
    input: [{ type: 'function_call_output', call_id: call.call_id, output: weather(JSON.parse(call.arguments)) }],
  });
  return { call, text: second.output_text, previous: second.previous_response_id, firstId: first.id };
});

doorScenario('openai responses', 'function tool call streamed: arguments in pieces', {
  check: (seen) => {
    assert.ok(seen.types.includes('response.function_call_arguments.delta'));
    assert.ok(seen.types.includes('response.function_call_arguments.done'));
    assert.deepEqual(JSON.parse(seen.arguments), { city: 'Paris', unit: 'celsius' });
    assert.equal(seen.final.name, 'get_weather');
    assert.equal(seen.final.arguments, seen.arguments);
  },
}, async (t) => {
  const stream = client(t).responses.stream({ model: 'tools', input: 'Weather in Paris?', tools: [WEATHER] });
  const types = [];
  let args = '';
  for await (const event of stream) {
    types.push(event.type);
    if (event.type === 'response.function_call_arguments.delta') {
      args += event.delta;
    }
  }
  const final = (await stream.finalResponse()).output.find((item) => item.type === 'function_call');
  return { types, arguments: args, final: { name: final.name, arguments: final.arguments } };
});

doorScenario('openai responses', 'a previous_response_id chain, then retrieve, input items and delete', {
  check: (seen, requests) => {
    assert.equal(seen.first, 'Paris.');
    assert.equal(seen.second, 'About 2.1 million people live in Paris.');
    assert.deepEqual(requests[1].body.messages, [
      { role: 'user', content: 'What is the capital of France?' },
      { role: 'assistant', content: 'Paris.' },
      { role: 'user', content: 'How many people live there?' },
    ], 'the chain is the history; the first request\'s instructions are not inherited');
    assert.equal(seen.retrieved, 'About 2.1 million people live in Paris.');
    assert.equal(seen.inputItem, 'How many people live there?');
    assert.equal(seen.deleted, true);
    assert.equal(seen.afterDelete, 404);
  },
}, async (t) => {
  const openai = client(t);
  const first = await openai.responses.create({ model: 'chain', instructions: 'One word.', input: 'What is the capital of France?' });
  const second = await openai.responses.create({ model: 'chain', previous_response_id: first.id, input: 'How many people live there?' });
  const retrieved = await openai.responses.retrieve(second.id);
  const items = await openai.responses.inputItems.list(second.id);
  const deleted = await openai.responses.delete(second.id);
  let afterDelete = 0;
  try {
    await openai.responses.retrieve(second.id);
  } catch (error) {
    afterDelete = error.status;
  }
  return {
    first: first.output_text, second: second.output_text, retrieved: retrieved.output_text,
    inputItem: items.data[0].content[0].text, deleted: deleted === undefined || deleted?.deleted !== false, afterDelete,
  };
});

doorScenario('openai responses', 'structured output with responses.parse and a zod text format', {
  check: (seen, requests) => {
    assert.deepEqual(seen, { name: 'Ada Lovelace', born: 1815 });
    const format = requests[0].body.response_format;
    assert.equal(format.type, 'json_schema');
    assert.equal(format.json_schema.name, 'person');
    assert.equal(format.json_schema.strict, true);
    assert.deepEqual(Object.keys(format.json_schema.schema.properties), ['name', 'born']);
  },
}, async (t) => {
  const Person = z.object({ name: z.string(), born: z.number() });
  const response = await client(t).responses.parse({ model: 'structured', input: 'Who wrote the first program?', text: { format: zodTextFormat(Person, 'person') } });
  return response.output_parsed;
});

doorScenario('openai responses', 'an unknown model is a 404 in OpenAI\'s error shape', {
  check: (seen) => {
    assert.equal(seen.status, 404);
    assert.equal(seen.code, 'model_not_found');
    assert.equal(seen.param, 'model');
  },
}, async (t) => {
  try {
    await client(t).responses.create({ model: 'no-such-model', input: 'Hello' });
    return { status: 200 };
  } catch (error) {
    // Nothing reaches the upstream for a refused request; one real call keeps the harness's "the upstream received something" check honest.
    await client(t).responses.create({ model: 'plain', input: 'Hello' });
    return { status: error.status, code: error.code, param: error.param };
  }
});

doorScenario('openai completions', 'completions.create, whole', {
  check: (seen, requests) => {
    assert.equal(seen.object, 'text_completion');
    assert.match(seen.id, /^cmpl-/);
    assert.equal(seen.choices[0].text, ' blue, because air scatters blue light.');
    assert.equal(seen.choices[0].finish_reason, 'stop');
    assert.equal(seen.usage.total_tokens, 14);
    assert.equal(requests[0].path, '/v1/completions');
    assert.equal(requests[0].body.prompt, 'The sky is');
    assert.equal(requests[0].body.max_tokens, 16);
    assert.equal(requests[0].body.echo, false);
  },
}, (t) => client(t).completions.create({ model: 'instruct', prompt: 'The sky is', max_tokens: 16, echo: false }));

doorScenario('openai completions', 'completions.create, streamed with the usage chunk', {
  check: (seen, requests) => {
    assert.equal(seen.text, ' blue, because air scatters blue light.');
    assert.equal(seen.finish, 'stop');
    assert.equal(seen.usage.completion_tokens, 9);
    assert.equal(requests[0].body.stream, true);
  },
}, async (t) => {
  const stream = await client(t).completions.create({ model: 'instruct', prompt: 'The sky is', stream: true, stream_options: { include_usage: true } });
  let text = '';
  let finish;
  let usage;
  for await (const chunk of stream) {
    for (const choice of chunk.choices) {
      text += choice.text;
      finish = choice.finish_reason ?? finish;
    }
    usage = chunk.usage ?? usage;
  }
  return { text, finish, usage };
});
