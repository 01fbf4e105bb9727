-- A clerk at each window: call the next ticket, complete it, call again.
-- One connection per wrk thread, so each thread is one window (BENCH_WINDOWS,
-- comma-separated, one per thread) with its own clerk (BENCH_TOKENS, likewise) and
-- remembers the ticket it called.
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
local report = require("report")

local windows, tokens = {}, {}
for code in string.gmatch(os.getenv("BENCH_WINDOWS"), "[^,]+") do
  table.insert(windows, code)
end
for token in string.gmatch(os.getenv("BENCH_TOKENS"), "[^,]+") do
  table.insert(tokens, token)
end
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("window", windows[#threads])
  thread:set("token", tokens[#threads])
end

function init(args)
  headers = {["Authorization"] = "Bearer " .. token}
  call = wrk.format("POST", "/api/v1/windows/" .. window .. "/call-next", headers)
  pending, calls, empty, held, other = nil, 0, 0, 0, 0
end

function request()
  if pending then
    return wrk.format("POST", "/api/v1/tickets/" .. pending .. "/complete", headers)
  end
  return call
end

function response(status, _headers, body)
  if pending then
    pending = nil
  elseif status == 200 then
    pending = string.match(body, '"id":(%d+)')
    calls = calls + 1
  elseif status == 204 then
    empty = empty + 1
  elseif status == 409 and string.match(body, '"ticket_id":(%d+)') then
    -- the window still holds a ticket (a run stopped between call and complete)
    pending = string.match(body, '"ticket_id":(%d+)')
    held = held + 1
  else
    other = other + 1
  end
end

function done(summary, latency, _requests)
  local c, e, h, o = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    c = c + thread:get("calls")
    e = e + thread:get("empty")
    h = h + thread:get("held")
    o = o + thread:get("other")
  end
  report.done(summary, latency,
    string.format(',"calls":%d,"empty":%d,"held":%d,"other":%d', c, e, h, o))
end
