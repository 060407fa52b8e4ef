#include "tests/support/fake_proc_tree.hpp"

#include <cstdio>
#include <fstream>
#include <stdexcept>

#include <stdlib.h>

namespace fs = std::filesystem;

namespace telehub::test {

FakeProcTree::FakeProcTree(const fs::path& recorded_net) {
    // mkdtemp, not a pid-based name: two trees in one test must not collide.
    std::string tmpl = (fs::temp_directory_path() / "telehub-fake-proc-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("FakeProcTree: mkdtemp failed for " + tmpl);
    root_ = tmpl;
    fs::copy(recorded_net, root_ / "net");
}

FakeProcTree::~FakeProcTree() {
    std::error_code ec;  // a destructor must not throw; a leftover temp dir is harmless
    fs::remove_all(root_, ec);
}

fs::path FakeProcTree::fd_dir(int pid) const { return root_ / std::to_string(pid) / "fd"; }

void FakeProcTree::link(int pid, int fd, const std::string& target) {
    fs::create_directories(fd_dir(pid));
    fs::path p = fd_dir(pid) / std::to_string(fd);
    fs::remove(p);
    fs::create_symlink(target, p);
}

void FakeProcTree::socket(int pid, int fd, std::uint64_t inode) {
    link(pid, fd, "socket:[" + std::to_string(inode) + "]");
}

void FakeProcTree::close(int pid, int fd) { fs::remove(fd_dir(pid) / std::to_string(fd)); }

void FakeProcTree::remove_pid(int pid) { fs::remove_all(root_ / std::to_string(pid)); }

void FakeProcTree::empty_fds(int pid) {
    remove_pid(pid);
    fs::create_directories(fd_dir(pid));
}

void FakeProcTree::add_line(const std::string& table, const std::string& line) {
    std::ofstream(root_ / "net" / table, std::ios::app) << line;
}

void FakeProcTree::drop_inode(const std::string& table, std::uint64_t inode) {
    fs::path path = root_ / "net" / table;
    std::ifstream in(path);
    if (!in) throw std::runtime_error("FakeProcTree: cannot read " + path.string());
    // Spaces around the key keep inode 500 from matching 5001.
    std::string key = " " + std::to_string(inode) + " ", line, out;
    while (std::getline(in, line))
        if (line.find(key) == std::string::npos) out += line + '\n';
    in.close();
    std::ofstream(path, std::ios::trunc) << out;
}

void FakeProcTree::remove_table(const std::string& table) { fs::remove(root_ / "net" / table); }

std::string inet_line(int state, std::uint16_t lport, std::uint16_t rport, std::uint64_t inode) {
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "  99: 0100007F:%04X 0100007F:%04X %02X 00000000:00000000 00:00000000 00000000  1000        0 %llu 1 "
                  "0000000000000000 20 4 30 10 -1\n",
                  lport, rport, state, static_cast<unsigned long long>(inode));
    return buf;
}

std::string unix_line(std::uint64_t inode) {
    return "0000000000000000: 00000002 00000000 00000000 0001 03  " + std::to_string(inode) + "\n";
}

}  // namespace telehub::test
