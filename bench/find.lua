-- wrk script: POST find requests, each with a unique shopTransactionId (KICC
-- refuses a reused key), and count answers that are not HTTP 200 + resCd 0000.
-- done() prints one JSON line for scripts/bench to read.
local threads = {}
local counter = 0
local bad = 0
local prefix = string.format("%x", os.time())
-- CANCEL_PGCNO picks the id asked about: a magic id such as
-- mock-cancel-partial-1 makes every answer a scenario's.
local cancelPgCno = os.getenv("CANCEL_PGCNO") or "25122722044210122121"

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  wrk.headers["Content-Type"] = "application/json; charset=utf-8"
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"mallId":"T0000001","shopTransactionId":"%s-%d-%d","pgCno":"25122722034810122119","cancelPgCno":"%s"}',
    prefix, tid, counter, cancelPgCno)
  return wrk.format("POST", "/api/trades/wechatpay/find", nil, body)
end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"resCd":"0000"', 1, true) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local badTotal = 0
  for _, t in ipairs(threads) do
    badTotal = badTotal + (t:get("bad") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"rps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"errors":%d}\n',
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.connect + e.read + e.write + e.status + e.timeout + badTotal))
end
