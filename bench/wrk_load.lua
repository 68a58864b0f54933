-- wrk script of bench/service_load.py: a bounded number of requests over a list of different requests,
-- every status checked, a sample of answers kept for the bench to check against its own results.
--
-- Settings come from the environment (bench/service_load.py sets them):
--   PACTLINE_WRK_PATHS   file with one request path per line (e.g. /api/v1/lineage/impact?field=...)
--   PACTLINE_WRK_TOTAL   requests in all; each of the PACTLINE_WRK_THREADS threads stops after its share
--   PACTLINE_WRK_OUT     file the summary and the sampled answers are written to
--   PACTLINE_WRK_BODY    optional: a file POSTed as the body of every request
--   PACTLINE_WRK_TYPE    the Content-Type of that body
--   PACTLINE_WRK_SAMPLE  keep one answer in this many (default 25)
--   PACTLINE_WRK_EXPECT  a Lua pattern every kept answer must match (e.g. "total")
-- The paths are taken in turn, each thread starting at its own offset, so consecutive requests differ.

-- wrk's main thread sleeps for the whole -d duration; a thread that has sent its share stops its loop and
-- sends wrk SIGINT, which ends that sleep, so wrk reports and exits at once
local ffi = require("ffi")
ffi.cdef [[
  int kill(int pid, int sig);
  int getpid(void);
]]
local SIGINT = 2

local threads = {}
local counter = 0

local function read_lines(path)
  local lines = {}
  for line in io.lines(path) do
    if #line > 0 then lines[#lines + 1] = line end
  end
  return lines
end

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  threads[#threads + 1] = thread
end

function init(args)
  paths = read_lines(os.getenv("PACTLINE_WRK_PATHS"))
  local total = tonumber(os.getenv("PACTLINE_WRK_TOTAL") or "1000")
  local nthreads = tonumber(os.getenv("PACTLINE_WRK_THREADS") or "1")
  quota = math.ceil(total / nthreads)
  sample_every = tonumber(os.getenv("PACTLINE_WRK_SAMPLE") or "25")
  expect = os.getenv("PACTLINE_WRK_EXPECT")
  next_path = (id - 1) * math.floor(#paths / nthreads)
  done_count = 0
  bad_status = 0
  bad_body = 0
  kept = {}
  wrk.method = "GET"
  local body_file = os.getenv("PACTLINE_WRK_BODY")
  if body_file and #body_file > 0 then
    local f = assert(io.open(body_file, "rb"))
    wrk.body = f:read("*a")
    f:close()
    wrk.method = "POST"
    wrk.headers["Content-Type"] = os.getenv("PACTLINE_WRK_TYPE")
  end
end

function request()
  local index = next_path % #paths + 1
  next_path = next_path + 1
  return wrk.format(nil, paths[index])
end

function response(status, headers, body)
  done_count = done_count + 1
  if status ~= 200 then
    bad_status = bad_status + 1
  end
  if done_count % sample_every == 0 then
    if expect and not string.find(body, expect) then
      bad_body = bad_body + 1
    end
    -- an impact answer names its field and window, a report its rows: the bench checks them unpaired
    kept[#kept + 1] = body
  end
  if done_count == quota then
    wrk.thread:stop()
    ffi.C.kill(ffi.C.getpid(), SIGINT)
  end
end

function done(summary, latency, requests)
  -- line 1: the summary as JSON; then each kept answer as it came (compact JSON, one per line)
  local out = assert(io.open(os.getenv("PACTLINE_WRK_OUT"), "w"))
  local answered, status_errors, body_errors = 0, 0, 0
  local samples = {}
  for _, thread in ipairs(threads) do
    answered = answered + (thread:get("done_count") or 0)
    status_errors = status_errors + (thread:get("bad_status") or 0)
    body_errors = body_errors + (thread:get("bad_body") or 0)
    for _, body in ipairs(thread:get("kept") or {}) do
      samples[#samples + 1] = body
    end
  end
  local e = summary.errors
  out:write(string.format(
    '{"requests": %d, "answered": %d, "duration_us": %d, "bad_status": %d, "bad_body": %d, '
      .. '"socket_errors": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "bytes": %d}\n',
    summary.requests, answered, summary.duration, status_errors, body_errors,
    e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, summary.bytes))
  for _, body in ipairs(samples) do
    out:write(string.gsub(body, "\n", " "), "\n")
  end
  out:close()
end
