// The Vercel AI SDK (`ai`) with `@ai-sdk/openai-compatible` and `@ai-sdk/openai`'s `.chat()` models, side by
// side: the recording upstream directly, then through Meridian.
import assert from 'node:assert/strict';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, stepCountIs, streamText, tool } from 'ai';
import { z } from 'zod';
import { scenario } from '../harness/scenario.mjs';
import { omit, plain } from '../harness/views.mjs';

const PROVIDERS = {
  'openai-compatible': (t, model) => createOpenAICompatible({ name: 'compat', baseURL: t.openaiBaseURL, apiKey: t.apiKey, includeUsage: true })(model),
  'openai .chat()': (t, model) => createOpenAI({ baseURL: t.openaiBaseURL, apiKey: t.apiKey }).chat(model),
};

const tools = {
  get_weather: tool({
    description: 'Current weather in a city',
    inputSchema: z.object({ city: z.string(), unit: z.enum(['celsius', 'fahrenheit']).optional() }),
    execute: async ({ city }) => ({ city, temperature: city === 'Oslo' ? 3 : 18, sky: 'sunny' }),
  }),
};

/** A step as a program reads it; `response` (the gateway's own id and time, the headers) is left out. */
const stepView = (step) => omit(plain({
  text: step.text,
  reasoningText: step.reasoningText,
  toolCalls: step.toolCalls,
  toolResults: step.toolResults,
  finishReason: step.finishReason,
  rawFinishReason: step.rawFinishReason,
  usage: step.usage,
  providerMetadata: step.providerMetadata,
  warnings: step.warnings,
}));

async function generated(options) {
  const result = await generateText({ maxRetries: 0, ...options });
  return { text: result.text, finishReason: result.finishReason, usage: plain(result.totalUsage), steps: result.steps.map(stepView) };
}

/** Everything the full stream emits, in order, without the parts that carry the gateway's own id and time. */
async function streamedText(options) {
  const result = streamText({ maxRetries: 0, ...options, onError: () => {} });
  const parts = [];
  for await (const part of result.fullStream) {
    if (part.type === 'error') {
      throw part.error;
    }
    if (part.type !== 'raw') {
      parts.push(omit(plain(part), 'response', 'request'));
    }
  }
  return { parts, text: await result.text, steps: (await result.steps).map(stepView), usage: plain(await result.totalUsage) };
}

for (const [name, provider] of Object.entries(PROVIDERS)) {
  scenario('ai-sdk', `${name}: generateText`, {
    check: (seen) => assert.equal(seen.text, 'Hello! How can I help?'),
  }, (t) => generated({ model: provider(t, 'plain'), prompt: 'Hello' }));

  scenario('ai-sdk', `${name}: streamText`, {
    check: (seen) => {
      assert.deepEqual(seen.parts.filter((p) => p.type === 'text-delta').map((p) => p.text), ['Hello', '! How', ' can I help?']);
      assert.equal(seen.usage.inputTokens, 12);
    },
  }, (t) => streamedText({ model: provider(t, 'plain'), prompt: 'Hello' }));

  scenario('ai-sdk', `${name}: generateText with a tool, several steps`, {
    check: (seen, requests) => {
      assert.equal(seen.steps.length, 2);
      assert.equal(seen.steps[0].toolCalls[0].toolName, 'get_weather');
      assert.deepEqual(seen.steps[0].toolResults[0].output, { city: 'Paris', temperature: 18, sky: 'sunny' });
      assert.equal(seen.text, 'It is 18 °C and sunny in Paris.');
      assert.equal(requests[1].body.messages.at(-1).role, 'tool');
    },
  }, (t) => generated({ model: provider(t, 'tools'), prompt: 'Weather in Paris?', tools, stopWhen: stepCountIs(4) }));

  scenario('ai-sdk', `${name}: streamText with a tool, several steps`, {
    check: (seen) => {
      assert.equal(seen.text, 'It is 18 °C and sunny in Paris.');
      const deltas = seen.parts.filter((p) => p.type === 'tool-input-delta').map((p) => p.delta);
      assert.equal(deltas.join(''), '{"city":"Paris","unit":"celsius"}');
      assert.ok(seen.parts.some((p) => p.type === 'tool-result'));
    },
  }, (t) => streamedText({ model: provider(t, 'tools'), prompt: 'Weather in Paris?', tools, stopWhen: stepCountIs(4) }));

  scenario('ai-sdk', `${name}: two parallel tool calls, streamed`, {
    check: (seen) => assert.deepEqual(seen.steps[0].toolCalls.map((c) => c.input.city), ['Paris', 'Oslo']),
  }, (t) => streamedText({ model: provider(t, 'parallel-tools'), prompt: 'Weather in Paris and Oslo?', tools, stopWhen: stepCountIs(4) }));

  scenario('ai-sdk', `${name}: usage details (cached and reasoning tokens)`, {
    check: (seen) => {
      assert.equal(seen.usage.inputTokenDetails?.cacheReadTokens ?? seen.usage.cachedInputTokens, 1024);
      assert.equal(seen.usage.outputTokenDetails?.reasoningTokens ?? seen.usage.reasoningTokens, 150);
    },
  }, (t) => generated({ model: provider(t, 'usage-details'), prompt: 'Hi' }));

  const IMAGE = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
  scenario('ai-sdk', `${name}: vision, an image part`, {
    check: (seen, requests) => {
      assert.equal(seen.text, 'A red square.');
      assert.equal(requests[0].body.messages[0].content[1].type, 'image_url');
    },
  }, (t) => generated({ model: provider(t, 'vision'), messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image', image: new URL(IMAGE) }] }] }));
}

scenario('ai-sdk', 'openai-compatible: reasoning_content reaches reasoningText', {
  check: (seen) => assert.equal(seen.steps[0].reasoningText, 'The user greets me.'),
}, (t) => streamedText({ model: PROVIDERS['openai-compatible'](t, 'usage-details'), prompt: 'Hi' }));

scenario('ai-sdk', 'openai .chat(): logprobs', {
  check: (seen) => assert.equal(seen.steps[0].providerMetadata.openai.logprobs[0].top_logprobs[1].token, 'No'),
}, (t) => generated({ model: PROVIDERS['openai .chat()'](t, 'logprobs'), prompt: 'Yes or no?', providerOptions: { openai: { logprobs: 2 } } }));

const EXTRAS = {
  thinking: { type: 'enabled' }, enable_thinking: true, chat_template_kwargs: { enable_thinking: false }, top_k: 40, min_p: 0.05,
  repetition_penalty: 1.1, guided_json: { type: 'object' }, options: { num_ctx: 4096 }, keep_alive: '5m',
};
for (const stream of [false, true]) {
  scenario('ai-sdk', `openai-compatible: providerOptions (vendor extras) reach the upstream${stream ? ', streamed' : ''}`, {
    check: (seen, requests) => {
      for (const [field, value] of Object.entries(EXTRAS)) {
        assert.deepEqual(requests[0].body[field], value, field);
      }
      assert.equal(requests[0].body.top_p, 0.9);
    },
  }, (t) => (stream ? streamedText : generated)({
    model: PROVIDERS['openai-compatible'](t, 'extras'), prompt: 'Say done', topP: 0.9, seed: 7, providerOptions: { compat: EXTRAS },
  }));
}
