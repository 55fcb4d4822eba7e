// File helpers (POSIX).
#include "core/file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <utility>

namespace fidcpp {

namespace {
std::string errno_text() {
  return std::strerror(errno);
}

// Temporary files of write_file_atomic calls in progress, readable from a signal handler: a slot is claimed
// (1), its name copied, then published (2); the handler only reads published slots. Lock-free atomics are
// async-signal-safe. A write that finds no free slot still works, it is just not cleaned up on a signal.
constexpr int kTempSlots = 16;
constexpr size_t kTempNameMax = 4096;
struct TempSlot {
  std::atomic<int> state{0};
  char name[kTempNameMax];
};
TempSlot g_temp_slots[kTempSlots];
static_assert(std::atomic<int>::is_always_lock_free, "signal handlers need lock-free atomics");

// A temporary file name registered for the lifetime of the object. It is published before the file exists
// (mkstemp fills name() in place), so a signal at any moment after creation finds it; before creation the
// handler unlinks a name that does not exist yet.
class PendingTemp {
 public:
  explicit PendingTemp(const std::string& name_template)
      : fallback_(name_template.begin(), name_template.end()) {
    fallback_.push_back('\0');
    if (fallback_.size() > kTempNameMax) return;
    for (TempSlot& s : g_temp_slots) {
      int expected = 0;
      if (s.state.compare_exchange_strong(expected, 1)) {
        std::memcpy(s.name, fallback_.data(), fallback_.size());
        s.state.store(2);
        slot_ = &s;
        return;
      }
    }
  }
  ~PendingTemp() {
    if (slot_) slot_->state.store(0);
  }
  PendingTemp(const PendingTemp&) = delete;
  PendingTemp& operator=(const PendingTemp&) = delete;
  char* name() { return slot_ ? slot_->name : fallback_.data(); }

 private:
  std::vector<char> fallback_;  // the name when every slot is taken
  TempSlot* slot_ = nullptr;
};
}  // namespace

void remove_pending_temp_files() {
  for (TempSlot& s : g_temp_slots)
    if (s.state.load() == 2) ::unlink(s.name);
}

bool file_exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

Result<std::vector<uint8_t>> read_file(const std::string& path, uint64_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return not_found("'" + path + "': no such file");
    return io_error("'" + path + "': cannot open: " + errno_text());
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return io_error("'" + path + "': cannot stat: " + errno_text());
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return bad_input("'" + path + "': is a directory, expected a file");
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    ::close(fd);
    return bad_input("'" + path + "': file is " + std::to_string(st.st_size) +
                     " bytes, more than the limit of " + std::to_string(max_bytes));
  }
  std::vector<uint8_t> buf(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < buf.size()) {
    ssize_t r = ::read(fd, buf.data() + got, buf.size() - got);
    if (r < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return io_error("'" + path + "': read failed: " + errno_text());
    }
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  ::close(fd);
  buf.resize(got);
  return buf;
}

Result<MappedFile> MappedFile::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return not_found("'" + path + "': no such file");
    return io_error("'" + path + "': cannot open: " + errno_text());
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    ::close(fd);
    return bad_input("'" + path + "': not a regular file");
  }
  MappedFile m;
  if (st.st_size > 0) {
    void* p = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      ::close(fd);
      return io_error("'" + path + "': mmap failed: " + errno_text());
    }
    m.data_ = static_cast<const uint8_t*>(p);
    m.size_ = static_cast<size_t>(st.st_size);
  }
  ::close(fd);
  return m;
}

void MappedFile::drop_pages(const void* p, size_t bytes) const {
  const auto* b = static_cast<const uint8_t*>(p);
  if (!data_ || bytes == 0 || b < data_ || b + bytes > data_ + size_) return;
  const uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  const uintptr_t lo = reinterpret_cast<uintptr_t>(b) & ~(page - 1);
  const uintptr_t hi = reinterpret_cast<uintptr_t>(b + bytes);
  ::madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_DONTNEED);
}

MappedFile::MappedFile(MappedFile&& o) noexcept
    : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}

MappedFile& MappedFile::operator=(MappedFile&& o) noexcept {
  if (this != &o) {
    if (data_) ::munmap(const_cast<uint8_t*>(data_), size_);
    data_ = std::exchange(o.data_, nullptr);
    size_ = std::exchange(o.size_, 0);
  }
  return *this;
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(const_cast<uint8_t*>(data_), size_);
}

Status write_file_atomic(const std::string& path, const void* data, size_t size, Overwrite overwrite) {
  if (overwrite == Overwrite::kRefuse && file_exists(path))
    return invalid_argument("'" + path + "' already exists (use --force to overwrite)");
  PendingTemp pending(path + ".tmp-XXXXXX");
  char* const name = pending.name();
  int fd = ::mkstemp(name);
  if (fd < 0) return io_error("'" + path + "': cannot create temporary file: " + errno_text());
  const auto* p = static_cast<const uint8_t*>(data);
  size_t done = 0;
  while (done < size) {
    ssize_t w = ::write(fd, p + done, size - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      std::string err = errno_text();
      ::close(fd);
      ::unlink(name);
      return io_error("'" + path + "': write failed: " + err);
    }
    done += static_cast<size_t>(w);
  }
  ::fchmod(fd, 0644);
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    std::string err = errno_text();
    ::unlink(name);
    return io_error("'" + path + "': cannot flush: " + err);
  }
  if (overwrite == Overwrite::kRefuse) {
    // link() fails if the target appeared meanwhile, so nothing is ever replaced.
    if (::link(name, path.c_str()) != 0) {
      std::string err = errno_text();
      ::unlink(name);
      return io_error("'" + path + "': cannot create: " + err);
    }
    ::unlink(name);
    return Status();
  }
  if (::rename(name, path.c_str()) != 0) {
    std::string err = errno_text();
    ::unlink(name);
    return io_error("'" + path + "': cannot rename temporary file: " + err);
  }
  return Status();
}

}  // namespace fidcpp
