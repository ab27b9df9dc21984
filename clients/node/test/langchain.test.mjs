// LangChain JS (`@langchain/openai` ChatOpenAI on Chat Completions), side by side: the recording upstream
// directly, then through Meridian.
import assert from 'node:assert/strict';
import { AIMessageChunk, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { z } from 'zod';
import { scenario } from '../harness/scenario.mjs';
import { omit, plain } from '../harness/views.mjs';

const chat = (target, model, options = {}) => new ChatOpenAI({
  model,
  apiKey: target.apiKey,
  configuration: { baseURL: target.openaiBaseURL },
  maxRetries: 0,
  useResponsesApi: false,
  ...options,
});

const getWeather = tool(({ city }) => JSON.stringify({ city, temperature: city === 'Oslo' ? 3 : 18, sky: 'sunny' }), {
  name: 'get_weather',
  description: 'Current weather in a city',
  schema: z.object({ city: z.string(), unit: z.enum(['celsius', 'fahrenheit']).optional() }),
});

/** An AI message as a LangChain program reads it (the message id is the completion's, the gateway's own). */
function messageView(message) {
  const m = plain(message);
  const fields = m.kwargs ?? m;
  return {
    content: fields.content,
    tool_calls: fields.tool_calls,
    invalid_tool_calls: fields.invalid_tool_calls,
    additional_kwargs: fields.additional_kwargs,
    response_metadata: omit(fields.response_metadata, 'id', 'created'),
    usage_metadata: fields.usage_metadata,
  };
}

async function streamed(model, input, options) {
  let whole;
  const pieces = [];
  for await (const chunk of await model.stream(input, options)) {
    pieces.push(typeof chunk.content === 'string' ? chunk.content : plain(chunk.content));
    whole = whole === undefined ? chunk : whole.concat(chunk);
  }
  return { pieces: pieces.filter((p) => p !== ''), message: messageView(new AIMessageChunk(whole)) };
}

scenario('langchain', 'invoke', {
  check: (seen) => assert.equal(seen.content, 'Hello! How can I help?'),
}, async (t) => messageView(await chat(t, 'plain').invoke('Hello')));

scenario('langchain', 'stream with usage', {
  check: (seen) => {
    assert.deepEqual(seen.pieces, ['Hello', '! How', ' can I help?']);
    assert.equal(seen.message.usage_metadata.total_tokens, 17);
  },
}, (t) => streamed(chat(t, 'plain', { streamUsage: true }), 'Hello'));

for (const stream of [false, true]) {
  scenario('langchain', `bindTools: a whole agent loop${stream ? ', streamed' : ''}`, {
    check: (seen, requests) => {
      assert.equal(seen.first.tool_calls[0].name, 'get_weather');
      assert.deepEqual(seen.first.tool_calls[0].args, { city: 'Paris', unit: 'celsius' });
      assert.equal(seen.final.content, 'It is 18 °C and sunny in Paris.');
      assert.equal(requests.length, 2);
      assert.equal(requests[1].body.messages.at(-1).role, 'tool');
      assert.equal(requests[0].body.tools[0].function.name, 'get_weather');
    },
  }, async (t) => {
    // Streamed: model.stream() and the chunks added up, as agents do (invoke with streaming: true would make
    // LangChain estimate token counts with an encoding it downloads; usage comes from the stream instead).
    const model = chat(t, 'tools', { streamUsage: true }).bindTools([getWeather]);
    const call = async (messages) => {
      if (!stream) {
        return model.invoke(messages);
      }
      let whole;
      for await (const chunk of await model.stream(messages)) {
        whole = whole === undefined ? chunk : whole.concat(chunk);
      }
      return whole;
    };
    const messages = [new HumanMessage('Weather in Paris?')];
    const first = await call(messages);
    messages.push(first);
    for (const toolCall of first.tool_calls) {
      messages.push(new ToolMessage({ content: await getWeather.invoke(toolCall.args), tool_call_id: toolCall.id }));
    }
    const final = await call(messages);
    return { first: messageView(first), final: messageView(final) };
  });
}

scenario('langchain', 'a streamed tool call arrives as tool_call_chunks and adds up', {
  check: (seen) => assert.deepEqual(seen.message.tool_calls.map((c) => [c.id, c.name, c.args]),
    [['call_fx_p1', 'get_weather', { city: 'Paris' }], ['call_fx_p2', 'get_weather', { city: 'Oslo' }]]),
}, (t) => streamed(chat(t, 'parallel-tools').bindTools([getWeather]), 'Weather in Paris and Oslo?'));

scenario('langchain', 'n: 2 gives two generations', {
  check: (seen) => assert.deepEqual(seen.map((g) => g.text), ['Red apple', 'Blue sky']),
}, async (t) => {
  const result = await chat(t, 'n2', { n: 2 }).generate([[new HumanMessage('A colour and a thing')]]);
  return result.generations[0].map((g) => ({ text: g.text, message: messageView(g.message), info: plain(g.generationInfo) }));
});

scenario('langchain', 'logprobs', {
  check: (seen) => assert.equal(seen.response_metadata.logprobs.content[0].token, 'Yes'),
}, async (t) => messageView(await chat(t, 'logprobs', { logprobs: true, topLogprobs: 2 }).invoke('Yes or no?')));

scenario('langchain', 'usage details: cached and reasoning tokens', {
  check: (seen) => {
    assert.equal(seen.usage_metadata.input_token_details.cache_read, 1024);
    assert.equal(seen.usage_metadata.output_token_details.reasoning, 150);
  },
}, async (t) => messageView(await chat(t, 'usage-details').invoke('Hi')));

// (LangChain shows a refusal only through withStructuredOutput, which raises it; the openai SDK's scenarios cover refusals.)
scenario('langchain', 'a finish reason OpenAI does not define', {
  check: (seen) => assert.equal(seen.response_metadata.finish_reason, 'insufficient_system_resource'),
}, async (t) => messageView(await chat(t, 'finish-reason').invoke('Go')));

const IMAGE = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
scenario('langchain', 'vision: an image_url part', {
  check: (seen, requests) => assert.deepEqual(requests[0].body.messages[0].content[1].image_url.url, IMAGE),
}, async (t) => messageView(await chat(t, 'vision').invoke([new HumanMessage({ content: [
  { type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: IMAGE } }] })])));

const EXTRAS = {
  thinking: { type: 'enabled' }, enable_thinking: true, chat_template_kwargs: { enable_thinking: false }, top_k: 40, min_p: 0.05,
  repetition_penalty: 1.1, guided_json: { type: 'object' }, options: { num_ctx: 4096 }, keep_alive: '5m',
};
for (const stream of [false, true]) {
  scenario('langchain', `modelKwargs: vendor extras reach the upstream${stream ? ', streamed' : ''}`, {
    check: (seen, requests) => {
      for (const [field, value] of Object.entries(EXTRAS)) {
        assert.deepEqual(requests[0].body[field], value, field);
      }
    },
  }, async (t) => {
    const model = chat(t, 'extras', { modelKwargs: EXTRAS, temperature: 0.3, topP: 0.9 });
    return stream ? streamed(model, 'Say done') : messageView(await model.invoke('Say done'));
  });
}
