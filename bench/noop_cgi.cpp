// A CGI program that does nothing but answer 200: the floor for
// bench/ingress.sh (a process start under lighttpd's mod_cgi, C++ runtime
// included), against which calsync-webhook's own cost is measured.
#include <iostream>

int main() {
    std::cout << "Status: 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n";
    return 0;
}
