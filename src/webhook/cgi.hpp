// calsync-webhook as a CGI program (RFC 3875): the request from the
// environment and stdin, the response as "Status:" + headers + body on stdout.
#pragma once

#include <iosfwd>
#include <string>

#include "config/receiver_config.hpp"
#include "webhook/receiver.hpp"

namespace calsync {

// REQUEST_METHOD, PATH_INFO, QUERY_STRING, CONTENT_TYPE, CONTENT_LENGTH and
// HTTP_* (HTTP_X_GOOG_CHANNEL_ID → X-Goog-Channel-ID, case aside). The body
// is not read; a malformed CONTENT_LENGTH is noted in `malformed`.
Request request_from_cgi(const Environment& env);

// Reads exactly `request.content_length` bytes from `in` when the route takes
// that many (none otherwise); a short body is noted in `malformed`.
void read_body(Request& request, std::istream& in);

std::string cgi_response(const Response& response);

// The whole CGI run: configuration, request, handling, response. Returns the
// exit status (0 whatever the HTTP status; the web server relays the reply).
int run_cgi(const Environment& env, std::istream& in, std::ostream& out);

}  // namespace calsync
