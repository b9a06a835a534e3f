#ifndef RUNTIME_COUNTERS_REDIS_LUA_H
#define RUNTIME_COUNTERS_REDIS_LUA_H

/* The Lua scripts of the Redis counter store (counters_redis.c), one per operation family.
 * They mirror counters_mem.c exactly; numbers are passed as decimal strings and computed as Lua
 * doubles (exact up to 2^53). Replies are arrays of integers. Internal to counters_redis.c. */

/* Sliding windows (rate limit, TPM): a hash with fields w (bucket width, fixed at creation from
 * the creating operation's period), mp (largest period seen: pruning) and one field per bucket
 * (bucket start ms / w → count). A window whose buckets are all dead is deleted (the memory store
 * sweeps it). TTL: newest bucket start + mp − now + 1 s. */
#define RT_REDIS_LUA_SWIN                                                                          \
    "local function I(x) return string.format('%d', x) end\n"                                      \
    "local function sw_load(k, period, now)\n"                                                     \
    "  local raw = redis.call('HGETALL', k)\n"                                                     \
    "  local st = {exists = #raw > 0, w = 0, mp = 0, b = {}}\n"                                    \
    "  if not st.exists then return st end\n"                                                      \
    "  for i = 1, #raw, 2 do\n"                                                                    \
    "    local f, v = raw[i], tonumber(raw[i + 1])\n"                                              \
    "    if f == 'w' then st.w = v elseif f == 'mp' then st.mp = v\n"                              \
    "    else st.b[#st.b + 1] = {tonumber(f), v, f} end\n"                                         \
    "  end\n"                                                                                      \
    "  if period > st.mp then st.mp = period; redis.call('HSET', k, 'mp', I(period)) end\n"        \
    "  local live, dead = {}, {}\n"                                                                \
    "  for _, bk in ipairs(st.b) do\n"                                                             \
    "    if now < bk[1] * st.w + st.mp then live[#live + 1] = bk else dead[#dead + 1] = bk[3] "    \
    "end\n"                                                                                        \
    "  end\n"                                                                                      \
    "  if #live == 0 then redis.call('DEL', k); return {exists = false, w = 0, mp = 0, b = {}} "   \
    "end\n"                                                                                        \
    "  if #dead > 0 then redis.call('HDEL', k, unpack(dead)) end\n"                                \
    "  table.sort(live, function(a, b) return a[1] < b[1] end)\n"                                  \
    "  st.b = live\n"                                                                              \
    "  return st\n"                                                                                \
    "end\n"                                                                                        \
    "local function sw_create(st, k, period)\n"                                                    \
    "  if st.exists then return end\n"                                                             \
    "  local w = 1000\n"                                                                           \
    "  if period > 1024000 then\n"                                                                 \
    "    local wd = math.floor(period / 1024); if period % 1024 ~= 0 then wd = wd + 1 end\n"       \
    "    w = math.floor((wd + 999) / 1000) * 1000\n"                                               \
    "  end\n"                                                                                      \
    "  st.exists = true; st.w = w; st.mp = period\n"                                               \
    "  redis.call('HMSET', k, 'w', I(w), 'mp', I(period))\n"                                       \
    "end\n"                                                                                        \
    "local function sw_add(st, k, take, now)\n"                                                    \
    "  local idx = math.floor(now / st.w)\n"                                                       \
    "  redis.call('HINCRBY', k, I(idx), I(take))\n"                                                \
    "  for _, bk in ipairs(st.b) do\n"                                                             \
    "    if bk[1] == idx then bk[2] = bk[2] + take; return end\n"                                  \
    "  end\n"                                                                                      \
    "  st.b[#st.b + 1] = {idx, take, I(idx)}\n"                                                    \
    "  table.sort(st.b, function(a, b) return a[1] < b[1] end)\n"                                  \
    "end\n"                                                                                        \
    "local function sw_sum(st, period, now)\n"                                                     \
    "  local s = 0\n"                                                                              \
    "  for _, bk in ipairs(st.b) do if now < bk[1] * st.w + period then s = s + bk[2] end end\n"   \
    "  return s\n"                                                                                 \
    "end\n"                                                                                        \
    "local function sw_wait(st, period, now, excess)\n"                                            \
    "  if excess <= 0 then return 0 end\n"                                                         \
    "  local gone = 0\n"                                                                           \
    "  for _, bk in ipairs(st.b) do\n"                                                             \
    "    if now < bk[1] * st.w + period then\n"                                                    \
    "      gone = gone + bk[2]\n"                                                                  \
    "      if gone >= excess then return bk[1] * st.w + period - now end\n"                        \
    "    end\n"                                                                                    \
    "  end\n"                                                                                      \
    "  return -1\n"                                                                                \
    "end\n"                                                                                        \
    "local function sw_ttl(st, k, now)\n"                                                          \
    "  if not st.exists then return end\n"                                                         \
    "  local newest = now\n"                                                                       \
    "  for _, bk in ipairs(st.b) do if bk[1] * st.w > newest then newest = bk[1] * st.w end "      \
    "end\n"                                                                                        \
    "  local ttl = newest + st.mp - now\n"                                                         \
    "  if ttl < 1 then ttl = 1 end\n"                                                              \
    "  redis.call('PEXPIRE', k, I(ttl + 1000))\n"                                                  \
    "end\n"

/* Rate limit. KEYS[1]; ARGV: mode (check | add), now, period, limit, take.
 * Returns {admitted, used, wait_ms}. */
#define RT_REDIS_LUA_RATE                                                                          \
    RT_REDIS_LUA_SWIN                                                                              \
    "local mode, now, period = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])\n"                    \
    "local limit, take = tonumber(ARGV[4]), tonumber(ARGV[5])\n"                                   \
    "local k = KEYS[1]\n"                                                                          \
    "local st = sw_load(k, period, now)\n"                                                         \
    "if mode == 'add' or take > 0 then sw_create(st, k, period) end\n"                             \
    "local used = sw_sum(st, period, now)\n"                                                       \
    "local r\n"                                                                                    \
    "if mode == 'add' or used < limit then\n"                                                      \
    "  if take > 0 then sw_add(st, k, take, now) end\n"                                            \
    "  r = {1, used, 0}\n"                                                                         \
    "else\n"                                                                                       \
    "  r = {0, used, sw_wait(st, period, now, used - limit + 1)}\n"                                \
    "end\n"                                                                                        \
    "sw_ttl(st, k, now)\n"                                                                         \
    "return r\n"

/* Quota. KEYS[1] (hash ws, we, c, b); ARGV: mode (check | add), ws, we, calls, kb·1024,
 * calls_take, bytes_take, ttl_ms (0 = none). Returns {admitted, refusal (0, 1 calls, 2 bw), calls,
 * bytes}. */
#define RT_REDIS_LUA_QUOTA                                                                         \
    "local k, mode, ws, we = KEYS[1], ARGV[1], ARGV[2], ARGV[3]\n"                                 \
    "local calls, kbb = tonumber(ARGV[4]), tonumber(ARGV[5])\n"                                    \
    "local ct, bt, ttl = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])\n"                \
    "local h = redis.call('HMGET', k, 'ws', 'we', 'c', 'b')\n"                                     \
    "local exists = h[1] ~= false\n"                                                               \
    "local c, b = 0, 0\n"                                                                          \
    "if exists then\n"                                                                             \
    "  if h[1] ~= ws or h[2] ~= we then redis.call('HMSET', k, 'ws', ws, 'we', we, 'c', '0', "     \
    "'b', '0')\n"                                                                                  \
    "  else c = tonumber(h[3]) or 0; b = tonumber(h[4]) or 0 end\n"                                \
    "end\n"                                                                                        \
    "local refusal = 0\n"                                                                          \
    "if mode == 'check' then\n"                                                                    \
    "  if calls > 0 and c >= calls then refusal = 1 elseif kbb > 0 and b >= kbb then refusal = "   \
    "2 end\n"                                                                                      \
    "end\n"                                                                                        \
    "if refusal == 0 and (ct > 0 or bt > 0) then\n"                                                \
    "  if not exists then redis.call('HMSET', k, 'ws', ws, 'we', we, 'c', '0', 'b', '0'); "        \
    "exists = true end\n"                                                                          \
    "  c = redis.call('HINCRBY', k, 'c', ARGV[6]); b = redis.call('HINCRBY', k, 'b', ARGV[7])\n"   \
    "end\n"                                                                                        \
    "if exists then\n"                                                                             \
    "  if ttl > 0 then redis.call('PEXPIRE', k, ARGV[8]) else redis.call('PERSIST', k) end\n"      \
    "end\n"                                                                                        \
    "if refusal == 0 then return {1, 0, c, b} end\n"                                               \
    "return {0, refusal, c, b}\n"

/* Token limit. KEYS[1] TPM window, KEYS[2] token quota (hash p, ws, n); ARGV: mode (check |
 * add), now, tpm, need, take, period (0 = none), quota, quota_need, ws, ttl_ms. Returns
 * {admitted, refusal (0, 1 TPM, 2 quota), tpm_used, wait_ms, quota_used}. */
#define RT_REDIS_LUA_TOKEN                                                                         \
    RT_REDIS_LUA_SWIN                                                                              \
    "local mode, now, tpm = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])\n"                       \
    "local need, take, period = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]\n"                   \
    "local quota, qneed, ws = tonumber(ARGV[7]), tonumber(ARGV[8]), ARGV[9]\n"                     \
    "local adds = mode == 'add' and take > 0\n"                                                    \
    "local admitted, refusal, tused, wait, qused = 1, 0, 0, 0, 0\n"                                \
    "if tpm > 0 then\n"                                                                            \
    "  local k = KEYS[1]\n"                                                                        \
    "  local st = sw_load(k, 60000, now)\n"                                                        \
    "  if adds then sw_create(st, k, 60000); sw_add(st, k, take, now) end\n"                       \
    "  tused = sw_sum(st, 60000, now)\n"                                                           \
    "  local left = tpm - tused\n"                                                                 \
    "  if mode == 'check' and not (left > 0 and left >= need) then\n"                              \
    "    admitted = 0; refusal = 1\n"                                                              \
    "    local target = need; if target < 1 then target = 1 end\n"                                 \
    "    if target > tpm or not st.exists then wait = -1\n"                                        \
    "    else wait = sw_wait(st, 60000, now, target - left) end\n"                                 \
    "  end\n"                                                                                      \
    "  sw_ttl(st, k, now)\n"                                                                       \
    "end\n"                                                                                        \
    "if period ~= '0' then\n"                                                                      \
    "  local k = KEYS[2]\n"                                                                        \
    "  local h = redis.call('HMGET', k, 'p', 'ws', 'n')\n"                                         \
    "  local exists = h[1] ~= false\n"                                                             \
    "  if (exists or adds) and (h[1] ~= period or h[2] ~= ws) then\n"                              \
    "    redis.call('HMSET', k, 'p', period, 'ws', ws, 'n', '0'); exists = true\n"                 \
    "  elseif exists then qused = tonumber(h[3]) or 0 end\n"                                       \
    "  if adds then qused = redis.call('HINCRBY', k, 'n', ARGV[5]) end\n"                          \
    "  if exists then redis.call('PEXPIRE', k, ARGV[10]) end\n"                                    \
    "  local left = quota - qused\n"                                                               \
    "  if mode == 'check' and admitted == 1 and not (left > 0 and left >= qneed) then\n"           \
    "    admitted = 0; refusal = 2\n"                                                              \
    "  end\n"                                                                                      \
    "end\n"                                                                                        \
    "return {admitted, refusal, tused, wait, qused}\n"

/* limit-concurrency. KEYS[1] (a string count); ARGV: mode (acquire | release), max, ttl_ms.
 * Returns {admitted, held}. */
#define RT_REDIS_LUA_CONC                                                                          \
    "local k, mode, max = KEYS[1], ARGV[1], tonumber(ARGV[2])\n"                                   \
    "local held = tonumber(redis.call('GET', k) or '0') or 0\n"                                    \
    "if mode == 'release' then\n"                                                                  \
    "  if held <= 1 then redis.call('DEL', k); return {1, 0} end\n"                                \
    "  held = redis.call('DECR', k); redis.call('PEXPIRE', k, ARGV[3]); return {1, held}\n"        \
    "end\n"                                                                                        \
    "if held < max then\n"                                                                         \
    "  held = redis.call('INCR', k); redis.call('PEXPIRE', k, ARGV[3]); return {1, held}\n"        \
    "end\n"                                                                                        \
    "return {0, held}\n"

#endif
