// Internal to the receiver: the route handlers and the helpers they share.
#pragma once

#include <string>
#include <string_view>

#include "webhook/receiver.hpp"

namespace calsync::webhook {

// A text/plain reply: the body is `text` and a newline.
Response reply(int status, std::string_view text);

// `text` fit for a log line: at most `max` bytes, control and non-ASCII bytes as '?'.
std::string loggable(std::string_view text, size_t max = 80);

Response google_notification(const Request& request, ReceiverServices& services);
// Graph change and lifecycle notifications, and the validation handshake.
Response graph_notification(const Request& request, ReceiverServices& services);

}  // namespace calsync::webhook
