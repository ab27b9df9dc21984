// Where the suite sends its clients. The Java integration test (bootstrap's ClientCompatibilityIT) starts the
// recording upstream and the Meridian jar and passes their addresses; run by hand, export them yourself.
export const UPSTREAM_URL = required('UPSTREAM_URL'); // the recording upstream, e.g. http://127.0.0.1:41234
export const MERIDIAN_URL = required('MERIDIAN_URL'); // the gateway, routing model X to the upstream's model X
export const MERIDIAN_KEY = process.env.MERIDIAN_KEY ?? 'sk-meridian';
export const UPSTREAM_KEY = process.env.UPSTREAM_KEY ?? 'sk-upstream';

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the suite through ClientCompatibilityIT (./mvnw verify), or see clients/README.md`);
  }
  return value.replace(/\/$/, '');
}

/**
 * The two sides every scenario runs on. `url` is the server's root; `openaiBaseURL` is what an OpenAI-style
 * SDK takes. A door for another protocol (Anthropic's /v1/messages, the Responses API) uses `url` with its
 * own path; its upstream fixtures name that path.
 */
export const TARGETS = [
  { name: 'upstream', url: UPSTREAM_URL, openaiBaseURL: `${UPSTREAM_URL}/v1`, apiKey: UPSTREAM_KEY },
  { name: 'meridian', url: MERIDIAN_URL, openaiBaseURL: `${MERIDIAN_URL}/v1`, apiKey: MERIDIAN_KEY },
];
