// One registration function per route family. Each owns a URL prefix:
//   /google/…                  accounts.google.com, oauth2.googleapis.com, openidconnect.googleapis.com
//   /google/calendar/v3/…      www.googleapis.com/calendar/v3
//   /microsoft/{tenant}/…      login.microsoftonline.com
//   /graph/v1.0/…              graph.microsoft.com/v1.0
//   /_control/…                the test-facing control API (never faulted, delayed or put in the request log)
//   /_sink/{name}/…            the test webhook receiver (likewise)
// Provider routes are registered through provider_get/… (middleware.hpp) so
// injected faults apply to them.
#pragma once

#include "state.hpp"

#include <httplib.h>

namespace emu {

void register_google_oauth(httplib::Server& server, State& state);
void register_microsoft_oauth(httplib::Server& server, State& state);
void register_graph_users(httplib::Server& server, State& state);
void register_google_calendar(httplib::Server& server, State& state);
void register_graph_calendar(httplib::Server& server, State& state);
void register_google_push(httplib::Server& server, State& state);
void register_graph_subscriptions(httplib::Server& server, State& state);
void register_sink(httplib::Server& server, State& state);  // with its control routes
void register_control(httplib::Server& server, State& state);

}  // namespace emu
