-- Top-level code listing matches by label and by query while loading.
local nk = require("nakama")

local by_label = nk.match_list(10, true, "skill=100-150", 0, 4)
local by_query = nk.match_list(10, true, "", 0, 4, "+label.mode:freeforall label.level:>10")
assert(#by_label == 0 and #by_query == 0)
