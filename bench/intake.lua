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

-- Each referral is about a different child (names and dates of birth vary with the
-- request), as real intake is: the same child posted 20,000 times would make every
-- later "is this child known?" weigh 20,000 earlier referrals of them.
local given = {"Amelia","Noah","Olivia","Muhammad","Isla","George","Ava","Leo","Freya","Arthur","Lily","Oscar","Mia","Theo","Sophia","Harry"}
local family = {"Smith","Jones","Taylor","Brown","Williams","Wilson","Johnson","Davies","Patel","Robinson","Wright","Thompson","Evans","Walker","White","Roberts"}

local function body(n)
  local g = given[(n % #given) + 1]
  local f = family[(math.floor(n / #given) % #family) + 1] .. "-Bench" .. tostring(tid) .. "x" .. tostring(n)
  local dob = string.format("%04d-%02d-%02d", 2009 + (n % 16), 1 + (n % 12), 1 + (n % 28))
  return '{"referrer":{"kind":"professional","name":"Bench Referrer","job_title":"DSL","agency_name":"Bench School","agency_kind":"education","email":"dsl@example.org"},"children":[{"given_name":"' .. g .. '","family_name":"' .. f .. '","date_of_birth":"' .. dob .. '","sex":"female"}],"concern":{"what_happened":"Bruising seen at school","seen_or_heard":"Finger-mark bruises"},"consent":{"family_knows":"yes","family_consents":"yes"},"immediate_risk":"no"}'
end

function request()
  counter = counter + 1
  local headers = {}
  headers["Authorization"] = "Bearer " .. token
  headers["Content-Type"] = "application/json"
  headers["Idempotency-Key"] = run .. "-" .. tostring(tid) .. "-" .. tostring(counter)
  return wrk.format("POST", "/api/v1/referrals", headers, body(counter))
end

function done(summary, latency, requests)
  io.write(string.format("requests %d, non-2xx/3xx %d, errors %d\n", summary.requests,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
