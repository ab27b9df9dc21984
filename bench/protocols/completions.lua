-- The rig's request through the legacy Completions API (the mock answers every POST alike; Meridian reads its text).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_KEY") or "sk-bench")
wrk.body = '{"model":"' .. (os.getenv("BENCH_MODEL") or "mock-model") .. '","prompt":"Say hello"}'
