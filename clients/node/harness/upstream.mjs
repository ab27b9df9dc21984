import { UPSTREAM_URL } from './targets.mjs';

/** What the recording upstream received from the `from`-th request on, and how many it has seen in all. */
export async function recorded(from = 0) {
  const response = await fetch(`${UPSTREAM_URL}/__recorded?from=${from}`);
  if (!response.ok) {
    throw new Error(`the recording upstream answered ${response.status}`);
  }
  return response.json();
}
