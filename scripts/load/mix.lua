-- wrk's request mix for scripts/load.sh: creates, gets, lists, searches, task events and
-- tracking views, in the proportions of a working day (reads outnumber writes). Each
-- connection takes the orders it creates and posts one task event to each (a fresh order:
-- no order grows without bound), so every write is one a real client or courier makes.

local client_key = os.getenv("LOAD_CLIENT_KEY")
local courier_key = os.getenv("LOAD_COURIER_KEY")
local order_id = os.getenv("LOAD_ORDER_ID")
local tracking = os.getenv("LOAD_TRACKING_PATH")

local created = {}
local step = 0
local counter = 0

local body = [[{"pickup":{"address":{"line1":"1 Market St","city":"San Francisco"}},"dropoff":{"address":{"line1":"9 Pine St","city":"San Francisco"},"recipient":{"name":"Ada Lovelace","phone":"+14155550147"}},"externalId":"LOAD-%d-%d"}]]

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end

function init(args)
  wrk.thread_id = id or 0
end

local function as(key)
  return { ["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json" }
end

function request()
  step = step + 1
  local kind = step % 10
  if kind == 0 or kind == 5 then
    return wrk.format("POST", "/v1/orders", as(client_key), string.format(body, wrk.thread_id or 0, step))
  elseif kind == 1 and #created > 0 then
    local task = table.remove(created, 1)
    return wrk.format("POST", "/v1/tasks/" .. task .. "/events", as(courier_key),
      [[{"type":"assigned","driver":{"name":"Sam Driver"}}]])
  elseif kind == 2 or kind == 6 then
    return wrk.format("GET", "/v1/orders/" .. order_id, as(client_key))
  elseif kind == 3 then
    return wrk.format("GET", "/v1/orders?limit=20", as(courier_key))
  elseif kind == 4 then
    return wrk.format("GET", "/v1/orders?q=Lovelace", as(client_key))
  elseif kind == 7 then
    return wrk.format("GET", "/v1/orders?limit=20", as(client_key))
  else
    return wrk.format("GET", tracking)
  end
end

function response(status, headers, body)
  if status == 201 then
    -- A task's id is its order's ULID after `tsk_`, then `_pickup` or `_dropoff`.
    local order = string.match(body, '"id":"tsk_([%w]+)_')
    if order then
      table.insert(created, "tsk_" .. order .. "_pickup")
    end
  end
end
