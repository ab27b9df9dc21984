-- The rig's request through the Responses API: the same question, one input message, not stored.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_KEY") or "sk-bench")
wrk.body = '{"model":"' .. (os.getenv("BENCH_MODEL") or "mock-model") .. '","input":"Say hello","store":false}'
