/**
 * Lua scripts of the Redis backend — the same arithmetic as memory-limiter.ts (see
 * limit-math.ts). Each script runs atomically; time comes from Redis `TIME` so instances with
 * skewed clocks agree (plus an offset argument that only tests set).
 *
 * Keys per subject (one hash tag per subject):
 *   <prefix>rl:{<kind>:<id>}:b  hash  t = bucket units, ts = ms of t
 *   <prefix>rl:{<kind>:<id>}:w  hash  u = used, r = reserved, lo/hi = oldest/newest second,
 *                                     <epoch second> = tokens of that second, x:<id> = a reservation's amount
 *   <prefix>rl:{<kind>:<id>}:z  zset  reservation id → expiry (ms)
 * Only numbers that are integers are ever stored, so `%.14g` conversion loses nothing.
 */

const COMMON = `
local COST = 60000
local WINDOW = 60

local function now_ms(offset)
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + offset
end

local function bucket_tokens(B, rpm, now)
  local cap = rpm * COST
  local v = redis.call('HMGET', B, 't', 'ts')
  if not v[1] then return cap end
  local tokens = tonumber(v[1]) + math.max(0, now - tonumber(v[2])) * rpm
  if tokens > cap then tokens = cap end
  return tokens
end

local function rpm_reset_ms(rpm, tokens)
  return math.ceil((rpm * COST - tokens) / rpm)
end

-- Reads the window after dropping old seconds and expired reservations.
local function window(W, Z, now)
  local sec = math.floor(now / 1000)
  local v = redis.call('HMGET', W, 'u', 'r', 'lo', 'hi')
  local w = { u = tonumber(v[1]) or 0, r = tonumber(v[2]) or 0, lo = tonumber(v[3]), hi = tonumber(v[4]), sec = sec }
  local dirty = false
  if w.lo and w.hi and w.lo <= sec - WINDOW then
    local last = math.min(sec - WINDOW, w.hi)
    for s = w.lo, last do
      local b = redis.call('HGET', W, s)
      if b then
        w.u = w.u - tonumber(b)
        redis.call('HDEL', W, s)
      end
    end
    w.lo = sec - WINDOW + 1
    dirty = true
  end
  local expired = redis.call('ZRANGEBYSCORE', Z, '-inf', now)
  if #expired > 0 then
    for _, id in ipairs(expired) do
      local a = redis.call('HGET', W, 'x:' .. id)
      if a then
        w.r = w.r - tonumber(a)
        redis.call('HDEL', W, 'x:' .. id)
      end
    end
    redis.call('ZREMRANGEBYSCORE', Z, '-inf', now)
    dirty = true
  end
  if dirty then
    redis.call('HSET', W, 'u', w.u, 'r', w.r)
    if w.lo then redis.call('HSET', W, 'lo', w.lo) end
  end
  return w
end

local function window_reset_ms(w, now)
  if w.u > 0 and w.hi then return (w.hi + WINDOW) * 1000 - now end
  return 0
end

local function tpm_remaining(tpm, w)
  return math.max(0, tpm - w.u - w.r)
end
`;

/**
 * KEYS: b, w, z per subject. ARGV: n, min tokens, max tokens, reservation id, reservation ttl ms,
 * time offset ms, then rpm, tpm per subject.
 * Refused: {0, reason (1 rpm, 2 tpm), subject index (1-based), retry ms, limit, remaining, reset ms}.
 * Admitted: {1, granted tokens, then per subject: rpm remaining, rpm reset ms, tpm remaining,
 * tpm reset ms} (-1 = unlimited). The grant is one amount for every TPM-limited subject: the most
 * all of them can hold, between min and max (each clamped to the subject's limit, at least 1).
 */
export const ADMIT_SCRIPT = `${COMMON}
local n = tonumber(ARGV[1])
local minTokens = tonumber(ARGV[2])
local maxTokens = tonumber(ARGV[3])
local id = ARGV[4]
local ttl = tonumber(ARGV[5])
local now = now_ms(tonumber(ARGV[6]))
local keyTtl = ttl + (WINDOW + 1) * 1000
local worst = nil
local tokens, wins = {}, {}
local granted = nil

for i = 1, n do
  local rpm = tonumber(ARGV[5 + 2 * i])
  local tpm = tonumber(ARGV[6 + 2 * i])
  if rpm > 0 then
    local t = bucket_tokens(KEYS[3 * i - 2], rpm, now)
    tokens[i] = t
    if t < COST then
      local retry = math.ceil((COST - t) / rpm)
      if not worst or retry > worst[3] then worst = { 1, i, retry, rpm, math.floor(t / COST), rpm_reset_ms(rpm, t) } end
    end
  end
  if tpm > 0 then
    local W = KEYS[3 * i - 1]
    local w = window(W, KEYS[3 * i], now)
    wins[i] = w
    local low = math.max(1, math.min(minTokens, tpm))
    local high = math.max(low, math.min(maxTokens, tpm))
    local free = tpm - w.u - w.r
    local deficit = low - free
    if deficit > 0 then
      local retry = nil
      if w.lo and w.hi then
        local freed = 0
        for s = w.lo, w.hi do
          freed = freed + (tonumber(redis.call('HGET', W, s)) or 0)
          if freed >= deficit then
            retry = (s + WINDOW) * 1000 - now
            break
          end
        end
      end
      if not retry then retry = math.max(1000, window_reset_ms(w, now)) end
      if not worst or retry > worst[3] then worst = { 2, i, retry, tpm, tpm_remaining(tpm, w), window_reset_ms(w, now) } end
    else
      local own = math.min(high, free)
      if not granted or own < granted then granted = own end
    end
  end
end

if worst then
  return { 0, worst[1], worst[2], worst[3], worst[4], worst[5], worst[6] }
end

local out = { 1, granted or 0 }
for i = 1, n do
  local rpm = tonumber(ARGV[5 + 2 * i])
  local tpm = tonumber(ARGV[6 + 2 * i])
  if rpm > 0 then
    local B = KEYS[3 * i - 2]
    local left = tokens[i] - COST
    redis.call('HSET', B, 't', left, 'ts', now)
    redis.call('PEXPIRE', B, rpm_reset_ms(rpm, left) + 1000)
    out[#out + 1] = math.floor(left / COST)
    out[#out + 1] = rpm_reset_ms(rpm, left)
  else
    out[#out + 1] = -1
    out[#out + 1] = -1
  end
  if tpm > 0 then
    local W, Z = KEYS[3 * i - 1], KEYS[3 * i]
    local w = wins[i]
    w.r = w.r + granted
    redis.call('HSET', W, 'r', w.r, 'x:' .. id, granted)
    redis.call('ZADD', Z, now + ttl, id)
    redis.call('PEXPIRE', W, keyTtl)
    redis.call('PEXPIRE', Z, keyTtl)
    out[#out + 1] = tpm_remaining(tpm, w)
    out[#out + 1] = window_reset_ms(w, now)
  else
    out[#out + 1] = -1
    out[#out + 1] = -1
  end
end
return out
`;

/**
 * KEYS: w, z per TPM-limited subject. ARGV: n, reservation id, actual tokens, time offset ms,
 * reservation ttl ms. Releases the reservation and records the actual tokens in this second.
 */
export const SETTLE_SCRIPT = `${COMMON}
local n = tonumber(ARGV[1])
local id = ARGV[2]
local actual = tonumber(ARGV[3])
local now = now_ms(tonumber(ARGV[4]))
local keyTtl = tonumber(ARGV[5]) + (WINDOW + 1) * 1000
for i = 1, n do
  local W, Z = KEYS[2 * i - 1], KEYS[2 * i]
  local w = window(W, Z, now)
  if redis.call('ZREM', Z, id) == 1 then
    local a = redis.call('HGET', W, 'x:' .. id)
    if a then
      w.r = w.r - tonumber(a)
      redis.call('HDEL', W, 'x:' .. id)
    end
  end
  if actual > 0 then
    redis.call('HINCRBY', W, w.sec, actual)
    w.u = w.u + actual
    redis.call('HSET', W, 'lo', w.lo or w.sec, 'hi', w.sec)
  end
  redis.call('HSET', W, 'u', w.u, 'r', w.r)
  redis.call('PEXPIRE', W, keyTtl)
  redis.call('PEXPIRE', Z, keyTtl)
end
return 1
`;

/**
 * KEYS: b, w, z of one subject. ARGV: rpm, tpm, time offset ms.
 * Returns {rpm remaining, rpm reset ms, tpm remaining, tpm reset ms} (-1 = unlimited).
 */
export const USAGE_SCRIPT = `${COMMON}
local rpm = tonumber(ARGV[1])
local tpm = tonumber(ARGV[2])
local now = now_ms(tonumber(ARGV[3]))
local out = { -1, -1, -1, -1 }
if rpm > 0 then
  local t = bucket_tokens(KEYS[1], rpm, now)
  out[1] = math.floor(t / COST)
  out[2] = rpm_reset_ms(rpm, t)
end
if tpm > 0 then
  local w = window(KEYS[2], KEYS[3], now)
  out[3] = tpm_remaining(tpm, w)
  out[4] = window_reset_ms(w, now)
end
return out
`;
