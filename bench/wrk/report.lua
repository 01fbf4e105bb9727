-- Shared by every bench script: print the run's summary as one JSON line.
-- Latencies are in microseconds; "status" counts answers other than 2xx/3xx.
local M = {}

function M.done(summary, latency, extra)
  local e = summary.errors
  io.write(string.format(
    '\nBENCH {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,'
      .. '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d%s}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout, extra or ""))
end

return M
