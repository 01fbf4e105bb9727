-- POST the same request over and over (a baseline insert, or a kiosk's take-a-number).
-- BENCH_PATH, BENCH_TOKEN (optional bearer), BENCH_BODIES (optional JSON bodies
-- separated by "\n", used in turn).
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
local report = require("report")

local path = os.getenv("BENCH_PATH")
local token = os.getenv("BENCH_TOKEN")
local bodies = {}
for body in string.gmatch(os.getenv("BENCH_BODIES") or "", "[^\n]+") do
  table.insert(bodies, body)
end
local requests = {}

function init(args)
  local headers = {["Content-Type"] = "application/json"}
  if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end
  if #bodies == 0 then bodies = {""} end
  for i, body in ipairs(bodies) do
    requests[i] = wrk.format("POST", path, headers, body)
  end
  n = 0
end

function request()
  n = n + 1
  return requests[(n % #requests) + 1]
end

function done(summary, latency, _requests)
  report.done(summary, latency)
end
