// What the tests that run a system server binary (nginx, nghttpd) share: finding the binary,
// free loopback ports for it, knowing when it accepts, reading the files it leaves.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace evm::test::server_process {

bool executable(const std::string &path);
// `name` on PATH, then in /usr/sbin and /usr/local/sbin; empty when missing.
std::string find_binary(const std::string &name);
// Ports the kernel hands out for 127.0.0.1 right now. The server binds them a moment later; a
// lost race shows as a failed start, which the caller retries with fresh ports.
bool pick_loopback_ports(uint16_t *ports, int n);
// Whether something accepts connections on 127.0.0.1:port.
bool accepts(uint16_t port);
std::string read_file(const std::string &path);
// Starts args[0] with `args`, stdin from /dev/null, stdout and stderr into `out_path`; the child
// gets SIGTERM when this process dies. -1 with `error` set on failure.
int spawn(std::vector<std::string> args, const std::string &out_path, std::string &error);
// SIGTERM, up to 5 s for it to end, then SIGKILL; `pid` becomes -1.
void stop(int &pid);
// Writes `content` to dir/root/relative_path (the server's docroot), directories included.
bool write_docroot_file(const std::string &dir, std::string_view relative_path,
                        std::string_view content);
// A fresh directory under the system's temp directory, named prefix-XXXXXX.
bool make_temp_dir(const std::string &prefix, std::string &dir, std::string &error);

}  // namespace evm::test::server_process
