-- The rig's chat request as Anthropic's Messages API: the same prompt, the key in x-api-key.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["x-api-key"] = os.getenv("BENCH_KEY") or "sk-bench"
wrk.headers["anthropic-version"] = "2023-06-01"
wrk.body = '{"model":"' .. (os.getenv("BENCH_MODEL") or "mock-model") .. '","max_tokens":256,"messages":[{"role":"user","content":"Say hello"}]}'
