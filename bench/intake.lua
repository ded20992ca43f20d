-- wrk script: POST a referral to /api/v1/referrals, each with its own Idempotency-Key,
-- as an agency's system would (bench/intake.sh).
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  token = os.getenv("TOGETHER_TOKEN")
  run = os.getenv("TOGETHER_RUN") or tostring(os.time())
end

local body = [[{"referrer":{"kind":"professional","name":"Bench Referrer","job_title":"DSL","agency_name":"Bench School","agency_kind":"education","email":"dsl@example.org"},"children":[{"given_name":"Bench","family_name":"Child","date_of_birth":"2019-05-01","sex":"female"}],"concern":{"what_happened":"Bruising seen at school","seen_or_heard":"Finger-mark bruises"},"consent":{"family_knows":"yes","family_consents":"yes"},"immediate_risk":"no"}]]

function request()
  counter = counter + 1
  local headers = {}
  headers["Authorization"] = "Bearer " .. token
  headers["Content-Type"] = "application/json"
  headers["Idempotency-Key"] = run .. "-" .. tostring(tid) .. "-" .. tostring(counter)
  return wrk.format("POST", "/api/v1/referrals", headers, body)
end

function done(summary, latency, requests)
  io.write(string.format("requests %d, non-2xx/3xx %d, errors %d\n", summary.requests,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
