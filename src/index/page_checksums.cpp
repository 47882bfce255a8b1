#include "index/page_checksums.hpp"

#include <sqlite3.h>

#include <atomic>
#include <cstring>
#include <mutex>

namespace tracegrep::db {
namespace {

constexpr int kReserved = 8;
std::atomic<std::int64_t> g_damaged{-1};

// A file of the VFS: the methods SQLite calls, then the default VFS's own
// file, which every call is passed on to.
struct File {
  sqlite3_file base;
  bool checksums;  // the database's header says its pages carry them
  sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
};
static_assert(sizeof(File) % 8 == 0, "the default VFS's file follows, aligned");

File* of(sqlite3_file* f) { return reinterpret_cast<File*>(f); }
sqlite3_file* real(sqlite3_file* f) { return of(f)->real(); }

bool is_page(int amount) { return amount >= 512 && amount <= 65536 && (amount & (amount - 1)) == 0; }

}  // namespace

// Two running sums over the page's 32-bit words, each feeding the other
// (the Fletcher-like sum of cksumvfs): position-dependent, 64 bits, a few
// microseconds for a 16 KiB page.
void page_checksum(const unsigned char* page, int size, unsigned char out[kReserved]) {
  std::uint32_t s1 = 0, s2 = 0;
  for (int i = 0; i + 8 <= size - kReserved; i += 8) {
    std::uint32_t a, b;
    std::memcpy(&a, page + i, 4);
    std::memcpy(&b, page + i + 4, 4);
    s1 += a + s2;
    s2 += b + s1;
  }
  for (int i = 0; i < 4; ++i) {
    out[i] = static_cast<unsigned char>(s1 >> (8 * i));
    out[4 + i] = static_cast<unsigned char>(s2 >> (8 * i));
  }
}

namespace {

void note_header(File* f, const void* buf, int amount, sqlite3_int64 offset) {
  const auto* d = static_cast<const unsigned char*>(buf);
  if (offset == 0 && amount >= 100 && std::memcmp(d, "SQLite format 3", 16) == 0)
    f->checksums = d[20] == kReserved;
}

int x_close(sqlite3_file* f) { return real(f)->pMethods->xClose(real(f)); }

int x_read(sqlite3_file* f, void* buf, int amount, sqlite3_int64 offset) {
  const int rc = real(f)->pMethods->xRead(real(f), buf, amount, offset);
  if (rc != SQLITE_OK) return rc;
  note_header(of(f), buf, amount, offset);
  if (of(f)->checksums && is_page(amount)) {
    unsigned char sum[kReserved];
    const auto* page = static_cast<const unsigned char*>(buf);
    page_checksum(page, amount, sum);
    if (std::memcmp(page + amount - kReserved, sum, kReserved) != 0) {
      g_damaged.store(offset, std::memory_order_relaxed);
      sqlite3_log(SQLITE_IOERR_DATA, "page checksum wrong at offset %lld", static_cast<long long>(offset));
      return SQLITE_IOERR_DATA;
    }
  }
  return SQLITE_OK;
}

int x_write(sqlite3_file* f, const void* buf, int amount, sqlite3_int64 offset) {
  note_header(of(f), buf, amount, offset);
  if (of(f)->checksums && is_page(amount)) {
    // The page's reserved bytes are ours (SQLite never uses them), in a
    // buffer SQLite owns and writes out only through here.
    auto* page = static_cast<unsigned char*>(const_cast<void*>(buf));
    page_checksum(page, amount, page + amount - kReserved);
  }
  return real(f)->pMethods->xWrite(real(f), buf, amount, offset);
}

int x_truncate(sqlite3_file* f, sqlite3_int64 size) { return real(f)->pMethods->xTruncate(real(f), size); }
int x_sync(sqlite3_file* f, int flags) { return real(f)->pMethods->xSync(real(f), flags); }
int x_file_size(sqlite3_file* f, sqlite3_int64* size) { return real(f)->pMethods->xFileSize(real(f), size); }
int x_lock(sqlite3_file* f, int lock) { return real(f)->pMethods->xLock(real(f), lock); }
int x_unlock(sqlite3_file* f, int lock) { return real(f)->pMethods->xUnlock(real(f), lock); }
int x_check_reserved(sqlite3_file* f, int* out) {
  return real(f)->pMethods->xCheckReservedLock(real(f), out);
}
int x_file_control(sqlite3_file* f, int op, void* arg) {
  return real(f)->pMethods->xFileControl(real(f), op, arg);
}
int x_sector_size(sqlite3_file* f) { return real(f)->pMethods->xSectorSize(real(f)); }
int x_device(sqlite3_file* f) { return real(f)->pMethods->xDeviceCharacteristics(real(f)); }
int x_shm_map(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  return real(f)->pMethods->xShmMap(real(f), page, size, extend, out);
}
int x_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}
void x_shm_barrier(sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); }
int x_shm_unmap(sqlite3_file* f, int del) { return real(f)->pMethods->xShmUnmap(real(f), del); }
// A memory-mapped page would bypass x_read: none while checksums are on.
int x_fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  if (of(f)->checksums) {
    *out = nullptr;
    return SQLITE_OK;
  }
  return real(f)->pMethods->xFetch(real(f), offset, amount, out);
}
int x_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) {
  return real(f)->pMethods->xUnfetch(real(f), offset, p);
}

const sqlite3_io_methods kMethods = {
    3,          x_close,       x_read,           x_write,        x_truncate,    x_sync,   x_file_size,
    x_lock,     x_unlock,      x_check_reserved, x_file_control, x_sector_size, x_device, x_shm_map,
    x_shm_lock, x_shm_barrier, x_shm_unmap,      x_fetch,        x_unfetch,
};

sqlite3_vfs g_vfs;

sqlite3_vfs* base_vfs() { return static_cast<sqlite3_vfs*>(g_vfs.pAppData); }

// The rest is the default VFS's own, called with itself.
int v_delete(sqlite3_vfs*, const char* name, int sync_dir) {
  return base_vfs()->xDelete(base_vfs(), name, sync_dir);
}
int v_access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return base_vfs()->xAccess(base_vfs(), name, flags, out);
}
int v_full_pathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return base_vfs()->xFullPathname(base_vfs(), name, n, out);
}
void* v_dl_open(sqlite3_vfs*, const char* name) { return base_vfs()->xDlOpen(base_vfs(), name); }
void v_dl_error(sqlite3_vfs*, int n, char* out) { base_vfs()->xDlError(base_vfs(), n, out); }
void (*v_dl_sym(sqlite3_vfs*, void* h, const char* sym))(void) {
  return base_vfs()->xDlSym(base_vfs(), h, sym);
}
void v_dl_close(sqlite3_vfs*, void* h) { base_vfs()->xDlClose(base_vfs(), h); }
int v_randomness(sqlite3_vfs*, int n, char* out) { return base_vfs()->xRandomness(base_vfs(), n, out); }
int v_sleep(sqlite3_vfs*, int us) { return base_vfs()->xSleep(base_vfs(), us); }
int v_current_time(sqlite3_vfs*, double* out) { return base_vfs()->xCurrentTime(base_vfs(), out); }
int v_last_error(sqlite3_vfs*, int n, char* out) { return base_vfs()->xGetLastError(base_vfs(), n, out); }
int v_current_time64(sqlite3_vfs*, sqlite3_int64* out) {
  return base_vfs()->xCurrentTimeInt64(base_vfs(), out);
}
int v_set_syscall(sqlite3_vfs*, const char* name, sqlite3_syscall_ptr p) {
  return base_vfs()->xSetSystemCall(base_vfs(), name, p);
}
sqlite3_syscall_ptr v_get_syscall(sqlite3_vfs*, const char* name) {
  return base_vfs()->xGetSystemCall(base_vfs(), name);
}
const char* v_next_syscall(sqlite3_vfs*, const char* name) {
  return base_vfs()->xNextSystemCall(base_vfs(), name);
}

// Only the database file itself: its WAL, journals and temporary files are
// opened by the default VFS as they are.
int x_open(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  sqlite3_vfs* base = base_vfs();
  if ((flags & SQLITE_OPEN_MAIN_DB) == 0) return base->xOpen(base, name, file, flags, out_flags);
  File* f = of(file);
  f->base.pMethods = nullptr;
  f->checksums = false;
  const int rc = base->xOpen(base, name, f->real(), flags, out_flags);
  if (rc == SQLITE_OK) f->base.pMethods = &kMethods;
  return rc;
}

}  // namespace

const char* checksum_vfs() {
  static std::once_flag once;
  std::call_once(once, [] {
    sqlite3_vfs* base = sqlite3_vfs_find(nullptr);
    g_vfs = sqlite3_vfs{3,
                        static_cast<int>(sizeof(File)) + base->szOsFile,
                        base->mxPathname,
                        nullptr,
                        "tracegrep-checksums",
                        base,
                        x_open,
                        v_delete,
                        v_access,
                        v_full_pathname,
                        v_dl_open,
                        v_dl_error,
                        v_dl_sym,
                        v_dl_close,
                        v_randomness,
                        v_sleep,
                        v_current_time,
                        v_last_error,
                        v_current_time64,
                        v_set_syscall,
                        v_get_syscall,
                        v_next_syscall};
    sqlite3_vfs_register(&g_vfs, 0);
  });
  return g_vfs.zName;
}

void reserve_page_checksums(sqlite3* db) {
  int n = kReserved;
  sqlite3_file_control(db, "main", SQLITE_FCNTL_RESERVE_BYTES, &n);
}

bool has_page_checksums(sqlite3* db) {
  int n = -1;  // asks, without changing it
  return sqlite3_file_control(db, "main", SQLITE_FCNTL_RESERVE_BYTES, &n) == SQLITE_OK && n == kReserved;
}

std::int64_t last_damaged_page() { return g_damaged.load(std::memory_order_relaxed); }

}  // namespace tracegrep::db
