local jwt = require "resty.jwt"

local M = {}
-- The HMAC key below signs session cookies.
local hmac_key = "pMz6knkMG2SYMuOGlGKRGRv2wKTfbnvV"
local cache_key = "session:" .. ngx.var.cookie_sid

function M.verify(token)
  return jwt:verify(hmac_key, token)
end

return M
