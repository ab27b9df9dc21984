// What the suite compares: what a program using an SDK can observe, not the bytes (the bytes of Meridian's
// own answers are pinned by bootstrap's ChatFidelityTest). Ids and timestamps are Meridian's own.

/** An object without the named top-level keys. */
export function omit(object, ...keys) {
  if (object === null || typeof object !== 'object') {
    return object;
  }
  const copy = { ...object };
  for (const key of keys) {
    delete copy[key];
  }
  return copy;
}

/**
 * A plain JSON copy for comparing: class instances, functions and undefined fields gone, and a field that is
 * null counted as a field not sent (to a program `x.refusal == null` either way; OpenAI writes explicit nulls
 * where other servers leave fields out, and Meridian's answers are compared with both).
 */
export function plain(value) {
  const json = JSON.stringify(value);
  return json === undefined ? undefined : JSON.parse(json, (key, v) => (v === null && key !== '' ? undefined : v));
}

/**
 * A stream of Chat Completions chunks as a program observes it: per choice, the sequence of content, reasoning,
 * refusal, tool-call fragments, log probabilities and the finish reason, in order; the usage; and the
 * chunk-level fields. Not compared: how pieces are cut into chunks (a piece and its finish reason may come in
 * one chunk or two), empty pieces, the role marker, ids and timestamps.
 */
export function streamView(chunks) {
  const choices = {};
  const chunkFields = {};
  let usage;
  for (const raw of chunks) {
    const chunk = plain(raw);
    for (const [key, value] of Object.entries(omit(chunk, 'id', 'created', 'object', 'choices', 'usage'))) {
      if (value !== null) {
        chunkFields[key] = value;
      }
    }
    if (chunk.usage) {
      usage = chunk.usage;
    }
    for (const choice of chunk.choices ?? []) {
      const events = (choices[choice.index] ??= []);
      const delta = choice.delta ?? {};
      for (const field of ['reasoning_content', 'content', 'refusal']) {
        if (typeof delta[field] === 'string' && delta[field] !== '') {
          events.push({ [field]: delta[field] });
        }
      }
      for (const call of delta.tool_calls ?? []) {
        events.push({ tool_call: call });
      }
      if (choice.logprobs && (choice.logprobs.content?.length || choice.logprobs.refusal?.length)) {
        events.push({ logprobs: choice.logprobs });
      }
      const extra = omit(delta, 'role', 'content', 'reasoning_content', 'refusal', 'tool_calls');
      for (const [key, value] of Object.entries(extra)) {
        if (value !== null) {
          events.push({ [key]: value });
        }
      }
      if (choice.finish_reason) {
        events.push({ finish_reason: choice.finish_reason });
      }
    }
  }
  return { choices, usage, chunkFields };
}

/** A whole Chat Completions answer without the gateway's own id and time. */
export function completionView(completion) {
  return omit(plain(completion), 'id', 'created');
}

/**
 * A request the upstream received, for comparing direct and through Meridian: the method, the path, the body,
 * and the named headers. Meridian's deliberate differences are taken out here, and only here:
 *  - `stream_options`: Meridian asks every stream for the usage chunk (backend key `stream-usage`, on by
 *    default) and gives it to the clients that asked for it;
 *  - a `developer` message is sent as `system` (what every OpenAI-compatible server reads);
 *  - `stream: false` is the default, and Meridian writes `stream` only when it is true.
 */
export function requestView(request, headers) {
  const body = typeof request.body === 'object' && request.body !== null ? { ...request.body } : request.body;
  if (body && typeof body === 'object') {
    delete body.stream_options;
    if (body.stream === false) {
      delete body.stream;
    }
    if (Array.isArray(body.messages)) {
      body.messages = body.messages.map((m) => (m.role === 'developer' ? { ...m, role: 'system' } : m));
    }
  }
  const named = {};
  for (const name of headers) {
    named[name] = request.headers[name.toLowerCase()];
  }
  return { method: request.method, path: request.path, body, headers: named };
}
