// The users' alternative to `calsync poll --full`, for bench/sync_full.sh:
// list every event of one calendar with Google's official Node client
// (googleapis), into memory only, and print the count.
//
//   EMU=http://127.0.0.1:PORT ACCESS_TOKEN=ya29… CALENDAR_ID=user@example.com node fetch_all.js
//
// Same request as calsync: maxResults=2500, showDeleted=true, singleEvents=false,
// following nextPageToken until the page that carries nextSyncToken.
// BENCH_VERIFY=1 also prints each request URL and page size on stderr.
'use strict';
const { google } = require('googleapis');

async function main() {
  const emu = process.env.EMU;
  const token = process.env.ACCESS_TOKEN;
  const calendarId = process.env.CALENDAR_ID || 'primary';
  if (!emu || !token) {
    console.error('usage: EMU=http://127.0.0.1:PORT ACCESS_TOKEN=… [CALENDAR_ID=…] node fetch_all.js');
    process.exit(2);
  }
  const auth = new google.auth.OAuth2('calsync-test-google', 'emu-google-client-secret');
  auth.setCredentials({ access_token: token, token_type: 'Bearer', expiry_date: Date.now() + 3000 * 1000 });
  // A rootUrl with a path (EMU/google/) must be given per request as well:
  // googleapis-common rebuilds each URL as new URL(<path of the default
  // www.googleapis.com URL>, context rootUrl), and that absolute path drops
  // "/google". With rootUrl in the request options the method builds
  // EMU/google/calendar/v3/calendars/{calendarId}/events, which the rebuild keeps.
  const rootUrl = emu + '/google/';
  const calendar = google.calendar({ version: 'v3', auth, rootUrl });

  const verify = !!process.env.BENCH_VERIFY;
  const events = [];
  let pageToken;
  let pages = 0;
  let syncToken;
  do {
    const res = await calendar.events.list({
      calendarId,
      maxResults: 2500,
      showDeleted: true,
      singleEvents: false,
      pageToken,
    }, { rootUrl });
    pages++;
    const items = res.data.items || [];
    for (const e of items) events.push(e);
    if (verify) console.error(`page ${pages}: ${items.length} items, GET ${res.config.url}`);
    pageToken = res.data.nextPageToken;
    syncToken = res.data.nextSyncToken;
  } while (pageToken);
  console.log(JSON.stringify({ events: events.length, pages, nextSyncToken: syncToken }));
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : err);
  if (err && err.response) console.error(err.response.status, err.config && err.config.url, JSON.stringify(err.response.data).slice(0, 500));
  process.exit(1);
});
