-- wrk script: POSTs one GraphQL request body, read from a file, to the URL on wrk's command line.
--
--   BENCH_BODY=bench/queries/deep.graphql wrk -s bench/graphql.lua --latency -c 32 -d 15s URL
--
-- BENCH_BODY          the file: a JSON body ({"query": ...}) when it ends in .json, otherwise a
--                     bare GraphQL document, sent as {"query": "<the document>"}.
-- BENCH_CHECK_BODIES  "1": also count responses whose body contains "errors" (wrk then runs Lua
--                     for every response, which costs the load generator some CPU).
--
-- done() prints one line "BENCH_JSON {...}" with the counts and the latency percentiles (in
-- microseconds) that bench/bench.py reads.

local path = os.getenv("BENCH_BODY")
if path == nil or path == "" then
    io.stderr:write("graphql.lua: set BENCH_BODY to the file holding the query\n")
    os.exit(2)
end
local file, err = io.open(path, "rb")
if file == nil then
    io.stderr:write("graphql.lua: cannot read " .. path .. ": " .. tostring(err) .. "\n")
    os.exit(2)
end
local text = file:read("*a")
file:close()

local function json_string(s)
    s = s:gsub('[%c"\\]', function(c)
        if c == '"' then return '\\"' end
        if c == "\\" then return "\\\\" end
        if c == "\n" then return "\\n" end
        if c == "\r" then return "\\r" end
        if c == "\t" then return "\\t" end
        return string.format("\\u%04x", c:byte())
    end)
    return '"' .. s .. '"'
end

local body
if path:match("%.json$") then
    body = text
else
    body = '{"query": ' .. json_string(text) .. '}'
end

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"

local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

if os.getenv("BENCH_CHECK_BODIES") == "1" then
    function init(args)
        body_errors = 0
        checked = 0
    end

    function response(status, headers, body)
        checked = checked + 1
        if body ~= nil and string.find(body, '"errors"', 1, true) then
            body_errors = body_errors + 1
        end
    end
end

function done(summary, latency, requests)
    local body_errors, checked = 0, 0
    for _, thread in ipairs(threads) do
        body_errors = body_errors + (thread:get("body_errors") or 0)
        checked = checked + (thread:get("checked") or 0)
    end
    local e = summary.errors
    local function p(q) return latency:percentile(q) end
    io.write(string.format(
        'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
        '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
        '"latency_us": {"min": %.0f, "mean": %.1f, "stdev": %.1f, "max": %.0f, ' ..
        '"p50": %.0f, "p75": %.0f, "p90": %.0f, "p99": %.0f, "p99_9": %.0f}, ' ..
        '"body_errors": %d, "checked": %d}\n',
        summary.requests, summary.duration, summary.bytes,
        e.connect, e.read, e.write, e.status, e.timeout,
        latency.min, latency.mean, latency.stdev, latency.max,
        p(50), p(75), p(90), p(99), p(99.9),
        body_errors, checked))
end
