"""The Lua scripts that make each Redis cache operation atomic (one EVALSHA, one round trip).

Numbers cross the Lua boundary as strings: Redis truncates Lua numbers to integers in replies.
Scripts read the server clock with TIME (allowed since Redis 5 replicates script effects), so
every client of one Redis shares one clock. Redis Cluster is not supported: the TTL-cache
scripts build the key of a generation inside the script.
"""

from __future__ import annotations

# KEYS[1] bucket hash {t = tokens, ts = seconds}; ARGV rate, burst, cost -> {allowed, retry_s}
TAKE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local s = redis.call('HMGET', KEYS[1], 't', 'ts')
local tokens = tonumber(s[1])
local at = tonumber(s[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
elseif now > at then
  tokens = math.min(burst, tokens + (now - at) * rate)
  at = now
end
if tokens < cost then
  return {0, string.format('%.17g', (cost - tokens) / rate)}
end
tokens = tokens - cost
redis.call('HSET', KEYS[1], 't', string.format('%.17g', tokens), 'ts', string.format('%.17g', at))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
return {1, '0'}
"""

# KEYS[1] key; ARGV text, ttl_ms -> existing text or false when this call stored it
REMEMBER = """
local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
"""

# KEYS[1] lease hash {o = owner, k = token}, KEYS[2] fence counter; ARGV owner, ttl_ms
# -> token (string) or false when another owner holds it
ACQUIRE = """
local cur = redis.call('HMGET', KEYS[1], 'o', 'k')
if cur[1] then
  if cur[1] ~= ARGV[1] then return false end
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return cur[2]
end
local t = redis.call('TIME')
local floor = tonumber(t[1]) * 1000000 + tonumber(t[2])
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
local token = string.format('%.0f', math.max(last + 1, floor))
redis.call('SET', KEYS[2], token)
redis.call('HSET', KEYS[1], 'o', ARGV[1], 'k', token)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return token
"""

# KEYS[1] lease hash; ARGV owner, token, ttl_ms -> 1 renewed / 0 lost
RENEW = """
local cur = redis.call('HMGET', KEYS[1], 'o', 'k')
if cur[1] == ARGV[1] and cur[2] == ARGV[2] then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return 1
end
return 0
"""

# KEYS[1] lease hash; ARGV owner, token -> 1 released / 0 not held
RELEASE = """
local cur = redis.call('HMGET', KEYS[1], 'o', 'k')
if cur[1] == ARGV[1] and cur[2] == ARGV[2] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
"""

# KEYS[1] lease hash -> {owner, token, pttl} or false
HOLDER = """
local cur = redis.call('HMGET', KEYS[1], 'o', 'k')
if not cur[1] then return false end
return {cur[1], cur[2], redis.call('PTTL', KEYS[1])}
"""

# KEYS[1] stream; ARGV maxlen, text, ttl_ms -> id
PUBLISH = """
local id = redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[1], '*', 'd', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return id
"""

# KEYS[1] generation counter of a namespace; ARGV key prefix of the namespace, key
KV_GET = """
local g = redis.call('GET', KEYS[1]) or '0'
return redis.call('GET', ARGV[1] .. g .. ':' .. ARGV[2])
"""

# ARGV prefix, key, text, ttl_ms
KV_SET = """
local g = redis.call('GET', KEYS[1]) or '0'
redis.call('SET', ARGV[1] .. g .. ':' .. ARGV[2], ARGV[3], 'PX', ARGV[4])
return 1
"""

# ARGV prefix, key -> number deleted
KV_DELETE = """
local g = redis.call('GET', KEYS[1]) or '0'
return redis.call('DEL', ARGV[1] .. g .. ':' .. ARGV[2])
"""
