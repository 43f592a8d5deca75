-- wrk script for the deadline surge: every request a new organisation; each thread keeps
-- the count of every status and the reference of every 201, which done() prints as JSON
-- for bench_surge.py to check against the database.
local threads = {}

function setup(thread)
  math.randomseed(os.time() + #threads)
  thread:set("tag", tostring(math.random(1, 1e9)))
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  statuses = {}
  references = {}
end

function request()
  counter = counter + 1
  local name = "Surge Organisation " .. tag .. "-" .. counter
  local body = '{"organisation_name":"' .. name .. '",' ..
    '"category":"cso","address":"No. 1, Jalan Surge, Kuala Lumpur","postcode":"50400",' ..
    '"state":"wp_kuala_lumpur","contact_name":"Nur Aisyah","contact_designation":"Pengurus",' ..
    '"contact_email":"surge' .. tag .. "-" .. counter .. '@example.org.my",' ..
    '"contact_phone":"012-345 6789","pillars":["prevention"],' ..
    '"interest_statement":"Kami membantu pekerja migran.","workshop_attendees":1,' ..
    '"consent_pdpa":true}'
  return wrk.format("POST", "/api/v1/registrations", {["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  if status == 201 then
    references[#references + 1] = body:match('"reference":"(%w+)"')
  end
end

function done(summary, latency, requests)
  local counts, refs = {}, {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[#counts + 1] = string.format('"%s": %d', status, n)
    end
    for _, reference in ipairs(thread:get("references")) do
      refs[#refs + 1] = '"' .. reference .. '"'
    end
  end
  local errors = summary.errors
  io.write(string.format(
    'JSON {"requests": %d, "seconds": %.3f, "non2xx": %d, "transport_errors": %d, ' ..
    '"p50_ms": %.2f, "p99_ms": %.2f, "statuses": [{%s}], "references": [%s]}\n',
    summary.requests, summary.duration / 1e6, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    table.concat(counts, "}, {"), table.concat(refs, ", ")))
end
