// The Vercel AI SDK's default OpenAI provider: `openai(model)` from @ai-sdk/openai speaks the Responses API, so it
// runs on Meridian's /v1/responses door. The recording upstream speaks Chat Completions; each scenario checks what the
// SDK produced and what the upstream received after Meridian's translation.
import assert from 'node:assert/strict';
import { createOpenAI } from '@ai-sdk/openai';
import { generateObject, generateText, stepCountIs, streamText, tool } from 'ai';
import { z } from 'zod';
import { doorScenario } from '../harness/door.mjs';

const model = (target, id) => createOpenAI({ baseURL: target.openaiBaseURL, apiKey: target.apiKey })(id);

const tools = {
  get_weather: tool({
    description: 'Current weather in a city',
    inputSchema: z.object({ city: z.string(), unit: z.enum(['celsius', 'fahrenheit']).optional() }),
    execute: async ({ city }) => ({ city, temperature: city === 'Oslo' ? 3 : 18, sky: 'sunny' }),
  }),
};

doorScenario('ai-sdk openai(model)', 'generateText', {
  check: (seen, requests) => {
    assert.equal(seen.text, 'Hello! How can I help?');
    assert.equal(seen.finishReason, 'stop');
    assert.equal(seen.usage.inputTokens, 12);
    assert.equal(seen.usage.outputTokens, 5);
    assert.match(seen.responseId, /^resp_/);
    assert.deepEqual(requests[0].body.messages, [{ role: 'user', content: 'Hello' }]);
  },
}, async (t) => {
  const result = await generateText({ model: model(t, 'plain'), prompt: 'Hello', maxRetries: 0 });
  return { text: result.text, finishReason: result.finishReason, usage: result.usage, responseId: result.response.id };
});

doorScenario('ai-sdk openai(model)', 'streamText', {
  check: (seen) => {
    assert.equal(seen.deltas.join(''), 'Hello! How can I help?');
    assert.ok(seen.deltas.length >= 2, 'the text arrives in pieces');
    assert.equal(seen.text, 'Hello! How can I help?');
    assert.equal(seen.finishReason, 'stop');
    assert.equal(seen.usage.inputTokens, 12);
  },
}, async (t) => {
  const result = streamText({ model: model(t, 'plain'), prompt: 'Hello', maxRetries: 0, onError: () => {} });
  const deltas = [];
  for await (const part of result.fullStream) {
    if (part.type === 'error') {
      throw part.error;
    }
    if (part.type === 'text-delta') {
      deltas.push(part.text);
    }
  }
  return { deltas, text: await result.text, finishReason: await result.finishReason, usage: await result.totalUsage };
});

doorScenario('ai-sdk openai(model)', 'generateText with a tool, several steps', {
  check: (seen, requests) => {
    assert.equal(seen.steps, 2);
    assert.equal(seen.toolName, 'get_weather');
    assert.deepEqual(seen.toolResult, { city: 'Paris', temperature: 18, sky: 'sunny' });
    assert.equal(seen.text, 'It is 18 °C and sunny in Paris.');
    assert.equal(requests[0].body.tools[0].function.name, 'get_weather');
    assert.deepEqual(requests[1].body.messages.map((m) => m.role), ['user', 'assistant', 'tool']);
  },
}, async (t) => {
  const result = await generateText({ model: model(t, 'tools'), prompt: 'Weather in Paris?', tools, stopWhen: stepCountIs(4), maxRetries: 0 });
  return {
    steps: result.steps.length, toolName: result.steps[0].toolCalls[0].toolName, toolResult: result.steps[0].toolResults[0].output,
    text: result.text,
  };
});

doorScenario('ai-sdk openai(model)', 'streamText with a tool, several steps', {
  check: (seen) => {
    assert.equal(seen.steps, 2);
    assert.deepEqual(seen.toolCall, { toolName: 'get_weather', input: { city: 'Paris', unit: 'celsius' } });
    assert.equal(seen.text, 'It is 18 °C and sunny in Paris.');
  },
}, async (t) => {
  const result = streamText({ model: model(t, 'tools'), prompt: 'Weather in Paris?', tools, stopWhen: stepCountIs(4), maxRetries: 0, onError: () => {} });
  let toolCall;
  for await (const part of result.fullStream) {
    if (part.type === 'error') {
      throw part.error;
    }
    if (part.type === 'tool-call') {
      toolCall = { toolName: part.toolName, input: part.input };
    }
  }
  return { steps: (await result.steps).length, toolCall, text: await result.text };
});

doorScenario('ai-sdk openai(model)', 'structured output with generateObject', {
  check: (seen, requests) => {
    assert.deepEqual(seen, { name: 'Ada Lovelace', born: 1815 });
    assert.equal(requests[0].body.response_format.type, 'json_schema');
    assert.deepEqual(requests[0].body.response_format.json_schema.schema.required, ['name', 'born']);
  },
}, async (t) => {
  const result = await generateObject({
    model: model(t, 'structured'), schema: z.object({ name: z.string(), born: z.number() }), prompt: 'Who wrote the first program?', maxRetries: 0,
  });
  return result.object;
});

doorScenario('ai-sdk openai(model)', 'a second turn sends the first answer back as a stored item reference', {
  check: (seen, requests) => {
    assert.equal(seen.first, 'Paris.');
    assert.equal(seen.second, 'About 2.1 million people live in Paris.');
    assert.equal(seen.referenced, true, 'the SDK referred to the stored answer by its item id');
    assert.deepEqual(requests[1].body.messages, [
      { role: 'user', content: 'What is the capital of France?' },
      { role: 'assistant', content: 'Paris.' },
      { role: 'user', content: 'How many people live there?' },
    ]);
  },
}, async (t) => {
  const first = await generateText({ model: model(t, 'chain'), prompt: 'What is the capital of France?', maxRetries: 0 });
  const messages = [{ role: 'user', content: 'What is the capital of France?' }, ...first.response.messages,
    { role: 'user', content: 'How many people live there?' }];
  const second = await generateText({ model: model(t, 'chain'), messages, maxRetries: 0 });
  const body = second.request.body;
  const sent = typeof body === 'string' ? JSON.parse(body) : body;
  return { first: first.text, second: second.text, referenced: sent.input.some((item) => item.type === 'item_reference') };
});
