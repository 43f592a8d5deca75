-- wrk script: POST a valid registration with a unique organisation and email each time,
-- so every request is a real insert (no 409s).
local counter = 0
local threads = 0

-- A tag per thread and per run, so that threads, and a second run against the same
-- database, send organisations of their own.
function setup(thread)
  threads = threads + 1
  math.randomseed(os.time() * 1000 + threads)
  thread:set("thread_tag", tostring(math.random(1, 1e9)))
end

function request()
  counter = counter + 1
  local tag = thread_tag .. "-" .. counter
  local body = '{"organisation_name":"Persatuan Bench ' .. tag .. '",' ..
    '"category":"cso","address":"No. 12, Jalan Tun Razak, Kuala Lumpur","postcode":"50400",' ..
    '"state":"wp_kuala_lumpur","website":"https://www.example.org.my",' ..
    '"contact_name":"Nur Aisyah binti Ahmad","contact_designation":"Pengurus Program",' ..
    '"contact_email":"bench' .. tag .. '@example.org.my","contact_phone":"012-345 6789",' ..
    '"pillars":["prevention","partnership"],"focus_areas":["labour_migration"],' ..
    '"interest_statement":"Kami membantu pekerja migran yang menjadi mangsa buruh paksa.",' ..
    '"workshop_attendees":2,"preferred_language":"ms","consent_pdpa":true}'
  return wrk.format("POST", "/api/v1/registrations", {["Content-Type"] = "application/json"}, body)
end

function done(summary, latency, requests)
  io.write(string.format("JSON {\"requests\": %d, \"seconds\": %.3f, \"non2xx\": %d, " ..
    "\"p50_ms\": %.2f, \"p99_ms\": %.2f}\n",
    summary.requests, summary.duration / 1e6, summary.errors.status,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
