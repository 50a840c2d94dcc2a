// calsync-emulator: a local stand-in for Google's and Microsoft's OAuth,
// Calendar and Graph endpoints, steered by tests through /_control.
// Listens on 127.0.0.1 only.
#include "middleware.hpp"
#include "routes.hpp"
#include "state.hpp"

#include <httplib.h>
#include <CLI/CLI.hpp>

#include <malloc.h>
#include <pthread.h>
#include <unistd.h>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

namespace {

struct Options {
    int port = 0;
    std::string port_file;
    int latency_ms = 0;
    std::string google_client_id = "calsync-test-google";
    std::string google_client_secret = "emu-google-client-secret";
    std::string microsoft_client_id = "calsync-test-microsoft";
    std::string microsoft_client_secret;  // empty: a public client
    std::vector<std::string> redirect_uris;
};

// Writes via a temp file and rename, so a reader never sees a partial port.
void write_port_file(const std::string& path, int port) {
    std::string tmp = path + ".tmp." + std::to_string(::getpid());
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << port << "\n";
        if (!out.flush()) throw std::runtime_error("cannot write " + tmp);
    }
    std::filesystem::rename(tmp, path);
}

std::vector<emu::Client> initial_clients(const Options& o) {
    emu::Client google{emu::Provider::google, o.google_client_id, o.google_client_secret, o.redirect_uris};
    emu::Client microsoft{emu::Provider::microsoft, o.microsoft_client_id, std::nullopt, o.redirect_uris};
    if (!o.microsoft_client_secret.empty()) microsoft.secret = o.microsoft_client_secret;
    return {google, microsoft};
}

}  // namespace

int main(int argc, char** argv) {
    // 1. Parse the command line.
    Options o;
    CLI::App app{"calsync-emulator: local Google/Microsoft provider emulator for calsync's tests"};
    app.add_option("--port", o.port, "TCP port on 127.0.0.1 (0: pick a free one)")->check(CLI::Range(0, 65535));
    app.add_option("--port-file", o.port_file, "Write the bound port number to this file");
    app.add_option("--latency-ms", o.latency_ms, "Delay added to every provider request")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--google-client-id", o.google_client_id, "Google OAuth client id");
    app.add_option("--google-client-secret", o.google_client_secret, "Google OAuth client secret");
    app.add_option("--microsoft-client-id", o.microsoft_client_id, "Microsoft application (client) id");
    app.add_option("--microsoft-client-secret", o.microsoft_client_secret,
                   "Microsoft client secret (default: none, a public client)");
    app.add_option("--redirect-uri", o.redirect_uris, "Extra registered redirect URI (repeatable)");
    CLI11_PARSE(app, argc, argv);

    // 2. Block SIGINT/SIGTERM in every thread; one thread waits for them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    // 3. Build the state and the server. Pages of thousands of events are
    // megabytes of JSON; keeping such blocks in the heap instead of a fresh
    // mmap per response saves the page faults (half the time of a big page).
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
    mallopt(M_TOP_PAD, 64 << 20);
    emu::Config config;
    config.latency_ms = o.latency_ms;
    emu::State state(config, initial_clients(o));
    httplib::Server server;
    server.new_task_queue = [] { return new httplib::ThreadPool(64); };
    server.set_keep_alive_max_count(1000);
    // httplib writes headers and body separately; without TCP_NODELAY, Nagle
    // plus delayed ACKs add ~40 ms to every keep-alive response.
    server.set_tcp_nodelay(true);
    // httplib's default also sets SO_REUSEPORT, which would let a second
    // emulator share the port and steal half the requests.
    socket_t listener = INVALID_SOCKET;
    server.set_socket_options([&listener](socket_t sock) {
        int yes = 1;
        setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        listener = sock;
    });
    emu::install_middleware(server, state);
    emu::register_google_oauth(server, state);
    emu::register_microsoft_oauth(server, state);
    emu::register_graph_users(server, state);
    emu::register_google_calendar(server, state);
    emu::register_graph_calendar(server, state);
    emu::register_google_push(server, state);
    emu::register_graph_subscriptions(server, state);
    emu::register_sink(server, state);
    emu::register_control(server, state);

    // 4. Bind, then announce the port.
    int port =
        o.port == 0 ? server.bind_to_any_port("127.0.0.1") : (server.bind_to_port("127.0.0.1", o.port) ? o.port : -1);
    if (port <= 0) {
        std::fprintf(stderr, "calsync-emulator: cannot bind 127.0.0.1:%d\n", o.port);
        return 1;
    }
    // httplib 0.11 listens with a backlog of 5: a burst of 32 clients then
    // loses SYNs and waits a second for the retry. Linux lets listen() raise it.
    if (listener != INVALID_SOCKET) ::listen(listener, SOMAXCONN);
    state.base_url = "http://127.0.0.1:" + std::to_string(port);
    try {
        if (!o.port_file.empty()) write_port_file(o.port_file, port);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "calsync-emulator: %s\n", e.what());
        return 1;
    }
    std::cout << "calsync-emulator listening on " << state.base_url << std::endl;

    // 5. Serve until a stop signal. stop() is a no-op before listening starts,
    // so the signal thread waits for the server to be running first.
    std::atomic<bool> done{false};
    std::thread stopper([&] {
        int sig = 0;
        sigwait(&stop_signals, &sig);
        while (!server.is_running() && !done) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        server.stop();
    });
    stopper.detach();
    bool ok = server.listen_after_bind();
    done = true;
    return ok ? 0 : 1;
}
