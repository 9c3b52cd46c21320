// Umbrella header for brine::protocol: message types, wire constants and the
// pure functions that build and check every secured Brine message. No I/O:
// common/transport moves the bytes, the daemons decide what to do with them.
//   wire_format.h    constants (versions, types, fields, limits, contexts)
//   types.h          AuthStatus, SessionKey, ChannelKeys, check_minion_id
//   auth.h           auth handshake
//   channel.h        channel frames, peek_frame, error replies
//   replay_window.h  sliding-window replay filter
//   publication.h    publications, rotation notices, session key replies
#pragma once

#include "common/protocol/auth.h"
#include "common/protocol/channel.h"
#include "common/protocol/publication.h"
#include "common/protocol/replay_window.h"
#include "common/protocol/types.h"
#include "common/protocol/wire_format.h"
