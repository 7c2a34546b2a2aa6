/* sockffi's native half: the C socket calls, each returning everything its
   caller needs from one crossing (see _sockffi.cdef for the conventions).

   One body per helper for POSIX and Windows; what differs is behind the
   SF_* platform macros just below, or, where the calls themselves differ
   (making a socket, closing one), inside one #ifdef in that helper. */

#if defined(__linux__) && !defined(_GNU_SOURCE)
#  define _GNU_SOURCE /* statx (Python.h defines it too) */
#endif
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#ifdef _WIN32
#  ifndef _WIN32_WINNT
#    define _WIN32_WINNT 0x0600 /* Vista: inet_pton/ntop, InitOnceExecuteOnce, if_nametoindex */
#  endif
#  ifndef WIN32_LEAN_AND_MEAN
#    define WIN32_LEAN_AND_MEAN
#  endif
#  include <winsock2.h>
#  include <ws2tcpip.h>
#  include <windows.h>
#  include <iphlpapi.h>
#  include <netioapi.h>

typedef long long sf_fd_t;
typedef int sf_socklen_t;
#  define SF_SOCK(fd) ((SOCKET)(fd))
#  define SF_LAST_ERROR() WSAGetLastError()
#  define SF_FAILED(rc) ((rc) == SOCKET_ERROR)
#  define SF_OPTVAL(p) ((const char *)(p))
/* The bind and connect codes whose meaning depends on the socket's state:
   WSAEINVAL is "already bound" (bind); WSAEFAULT (Microsoft), WSAEAFNOSUPPORT
   and WSAEOPNOTSUPP (Wine) are what an address of another family than the
   socket's gives. */
#  define SF_CLASSIFY_ADDRESS(err) \
      ((err) == WSAEINVAL || (err) == WSAEFAULT || (err) == WSAEAFNOSUPPORT || (err) == WSAEOPNOTSUPP)
/* Zig's request bits (ws2_32.zig), never passed to WSASocketW. */
#  define SOCK_CLOEXEC 0x10000
#  define SOCK_NONBLOCK 0x20000
#  ifndef AF_UNIX
#    define AF_UNIX 1
#  endif
#  ifndef IPV6_V6ONLY
#    define IPV6_V6ONLY 27
#  endif
#  define SHUT_RD SD_RECEIVE
#  define SHUT_WR SD_SEND
#  define SHUT_RDWR SD_BOTH
/* FIONBIO is an unsigned constant; ioctlsocket takes a long. */
#  define SF_FIONBIO ((long)FIONBIO)
#  ifndef WSA_FLAG_NO_HANDLE_INHERIT
#    define WSA_FLAG_NO_HANDLE_INHERIT 0x80
#  endif
/* afunix.h is missing from older mingw headers; the layout is fixed. */
struct sockaddr_un {
    ADDRESS_FAMILY sun_family;
    char sun_path[108];
};
#  define SF_SUN_LEN(sun, n) ((void)0)
#else
#  include <errno.h>
#  include <sys/types.h>
#  include <sys/socket.h>
#  include <sys/un.h>
#  include <netinet/in.h>
#  include <netinet/tcp.h>
#  include <arpa/inet.h>
#  include <net/if.h>
#  include <fcntl.h>
#  include <stdlib.h>
#  include <sys/stat.h>
#  include <unistd.h>
#  include <poll.h>

typedef int sf_fd_t;
typedef socklen_t sf_socklen_t;
#  define SF_SOCK(fd) ((int)(fd))
#  define SF_LAST_ERROR() errno
#  define SF_FAILED(rc) ((rc) == -1)
#  define SF_OPTVAL(p) ((const void *)(p))
/* Linux answers EINVAL both for a bound socket and for an address too short
   for the socket's family, and EAFNOSUPPORT for one long enough; getsockname
   on the error path tells them apart (bind and connect alike). */
#  define SF_CLASSIFY_ADDRESS(err) ((err) == EINVAL || (err) == EAFNOSUPPORT)
#  if defined(SOCK_CLOEXEC) && defined(SOCK_NONBLOCK)
#    define SF_NATIVE_SOCK_FLAGS 1
#  else /* macOS: not ABI, only requests for the fcntl emulation (Zig's values) */
#    define SF_NATIVE_SOCK_FLAGS 0
#    define SOCK_CLOEXEC (1 << 15)
#    define SOCK_NONBLOCK (1 << 16)
#  endif
#  ifdef __APPLE__
#    define SF_SUN_LEN(sun, n) ((sun)->sun_len = (unsigned char)(n))
#  else
#    define SF_SUN_LEN(sun, n) ((void)0)
#  endif
#endif

#ifdef SO_REUSEPORT
#  define SF_SO_REUSEPORT SO_REUSEPORT
#  define SF_HAS_SO_REUSEPORT 1
#else
#  define SF_SO_REUSEPORT 0
#  define SF_HAS_SO_REUSEPORT 0
#endif
/* Option names the trace shows where the platform has them (-1 where not). */
#ifdef SO_PRIORITY
#  define SF_SO_PRIORITY SO_PRIORITY
#else
#  define SF_SO_PRIORITY (-1)
#endif
#ifdef SO_BINDTODEVICE
#  define SF_SO_BINDTODEVICE SO_BINDTODEVICE
#else
#  define SF_SO_BINDTODEVICE (-1)
#endif
#define SF_SUN_PATH_MAX ((int)sizeof(((struct sockaddr_un *)0)->sun_path))
#define SF_SUN_PATH_OFFSET ((int)offsetof(struct sockaddr_un, sun_path))
#define SF_ADDR_CAP ((int)sizeof(struct sockaddr_storage))

/* Atomics: the IPv6 intern table and the cells are shared by every thread (cffi
   releases the GIL around each call) and must survive fork at any moment, so
   they are lock-free rather than mutex-guarded. */
#if defined(_MSC_VER)
#  include <intrin.h>
typedef volatile long sf_atomic;
#  define SF_LOAD(p) InterlockedOr((p), 0)
#  define SF_CAS(p, expected, desired) (InterlockedCompareExchange((p), (desired), (expected)) == (expected))
#  define SF_FETCH_ADD(p, v) InterlockedExchangeAdd((p), (v))
#  define SF_XCHG64(p, v) InterlockedExchange64((volatile long long *)(p), (v))
#else
typedef int sf_atomic;
#  define SF_LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#  define SF_CAS(p, expected, desired) sf_cas((p), (expected), (desired))
#  define SF_FETCH_ADD(p, v) __atomic_fetch_add((p), (v), __ATOMIC_ACQ_REL)
#  define SF_XCHG64(p, v) __atomic_exchange_n((p), (v), __ATOMIC_ACQ_REL)
static int sf_cas(sf_atomic *p, int expected, int desired)
{
    return __atomic_compare_exchange_n(p, &expected, desired, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}
#endif

/* ------------------------------------------------------------------ layouts */

#define SF_CODE_MASK 0xFFFFF
#define SF_AUX 0x100000
#define SF_STARTUP 0x200000
#define SF_REJECTED 0x400000
#define SF_BOUND 0x800000
#define SF_OTHER_FAMILY 0x1000000
#define SF_STILL_OPEN 0x2000000
#define SF_REJECT_FD 1
#define SF_REJECT_BACKLOG 2
#define SF_REJECT_PATH 3
#define SF_REJECT_PORT 4
#define SF_STEP_SHIFT 32
#define SF_STEP_SOCKET 1
#define SF_STEP_REUSEADDR 2
#define SF_STEP_REUSEPORT 3
#define SF_STEP_V6ONLY 4
#define SF_STEP_BIND 5
#define SF_STEP_LISTEN 6
#define SF_STEP_GETSOCKNAME 7
#define SF_STEP_CONNECT 8

#define SF_OPT_REUSEADDR 1
#define SF_OPT_REUSEPORT 2
#define SF_OPT_V6ONLY 4
#define SF_OPT_DUALSTACK 8

#define SF_GSN_IN6 (1LL << 60)
#define SF_GSN_OTHER (1LL << 61)
#define SF_GSN_PATH (1LL << 59) /* with SF_GSN_OTHER: out holds an AF_UNIX path, NUL-terminated */
#define SF_GSN_BUSY (1LL << 58) /* with SF_GSN_OTHER: out was another call's, nothing copied */
#define SF_IN6_ID_SHIFT 36
#define SF_LISTEN4_FD_SHIFT 17
#define SF_LISTEN4_DIFFERS (1LL << 16)

#define SF_REJECT(what) (-(SF_REJECTED | (what)))
#define SF_CHECK_FD(fd)                    \
    do {                                   \
        if ((fd) < 0)                      \
            return SF_REJECT(SF_REJECT_FD); \
    } while (0)

static int sf_fail(int flags)
{
    return -((SF_LAST_ERROR() & SF_CODE_MASK) | flags);
}

/* ------------------------------------------------------------------ Winsock */

#ifdef _WIN32
static INIT_ONCE sf_wsa_once = INIT_ONCE_STATIC_INIT;
static int sf_wsa_error;

static BOOL CALLBACK sf_wsa_start(PINIT_ONCE once, PVOID param, PVOID *ctx)
{
    WSADATA data;
    (void)once, (void)param, (void)ctx;
    /* Never paired with WSACleanup, as in Zig: the process keeps Winsock. */
    sf_wsa_error = WSAStartup(MAKEWORD(2, 2), &data);
    return TRUE;
}

/* WSAStartup once, thread-safely; 0 or its error code. */
static int sf_wsa_init(void)
{
    InitOnceExecuteOnce(&sf_wsa_once, sf_wsa_start, NULL, NULL);
    return sf_wsa_error;
}
#endif

/* ------------------------------------------------------------------ socket */

#ifndef _WIN32
/* fcntl half of the emulation. Returns 0 or errno; EINTR is retried, as Zig does. */
static int sf_set_fd_flags(int fd, int cloexec, int nonblock)
{
    int fl;
    if (cloexec) {
        while ((fl = fcntl(fd, F_GETFD, 0)) == -1)
            if (errno != EINTR) return errno;
        while (fcntl(fd, F_SETFD, fl | FD_CLOEXEC) == -1)
            if (errno != EINTR) return errno;
    }
    if (nonblock) {
        while ((fl = fcntl(fd, F_GETFL, 0)) == -1)
            if (errno != EINTR) return errno;
        while (fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
            if (errno != EINTR) return errno;
    }
    return 0;
}
#endif

long long sf_socket_emulated(int domain, int type, int protocol)
{
#ifdef _WIN32
    DWORD flags = WSA_FLAG_OVERLAPPED;
    SOCKET s;
    int err, retried = 0;
    if (type & SOCK_CLOEXEC) flags |= WSA_FLAG_NO_HANDLE_INHERIT;
    for (;;) {
        s = WSASocketW(domain, type & ~(SOCK_CLOEXEC | SOCK_NONBLOCK), protocol, NULL, 0, flags);
        if (s != INVALID_SOCKET) break;
        err = WSAGetLastError();
        /* Zig: on WSANOTINITIALISED call WSAStartup and retry once. */
        if (err != WSANOTINITIALISED || retried) return -(long long)(err & SF_CODE_MASK);
        retried = 1;
        if ((err = sf_wsa_init()) != 0) return -(long long)((err & SF_CODE_MASK) | SF_STARTUP);
    }
    if (type & SOCK_NONBLOCK) {
        u_long one = 1;
        if (ioctlsocket(s, SF_FIONBIO, &one) == SOCKET_ERROR) {
            err = WSAGetLastError();
            closesocket(s);
            return -(long long)((err & SF_CODE_MASK) | SF_AUX);
        }
    }
    return (long long)s;
#else
    int cloexec = type & SOCK_CLOEXEC, nonblock = type & SOCK_NONBLOCK;
    int fd = socket(domain, type & ~(SOCK_CLOEXEC | SOCK_NONBLOCK), protocol);
    int err;
    if (fd == -1) return sf_fail(0);
    err = sf_set_fd_flags(fd, cloexec, nonblock);
    if (err) {
        close(fd); /* Zig: errdefer close(fd) */
        return -(long long)((err & SF_CODE_MASK) | SF_AUX);
    }
    return fd;
#endif
}

long long sf_socket(int domain, int type, int protocol)
{
#if defined(_WIN32) || !SF_NATIVE_SOCK_FLAGS
    return sf_socket_emulated(domain, type, protocol);
#else
    int fd = socket(domain, type, protocol);
    return fd == -1 ? sf_fail(0) : fd;
#endif
}

long long sf_socket_cell(long long *cell, int domain, int type, int protocol)
{
    long long fd = sf_socket(domain, type, protocol);
    if (fd >= 0) cell[0] = fd + 1;
    return fd;
}

/* ------------------------------------------------------------------ close */

int sf_close(sf_fd_t fd)
{
    SF_CHECK_FD(fd);
#ifdef _WIN32
    if (closesocket(SF_SOCK(fd)) != SOCKET_ERROR) return 0;
    if (WSAGetLastError() == WSAEWOULDBLOCK) {
        /* A non-blocking socket with a linger timeout and unsent data: Windows
           keeps the handle open. Finish the close as the linger asks, blocking. */
        u_long zero = 0;
        if (ioctlsocket(SF_SOCK(fd), SF_FIONBIO, &zero) != SOCKET_ERROR && closesocket(SF_SOCK(fd)) != SOCKET_ERROR)
            return 0;
        return sf_fail(SF_STILL_OPEN);
    }
    return sf_fail(0);
#else
    if (close(fd) == 0) return 0;
    /* Zig's posix.close: EINTR counts as closed (Linux frees the fd first). */
    return errno == EINTR ? 0 : sf_fail(0);
#endif
}

/* A cell is two long longs: cell[0] holds fd + 1, cell[1] (when not 0) the
   unix socket file its bind made, which goes with the socket: removed when
   the cell closes the socket (before closing it) or is dropped with it, left
   in place when the fd is detached.

   The file is removed only through the directory it was bound in, held open
   from before the bind (so a relative path keeps the meaning it had then, and
   no directory swapped in later, nor a symlink planted on the path, is ever
   walked again), and only if the name there is still the socket the bind
   made: same device, inode and birth time (ctime where the file system keeps
   no birth time), which an inode number reused by another file does not
   share. Only the process that bound it removes it. Any doubt leaves the
   file: never another program's file. */
struct sf_file {
    long long pid;
#ifndef _WIN32
    int dirfd;
    int slot; /* its place in sf_live_files, or -1 */
    struct sf_identity {
        unsigned long long dev, ino;
        long long sec, nsec;
    } id;
#endif
    char name[1]; /* NUL-terminated, allocated to its length */
};

#ifndef _WIN32
/* What identifies the socket file `name` in `dirfd` (never following a
   symlink); 0 when it is there and a socket. */
static int sf_identify(int dirfd, const char *name, struct sf_identity *id)
{
#  if defined(__linux__) && defined(STATX_BTIME)
    struct statx sx;
    if (statx(dirfd, name, AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_INO | STATX_BTIME | STATX_CTIME, &sx) != 0)
        return -1;
    if (!S_ISSOCK(sx.stx_mode)) return -1;
    id->dev = ((unsigned long long)sx.stx_dev_major << 32) | sx.stx_dev_minor;
    id->ino = (unsigned long long)sx.stx_ino;
    if (sx.stx_mask & STATX_BTIME) {
        id->sec = (long long)sx.stx_btime.tv_sec;
        id->nsec = (long long)sx.stx_btime.tv_nsec;
    } else {
        id->sec = (long long)sx.stx_ctime.tv_sec;
        id->nsec = (long long)sx.stx_ctime.tv_nsec;
    }
#  else
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISSOCK(st.st_mode)) return -1;
    id->dev = (unsigned long long)st.st_dev;
    id->ino = (unsigned long long)st.st_ino;
#    ifdef __APPLE__
    id->sec = (long long)st.st_ctimespec.tv_sec;
    id->nsec = (long long)st.st_ctimespec.tv_nsec;
#    else
    id->sec = (long long)st.st_ctim.tv_sec;
    id->nsec = (long long)st.st_ctim.tv_nsec;
#    endif
#  endif
    return 0;
}

/* The directory part of a path, opened for *at calls only (O_PATH where it
   exists: no read permission needed), close-on-exec; -1 if it cannot be. */
static int sf_open_dir(const char *path, size_t slash, int has_slash)
{
#  ifdef O_PATH
    int flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
#  else
    int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
#  endif
    char dir[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
    int fd;
    if (!has_slash) return open(".", flags);
    if (slash == 0) return open("/", flags);
    if (slash >= sizeof dir) return -1;
    memcpy(dir, path, slash);
    dir[slash] = '\0';
    do fd = open(dir, flags);
    while (fd == -1 && errno == EINTR);
    return fd;
}
#endif

#ifndef _WIN32
/* Remove f's name if it is still the socket the bind made, and this process made it. */
static void sf_file_remove(const struct sf_file *f)
{
    struct sf_identity now;
    if (f->pid == (long long)getpid() && sf_identify(f->dirfd, f->name, &now) == 0 && now.dev == f->id.dev
        && now.ino == f->id.ino && now.sec == f->id.sec && now.nsec == f->id.nsec)
        unlinkat(f->dirfd, f->name, 0);
}

/* The files every live cell owns, so that they go at exit too (exit(), or
   the interpreter's end) when their Server never closed: held by a daemon
   thread, a cycle, a module global the interpreter never freed. Lock-free
   (a slot is claimed and released with compare-and-swap), so it survives
   fork at any moment; a file that finds no free slot is only removed by its
   cell. Whoever takes a file out of its slot (its cell, or the exit handler)
   is the one that removes it; the other leaves it alone. */
#  define SF_LIVE_FILES 1024
static struct sf_file *sf_live_files[SF_LIVE_FILES];
static int sf_at_exit_registered;

static void sf_remove_files_at_exit(void)
{
    int i;
    for (i = 0; i < SF_LIVE_FILES; i++) {
        struct sf_file *f = __atomic_load_n(&sf_live_files[i], __ATOMIC_ACQUIRE);
        if (f != NULL && __atomic_compare_exchange_n(&sf_live_files[i], &f, NULL, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            sf_file_remove(f); /* never freed: the process is ending, and its cell may still point at it */
    }
}

static void sf_file_register(struct sf_file *f)
{
    int i;
    f->slot = -1;
    if (!__atomic_exchange_n(&sf_at_exit_registered, 1, __ATOMIC_ACQ_REL)) atexit(sf_remove_files_at_exit);
    for (i = 0; i < SF_LIVE_FILES; i++) {
        struct sf_file *none = NULL;
        if (__atomic_compare_exchange_n(&sf_live_files[i], &none, f, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            f->slot = i;
            return;
        }
    }
}
#endif

static void sf_file_drop(long long *cell, int remove)
{
    struct sf_file *f = (struct sf_file *)(intptr_t)SF_XCHG64(&cell[1], 0LL);
    if (f == NULL) return;
#ifndef _WIN32
    if (f->slot >= 0) {
        struct sf_file *mine = f;
        if (!__atomic_compare_exchange_n(&sf_live_files[f->slot], &mine, NULL, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            return; /* the exit handler took it */
    }
    if (remove) sf_file_remove(f);
    close(f->dirfd);
#else
    (void)remove;
#endif
    free(f);
}

int sf_cell_close(long long *cell)
{
    long long v = SF_XCHG64(&cell[0], 0LL);
    int rc;
    if (v <= 0) return 1; /* empty: nothing to close */
    sf_file_drop(cell, 1);
    rc = sf_close((sf_fd_t)(v - 1));
    if (rc < 0 && ((-rc) & SF_STILL_OPEN)) SF_XCHG64(&cell[0], v); /* still open, so still ours */
    return rc;
}

long long sf_cell_detach(long long *cell)
{
    long long v = SF_XCHG64(&cell[0], 0LL);
    sf_file_drop(cell, 0);
    return v - 1; /* -1 when the cell was empty */
}

void sf_cell_adopt(long long *cell, long long fd)
{
    SF_XCHG64(&cell[0], fd + 1);
}

/* What a dropped cell does after closing a socket it still owned: the
   extension warns (ResourceWarning, _sockffi_py.c); plain C builds do nothing. */
#ifndef SF_UNCLOSED_HOOK
#  define SF_UNCLOSED_HOOK NULL
#endif
static void (*const sf_unclosed_hook)(const char *what) = SF_UNCLOSED_HOOK;

static void sf_describe(sf_fd_t fd, char *out, size_t cap);

void sf_cell_release(long long *cell)
{
    long long v = SF_XCHG64(&cell[0], 0LL);
    char what[300];
    sf_file_drop(cell, v > 0);
    if (v <= 0) return;
    if (sf_unclosed_hook) sf_describe((sf_fd_t)(v - 1), what, sizeof what);
    sf_close((sf_fd_t)(v - 1));
    if (sf_unclosed_hook) sf_unclosed_hook(what);
}

/* ------------------------------------------------------------------ IPv6 intern table */

/* getsockname's IPv6 result does not fit one integer. Its (address, scope)
   pair is interned here instead and named by a small id that never changes
   meaning, so sf_getsockname returns everything in one value and Python maps
   the id to text once. Entries are claimed with an atomic counter and
   published into an open-addressing index with compare-and-swap. */
#define SF_IN6_MAX 1024
#define SF_IN6_SLOTS 2048

struct sf_in6_entry {
    unsigned char addr[16];
    uint32_t scope;
};
static struct sf_in6_entry sf_in6_table[SF_IN6_MAX];
static sf_atomic sf_in6_next;
static sf_atomic sf_in6_slots[SF_IN6_SLOTS]; /* id + 1; 0 = free */

static uint32_t sf_in6_hash(const unsigned char *addr, uint32_t scope)
{
    uint32_t h = 2166136261u;
    int i;
    for (i = 0; i < 16; i++) h = (h ^ addr[i]) * 16777619u;
    return (h ^ scope) * 16777619u;
}

static int sf_in6_same(int id, const unsigned char *addr, uint32_t scope)
{
    return sf_in6_table[id].scope == scope && memcmp(sf_in6_table[id].addr, addr, 16) == 0;
}

/* The id of (addr, scope), or -1 once the table is full. */
static int sf_in6_intern(const unsigned char *addr, uint32_t scope)
{
    uint32_t h = sf_in6_hash(addr, scope);
    uint32_t probe;
    for (probe = 0; probe < SF_IN6_SLOTS; probe++) {
        sf_atomic *slot = &sf_in6_slots[(h + probe) & (SF_IN6_SLOTS - 1)];
        int v = (int)SF_LOAD(slot);
        if (v == 0) {
            int id;
            if ((int)SF_LOAD(&sf_in6_next) >= SF_IN6_MAX) return -1;
            id = (int)SF_FETCH_ADD(&sf_in6_next, 1);
            if (id >= SF_IN6_MAX) return -1;
            memcpy(sf_in6_table[id].addr, addr, 16);
            sf_in6_table[id].scope = scope;
            if (SF_CAS(slot, 0, id + 1)) return id;
            v = (int)SF_LOAD(slot); /* another thread published here first; entry id stays unused */
        }
        if (sf_in6_same(v - 1, addr, scope)) return v - 1;
    }
    return -1;
}

static int sf_in6_published(int id)
{
    return id >= 0 && id < SF_IN6_MAX && id < (int)SF_LOAD(&sf_in6_next);
}

/* ------------------------------------------------------------------ bind */

/* Whether a socket has a local address: a port, a non-wildcard host, or a unix name. */
static int sf_has_name(const struct sockaddr_storage *ss, sf_socklen_t len)
{
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
        return sin->sin_port != 0 || sin->sin_addr.s_addr != 0;
    }
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
        static const unsigned char any[16];
        return sin6->sin6_port != 0 || memcmp(&sin6->sin6_addr, any, 16) != 0;
    }
    if (ss->ss_family == AF_UNIX) return len > (sf_socklen_t)SF_SUN_PATH_OFFSET;
    return 0; /* another family: cannot tell, so not verifiably bound */
}

/* Flags for a bind or connect failure whose meaning depends on the socket:
   SF_OTHER_FAMILY, SF_BOUND, or 0 (same family and not verifiably bound). */
static int sf_address_state(sf_fd_t fd, int family)
{
    struct sockaddr_storage ss;
    sf_socklen_t len = (sf_socklen_t)sizeof ss;
    int own_family;
    memset(&ss, 0, sizeof ss);
#ifdef _WIN32
    {
        WSAPROTOCOL_INFOW info;
        int ilen = (int)sizeof info;
        if (getsockopt(SF_SOCK(fd), SOL_SOCKET, SO_PROTOCOL_INFOW, (char *)&info, &ilen) == SOCKET_ERROR) return 0;
        own_family = info.iAddressFamily;
    }
    if (own_family != family) return SF_OTHER_FAMILY;
    /* WSAEINVAL here means "not bound". */
    if (getsockname(SF_SOCK(fd), (struct sockaddr *)&ss, &len) == SOCKET_ERROR) return 0;
#else
    if (getsockname(SF_SOCK(fd), (struct sockaddr *)&ss, &len) == -1) return 0;
    own_family = ss.ss_family;
    if (own_family != family) return SF_OTHER_FAMILY;
#endif
    return sf_has_name(&ss, len) ? SF_BOUND : 0;
}

static int sf_bind_sa(sf_fd_t fd, const void *sa, sf_socklen_t len, int family)
{
    int err;
    SF_CHECK_FD(fd);
    if (!SF_FAILED(bind(SF_SOCK(fd), (const struct sockaddr *)sa, len))) return 0;
    err = SF_LAST_ERROR();
    return -((err & SF_CODE_MASK) | (SF_CLASSIFY_ADDRESS(err) ? sf_address_state(fd, family) : 0));
}

static sf_socklen_t sf_sin4(struct sockaddr_in *sin, unsigned int addr_be, int port)
{
    memset(sin, 0, sizeof *sin);
#ifdef __APPLE__
    sin->sin_len = sizeof *sin;
#endif
    sin->sin_family = AF_INET;
    sin->sin_port = htons((uint16_t)port);
    sin->sin_addr.s_addr = addr_be;
    return (sf_socklen_t)sizeof *sin;
}

static sf_socklen_t sf_sin6(struct sockaddr_in6 *sin6, const char *addr16, int port, unsigned int flowinfo,
                            unsigned int scope_id)
{
    memset(sin6, 0, sizeof *sin6);
#ifdef __APPLE__
    sin6->sin6_len = sizeof *sin6;
#endif
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons((uint16_t)port);
    sin6->sin6_flowinfo = htonl(flowinfo);
    sin6->sin6_scope_id = scope_id;
    memcpy(&sin6->sin6_addr, addr16, 16);
    return (sf_socklen_t)sizeof *sin6;
}

int sf_bind_in4(sf_fd_t fd, unsigned int addr_be, int port)
{
    struct sockaddr_in sin;
    return sf_bind_sa(fd, &sin, sf_sin4(&sin, addr_be, port), AF_INET);
}

int sf_bind_in6(sf_fd_t fd, const char *addr16, int port, unsigned int flowinfo, unsigned int scope_id)
{
    struct sockaddr_in6 sin6;
    return sf_bind_sa(fd, &sin6, sf_sin6(&sin6, addr16, port, flowinfo, scope_id), AF_INET6);
}

/* Exact length, as CPython does: a regular path keeps its NUL, an abstract
   name (leading NUL, Linux) is exactly its bytes, and "" asks Linux to autobind.
   Returns the sockaddr's length, or 0 when the path does not fit sun_path. */
static sf_socklen_t sf_sun(struct sockaddr_un *sun, const char *path, size_t len)
{
    size_t n = len;
    if (len > sizeof sun->sun_path) return 0;
    memset(sun, 0, sizeof *sun);
    sun->sun_family = AF_UNIX;
    memcpy(sun->sun_path, path, len);
    if (len > 0 && path[0] != '\0' && n < sizeof sun->sun_path) n += 1;
    SF_SUN_LEN(sun, offsetof(struct sockaddr_un, sun_path) + n);
    return (sf_socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
}

int sf_bind_un(sf_fd_t fd, const char *path, size_t len)
{
    struct sockaddr_un sun;
    sf_socklen_t n = sf_sun(&sun, path, len);
    if (n == 0) return SF_REJECT(SF_REJECT_PATH);
    return sf_bind_sa(fd, &sun, n, AF_UNIX);
}

/* bind for the socket in a cell; a named unix path's file then belongs to the
   cell too (see sf_file_drop). The directory is opened before the bind, so it
   is the one the bind's relative path meant. */
int sf_bind_un_cell(long long *cell, const char *path, size_t len)
{
    long long fd = cell[0] - 1;
    int rc;
#ifndef _WIN32
    size_t slash = 0, i;
    int has_slash = 0, dirfd = -1, err;
    if (len > 0 && path[0] != '\0' && len <= (size_t)SF_SUN_PATH_MAX) {
        for (i = 0; i < len; i++)
            if (path[i] == '/') slash = i, has_slash = 1;
        if (!has_slash || slash + 1 < len) dirfd = sf_open_dir(path, slash, has_slash);
    }
    rc = sf_bind_un((sf_fd_t)fd, path, len);
    err = errno;
    if (dirfd >= 0) {
        const char *name = has_slash ? path + slash + 1 : path;
        size_t n = len - (size_t)(name - path);
        struct sf_file *f = NULL;
        if (rc == 0 && (f = (struct sf_file *)malloc(sizeof *f + n)) != NULL) {
            memcpy(f->name, name, n);
            f->name[n] = '\0';
            if (sf_identify(dirfd, f->name, &f->id) != 0) {
                free(f);
                f = NULL;
            }
        }
        if (f != NULL) {
            f->pid = (long long)getpid();
            f->dirfd = dirfd;
            sf_file_drop(cell, 0); /* a cell holds one file; an earlier one is let go */
            sf_file_register(f);
            SF_XCHG64(&cell[1], (long long)(intptr_t)f);
        } else {
            close(dirfd);
        }
    }
    errno = err;
#else
    rc = sf_bind_un((sf_fd_t)fd, path, len);
#endif
    return rc;
}

/* ------------------------------------------------------------------ listen, setsockopt */

int sf_listen(sf_fd_t fd, int backlog)
{
    SF_CHECK_FD(fd);
    if (backlog < 0) return SF_REJECT(SF_REJECT_BACKLOG);
    return SF_FAILED(listen(SF_SOCK(fd), backlog)) ? sf_fail(0) : 0;
}

int sf_setsockopt_int(sf_fd_t fd, int level, int option, int value)
{
    SF_CHECK_FD(fd);
    return SF_FAILED(setsockopt(SF_SOCK(fd), level, option, SF_OPTVAL(&value), (sf_socklen_t)sizeof value))
               ? sf_fail(0)
               : 0;
}

int sf_setsockopt(sf_fd_t fd, int level, int option, const char *value, size_t len)
{
    SF_CHECK_FD(fd);
    return SF_FAILED(setsockopt(SF_SOCK(fd), level, option, SF_OPTVAL(value), (sf_socklen_t)len)) ? sf_fail(0) : 0;
}

/* ------------------------------------------------------------------ getsockname */

static long long sf_pack_name(const struct sockaddr_storage *ss, sf_socklen_t len)
{
    if (ss->ss_family == AF_INET && len >= (sf_socklen_t)sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
        return ((long long)ntohl(sin->sin_addr.s_addr) << 16) | ntohs(sin->sin_port);
    }
    if (ss->ss_family == AF_INET6 && len >= (sf_socklen_t)sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
        uint32_t flow = ntohl(sin6->sin6_flowinfo);
        int id = flow <= 0xFFFFF ? sf_in6_intern((const unsigned char *)&sin6->sin6_addr, sin6->sin6_scope_id) : -1;
        if (id >= 0)
            return SF_GSN_IN6 | ((long long)id << SF_IN6_ID_SHIFT) | ((long long)flow << 16) | ntohs(sin6->sin6_port);
    }
    return SF_GSN_OTHER | ((long long)ss->ss_family << 16) | (len & 0xFFFF);
}

/* An address as sf_getsockname returns it: IPv4 and IPv6 packed; any other
   family (AF_UNIX ...) copied into `out` (SF_ADDR_CAP bytes, or NULL), with
   its family and length in the result. */
static long long sf_name_result(const struct sockaddr_storage *ss, sf_socklen_t len, char *out, sf_atomic *claim)
{
    long long r;
    if (len > (sf_socklen_t)sizeof *ss) len = (sf_socklen_t)sizeof *ss;
    r = sf_pack_name(ss, len);
    if (r < SF_GSN_OTHER || out == NULL) return r;
    if (claim != NULL && !SF_CAS(claim, 0, 1)) return r | SF_GSN_BUSY; /* another call's: not touched */
    memset(out, 0, sizeof *ss);
    if (ss->ss_family == AF_UNIX && len > (sf_socklen_t)SF_SUN_PATH_OFFSET
        && ((const char *)ss)[SF_SUN_PATH_OFFSET] != '\0') {
        /* A path (not Linux's abstract name, not unnamed): its bytes up to the
           first NUL, at out's start, NUL-terminated (sun_path is shorter than
           sockaddr_storage). */
        size_t n = (size_t)len - (size_t)SF_SUN_PATH_OFFSET;
        const char *path = (const char *)ss + SF_SUN_PATH_OFFSET;
        const char *end = (const char *)memchr(path, '\0', n);
        memcpy(out, path, end ? (size_t)(end - path) : n);
        return r | SF_GSN_PATH;
    }
    memcpy(out, ss, (size_t)len);
    return r;
}

/* The name buffer sf_getsockname fills for a family it does not pack, and
   its claim (0 when free). Only such a family claims it, atomically; the
   caller that got it reads it and frees it (sf_shared_name_release). A call
   that finds it claimed (another thread's, or a signal handler's around the
   claimer) does not touch it: its result carries SF_GSN_BUSY, and the caller
   asks again with a buffer of its own (sf_getsockname_into). The IP families,
   packed in the result, never touch it: the common call takes the fd alone. */
char sf_shared_name[SF_ADDR_CAP];
static sf_atomic sf_shared_claim;

/* One getsockname (or getpeername), its address as sf_name_result gives it. */
static long long sf_name_into(sf_fd_t fd, char *out, sf_atomic *claim, int peer)
{
    struct sockaddr_storage ss;
    sf_socklen_t len = (sf_socklen_t)sizeof ss;
    int rc;
    SF_CHECK_FD(fd);
    ss.ss_family = AF_UNSPEC;
    rc = peer ? getpeername(SF_SOCK(fd), (struct sockaddr *)&ss, &len)
              : getsockname(SF_SOCK(fd), (struct sockaddr *)&ss, &len);
    if (SF_FAILED(rc)) return sf_fail(0);
    return sf_name_result(&ss, len, out, claim);
}

long long sf_getsockname(sf_fd_t fd)
{
    return sf_name_into(fd, sf_shared_name, &sf_shared_claim, 0);
}

long long sf_getpeername(sf_fd_t fd)
{
    return sf_name_into(fd, sf_shared_name, &sf_shared_claim, 1);
}

void sf_shared_name_release(void)
{
#ifdef _MSC_VER
    InterlockedExchange(&sf_shared_claim, 0);
#else
    __atomic_store_n(&sf_shared_claim, 0, __ATOMIC_RELEASE);
#endif
}

/* The raw address into a caller-owned buffer (zeroed first, as CPython and
   socket2 do); returns its length. */
static int sf_raw_name(sf_fd_t fd, char *out, int cap, int peer)
{
    sf_socklen_t len = (sf_socklen_t)cap;
    int rc;
    SF_CHECK_FD(fd);
    memset(out, 0, (size_t)cap);
    rc = peer ? getpeername(SF_SOCK(fd), (struct sockaddr *)out, &len)
              : getsockname(SF_SOCK(fd), (struct sockaddr *)out, &len);
    return SF_FAILED(rc) ? sf_fail(0) : (int)len;
}

int sf_getsockname_into(sf_fd_t fd, char *out, int cap)
{
    return sf_raw_name(fd, out, cap, 0);
}

int sf_getpeername_into(sf_fd_t fd, char *out, int cap)
{
    return sf_raw_name(fd, out, cap, 1);
}

/* ------------------------------------------------------------------ Zig's Address.listen */

static int sf_apply_options(sf_fd_t fd, int opts, int *step)
{
    int err = 0;
    if (opts & SF_OPT_REUSEADDR) {
        *step = SF_STEP_REUSEADDR;
        err = sf_setsockopt_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
    }
    if (!err && (opts & SF_OPT_REUSEPORT)) {
        *step = SF_STEP_REUSEPORT;
        err = sf_setsockopt_int(fd, SOL_SOCKET, SF_SO_REUSEPORT, 1);
    }
    if (!err && (opts & (SF_OPT_V6ONLY | SF_OPT_DUALSTACK))) {
        *step = SF_STEP_V6ONLY;
        err = sf_setsockopt_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, (opts & SF_OPT_V6ONLY) ? 1 : 0);
    }
    return err;
}

/* On failure the cell is closed and emptied. */
static long long sf_listen_failed(long long *cell, int step, long long err)
{
    sf_cell_close(cell);
    return -(((long long)step << SF_STEP_SHIFT) | -err);
}

/* Zig's sequence on a TCP socket in the cell: socket, options, bind, listen,
   getsockname. Returns sf_getsockname's packed value, or the failed step's
   code with the cell closed. */
static long long sf_listen_sa(long long *cell, int type, const void *sa, sf_socklen_t len, int family, int backlog,
                              int opts)
{
    long long fd, r;
    int step = SF_STEP_SOCKET, err;
    fd = sf_socket_cell(cell, family, type, IPPROTO_TCP);
    if (fd < 0) return -(((long long)SF_STEP_SOCKET << SF_STEP_SHIFT) | -fd);
    err = sf_apply_options((sf_fd_t)fd, opts, &step);
    if (!err) {
        step = SF_STEP_BIND;
        err = sf_bind_sa((sf_fd_t)fd, sa, len, family);
    }
    if (!err) {
        step = SF_STEP_LISTEN;
        err = sf_listen((sf_fd_t)fd, backlog);
    }
    if (err) return sf_listen_failed(cell, step, err);
    r = sf_name_into((sf_fd_t)fd, NULL, NULL, 0);
    if (r < 0) return sf_listen_failed(cell, SF_STEP_GETSOCKNAME, r);
    return r;
}

/* Zig's sequence on a unix socket path in the cell (socket, bind, listen,
   getsockname into `out`, as sf_getsockname): the cell owns the file from the
   bind on. Returns sf_getsockname's value, or the failed step's code with the
   cell closed (and the file it made removed). */
long long sf_listen_un(long long *cell, int type, const char *path, size_t len, int backlog, char *out)
{
    long long fd, r;
    int err;
    if (backlog < 0) return SF_REJECT(SF_REJECT_BACKLOG);
    if (len > (size_t)SF_SUN_PATH_MAX) return SF_REJECT(SF_REJECT_PATH);
    fd = sf_socket_cell(cell, AF_UNIX, type, 0);
    if (fd < 0) return -(((long long)SF_STEP_SOCKET << SF_STEP_SHIFT) | -fd);
    err = sf_bind_un_cell(cell, path, len);
    if (err) return sf_listen_failed(cell, SF_STEP_BIND, err);
    err = sf_listen((sf_fd_t)fd, backlog);
    if (err) return sf_listen_failed(cell, SF_STEP_LISTEN, err);
    r = sf_name_into((sf_fd_t)fd, out, NULL, 0);
    if (r < 0) return sf_listen_failed(cell, SF_STEP_GETSOCKNAME, r);
    return r;
}

/* The fd and port in one value when the bound address is the one asked for
   (the caller already has its text); else the fd and SF_LISTEN4_DIFFERS. */
long long sf_listen_in4(long long *cell, int type, unsigned int addr_be, int port, int backlog, int opts)
{
    struct sockaddr_in sin;
    long long r, fd;
    if (backlog < 0) return SF_REJECT(SF_REJECT_BACKLOG);
    if (port < 0 || port > 0xFFFF) return SF_REJECT(SF_REJECT_PORT);
    r = sf_listen_sa(cell, type, &sin, sf_sin4(&sin, addr_be, port), AF_INET, backlog, opts);
    if (r < 0) return r;
    fd = cell[0] - 1;
    if (r < SF_GSN_IN6 && (unsigned int)(r >> 16) == ntohl(addr_be))
        return (fd << SF_LISTEN4_FD_SHIFT) | (r & 0xFFFF);
    return (fd << SF_LISTEN4_FD_SHIFT) | SF_LISTEN4_DIFFERS;
}

/* Returns sf_getsockname's packed value; the fd is in the cell. */
long long sf_listen_in6(long long *cell, int type, const char *addr16, int port, unsigned int flowinfo,
                        unsigned int scope_id, int backlog, int opts)
{
    struct sockaddr_in6 sin6;
    if (backlog < 0) return SF_REJECT(SF_REJECT_BACKLOG);
    if (port < 0 || port > 0xFFFF || flowinfo > 0xFFFFF) return SF_REJECT(SF_REJECT_PORT);
    return sf_listen_sa(cell, type, &sin6, sf_sin6(&sin6, addr16, port, flowinfo, scope_id), AF_INET6, backlog,
                        opts);
}

/* ------------------------------------------------------------------ accept */

/* The accepted socket's flags, exactly as asked: close-on-exec when asked
   (Zig's setSockFlags), and blocking unless SOCK_NONBLOCK was asked, also
   where the new socket would take the listener's mode (BSD, Windows). 0 or
   the code. */
#ifndef _WIN32
static int sf_set_accepted_flags(int fd, int cloexec, int nonblock)
{
    int fl, want;
    if (cloexec) {
        while ((fl = fcntl(fd, F_GETFD, 0)) == -1)
            if (errno != EINTR) return errno;
        while (fcntl(fd, F_SETFD, fl | FD_CLOEXEC) == -1)
            if (errno != EINTR) return errno;
    }
    while ((fl = fcntl(fd, F_GETFL, 0)) == -1)
        if (errno != EINTR) return errno;
    want = nonblock ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
    if (want != fl)
        while (fcntl(fd, F_SETFL, want) == -1)
            if (errno != EINTR) return errno;
    return 0;
}
#endif

#if !defined(_WIN32) && SF_NATIVE_SOCK_FLAGS \
    && (defined(__linux__) || defined(__FreeBSD__) || defined(__NetBSD__) || defined(__OpenBSD__) \
        || defined(__DragonFly__) || defined(__sun))
#  define SF_HAS_ACCEPT4 1
#else
#  define SF_HAS_ACCEPT4 0
#endif

/* accept(2) into the cell with plain accept and the flags set after, as Zig
   does where accept4 is missing (macOS, Windows); compiled on every POSIX
   platform so Linux tests can run it. The peer's address as sf_getsockname
   gives it (a family it does not pack: into sf_shared_name, claimed). */
long long sf_accept_emulated(long long *cell, sf_fd_t fd, int flags)
{
    struct sockaddr_storage ss;
    sf_socklen_t len = (sf_socklen_t)sizeof ss;
    int err;
    SF_CHECK_FD(fd);
    ss.ss_family = AF_UNSPEC;
#ifdef _WIN32
    {
        SOCKET c = accept(SF_SOCK(fd), (struct sockaddr *)&ss, &len);
        u_long nb = (flags & SOCK_NONBLOCK) ? 1 : 0;
        if (c == INVALID_SOCKET) return sf_fail(0);
        SF_XCHG64(&cell[0], (long long)c + 1);
        if (ioctlsocket(c, SF_FIONBIO, &nb) == SOCKET_ERROR) {
            err = WSAGetLastError();
            sf_cell_close(cell);
            return -(long long)((err & SF_CODE_MASK) | SF_AUX);
        }
        if (flags & SOCK_CLOEXEC) SetHandleInformation((HANDLE)c, HANDLE_FLAG_INHERIT, 0);
    }
#else
    {
        int c = accept(SF_SOCK(fd), (struct sockaddr *)&ss, &len);
        if (c == -1) return sf_fail(0);
        SF_XCHG64(&cell[0], (long long)c + 1);
        err = sf_set_accepted_flags(c, flags & SOCK_CLOEXEC, flags & SOCK_NONBLOCK);
        if (err) {
            sf_cell_close(cell); /* Zig: errdefer close */
            return -(long long)((err & SF_CODE_MASK) | SF_AUX);
        }
    }
#endif
    return sf_name_result(&ss, len, sf_shared_name, &sf_shared_claim);
}

/* Zig's posix.accept (accept4 with SOCK_CLOEXEC[|SOCK_NONBLOCK]) into the
   cell: the socket is the cell's from inside this call. */
long long sf_accept(long long *cell, sf_fd_t fd, int flags)
{
#if SF_HAS_ACCEPT4
    struct sockaddr_storage ss;
    sf_socklen_t len = (sf_socklen_t)sizeof ss;
    int c;
    SF_CHECK_FD(fd);
    ss.ss_family = AF_UNSPEC;
    c = accept4(fd, (struct sockaddr *)&ss, &len, flags & (SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (c == -1) return sf_fail(0);
    SF_XCHG64(&cell[0], (long long)c + 1);
    return sf_name_result(&ss, len, sf_shared_name, &sf_shared_claim);
#else
    return sf_accept_emulated(cell, fd, flags);
#endif
}

/* ------------------------------------------------------------------ connect */

/* connect(2); a failure whose meaning depends on the socket's family carries
   SF_OTHER_FAMILY when the address is of another family than the socket (its
   bound state is never asked: that is bind's question). */
static int sf_connect_sa(sf_fd_t fd, const void *sa, sf_socklen_t len, int family)
{
    int err;
    SF_CHECK_FD(fd);
    if (!SF_FAILED(connect(SF_SOCK(fd), (const struct sockaddr *)sa, len))) return 0;
    err = SF_LAST_ERROR();
    return -((err & SF_CODE_MASK) | (SF_CLASSIFY_ADDRESS(err) ? sf_address_state(fd, family) & SF_OTHER_FAMILY : 0));
}

int sf_connect_in4(sf_fd_t fd, unsigned int addr_be, int port)
{
    struct sockaddr_in sin;
    return sf_connect_sa(fd, &sin, sf_sin4(&sin, addr_be, port), AF_INET);
}

int sf_connect_in6(sf_fd_t fd, const char *addr16, int port, unsigned int flowinfo, unsigned int scope_id)
{
    struct sockaddr_in6 sin6;
    return sf_connect_sa(fd, &sin6, sf_sin6(&sin6, addr16, port, flowinfo, scope_id), AF_INET6);
}

int sf_connect_un(sf_fd_t fd, const char *path, size_t len)
{
    struct sockaddr_un sun;
    sf_socklen_t n = sf_sun(&sun, path, len);
    if (n == 0) return SF_REJECT(SF_REJECT_PATH);
    return sf_connect_sa(fd, &sun, n, AF_UNIX);
}

/* Whether a failed connect's socket is still worth keeping: the call was
   interrupted (the caller runs its signal handlers and connects again, as Zig
   retries), or the connection goes on without it (a non-blocking connect). */
static int sf_connect_goes_on(int err)
{
#ifdef _WIN32
    return err == WSAEWOULDBLOCK;
#else
    return err == EINTR || err == EINPROGRESS;
#endif
}

/* Zig's tcpConnectToAddress (connectUnixSocket for AF_UNIX) into the cell:
   socket, connect. The fd once connected; else -(code | step << SF_STEP_SHIFT),
   with the cell closed, or still holding the socket (SF_STILL_OPEN) when the
   connect goes on (sf_connect_goes_on). */
static long long sf_connect_cell(long long *cell, int family, int type, int protocol, const void *sa,
                                 sf_socklen_t len)
{
    long long fd = sf_socket_cell(cell, family, type, protocol);
    int err;
    if (fd < 0) return -(((long long)SF_STEP_SOCKET << SF_STEP_SHIFT) | -fd);
    err = sf_connect_sa((sf_fd_t)fd, sa, len, family);
    if (err == 0) return fd;
    if (sf_connect_goes_on(-err & SF_CODE_MASK))
        return -(((long long)SF_STEP_CONNECT << SF_STEP_SHIFT) | -err | SF_STILL_OPEN);
    sf_cell_close(cell);
    return -(((long long)SF_STEP_CONNECT << SF_STEP_SHIFT) | -err);
}

long long sf_connect_tcp4(long long *cell, int type, unsigned int addr_be, int port)
{
    struct sockaddr_in sin;
    if (port < 0 || port > 0xFFFF) return SF_REJECT(SF_REJECT_PORT);
    return sf_connect_cell(cell, AF_INET, type, IPPROTO_TCP, &sin, sf_sin4(&sin, addr_be, port));
}

long long sf_connect_tcp6(long long *cell, int type, const char *addr16, int port, unsigned int flowinfo,
                          unsigned int scope_id)
{
    struct sockaddr_in6 sin6;
    if (port < 0 || port > 0xFFFF || flowinfo > 0xFFFFF) return SF_REJECT(SF_REJECT_PORT);
    return sf_connect_cell(cell, AF_INET6, type, IPPROTO_TCP, &sin6,
                           sf_sin6(&sin6, addr16, port, flowinfo, scope_id));
}

long long sf_connect_unix(long long *cell, int type, const char *path, size_t len)
{
    struct sockaddr_un sun;
    sf_socklen_t n = sf_sun(&sun, path, len);
    if (n == 0) return SF_REJECT(SF_REJECT_PATH);
    return sf_connect_cell(cell, AF_UNIX, type, 0, &sun, n);
}

/* Wait up to timeout_ms for a connect in progress to finish (writable, or
   failed): 1 when it has, 0 when the time ran out, or -(code) (EINTR too:
   the caller runs its signal handlers and waits for what is left). */
int sf_wait_connect(sf_fd_t fd, int timeout_ms)
{
    SF_CHECK_FD(fd);
#ifdef _WIN32
    {
        fd_set w, e;
        struct timeval tv;
        int rc;
        FD_ZERO(&w);
        FD_ZERO(&e);
        FD_SET(SF_SOCK(fd), &w);
        FD_SET(SF_SOCK(fd), &e); /* a failed connect is an exception on Windows */
        tv.tv_sec = timeout_ms / 1000;
        tv.tv_usec = (timeout_ms % 1000) * 1000;
        rc = select(0, NULL, &w, &e, &tv);
        return rc == SOCKET_ERROR ? sf_fail(0) : (rc > 0);
    }
#else
    {
        struct pollfd p;
        int rc;
        p.fd = fd;
        p.events = POLLOUT;
        p.revents = 0;
        rc = poll(&p, 1, timeout_ms);
        return rc == -1 ? sf_fail(0) : (rc > 0);
    }
#endif
}

/* The socket's O_NONBLOCK (FIONBIO on Windows), set or cleared: 0 or -(code). */
int sf_set_nonblocking(sf_fd_t fd, int on)
{
    SF_CHECK_FD(fd);
#ifdef _WIN32
    {
        u_long v = on ? 1 : 0;
        return ioctlsocket(SF_SOCK(fd), SF_FIONBIO, &v) == SOCKET_ERROR ? sf_fail(0) : 0;
    }
#else
    {
        int fl, want;
        while ((fl = fcntl(fd, F_GETFL, 0)) == -1)
            if (errno != EINTR) return sf_fail(0);
        want = on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
        if (want != fl)
            while (fcntl(fd, F_SETFL, want) == -1)
                if (errno != EINTR) return sf_fail(0);
        return 0;
    }
#endif
}

/* ------------------------------------------------------------------ getsockopt, shutdown */

/* An int option: its value as an unsigned 32-bit number (the caller gives it
   its sign back), or -(code). */
long long sf_getsockopt_int(sf_fd_t fd, int level, int option)
{
    int value = 0;
    sf_socklen_t len = (sf_socklen_t)sizeof value;
    SF_CHECK_FD(fd);
    if (SF_FAILED(getsockopt(SF_SOCK(fd), level, option, (char *)&value, &len))) return sf_fail(0);
    return (long long)(unsigned int)value;
}

/* Up to cap bytes of an option into out: the length the OS gave, or -(code). */
int sf_getsockopt(sf_fd_t fd, int level, int option, char *out, int cap)
{
    sf_socklen_t len = (sf_socklen_t)cap;
    SF_CHECK_FD(fd);
    if (cap < 0) return SF_REJECT(SF_REJECT_FD);
    memset(out, 0, (size_t)cap);
    if (SF_FAILED(getsockopt(SF_SOCK(fd), level, option, out, &len))) return sf_fail(0);
    return (int)len;
}

/* Zig's getsockoptError: SO_ERROR, which reading clears. 0 when it is 0, the
   stored code when not, or -(code) when getsockopt itself failed. */
long long sf_getsockopt_error(sf_fd_t fd)
{
    int value = 0;
    sf_socklen_t len = (sf_socklen_t)sizeof value;
    SF_CHECK_FD(fd);
    if (SF_FAILED(getsockopt(SF_SOCK(fd), SOL_SOCKET, SO_ERROR, (char *)&value, &len))) return sf_fail(0);
    return (long long)((unsigned int)value & SF_CODE_MASK);
}

int sf_shutdown(sf_fd_t fd, int how)
{
    SF_CHECK_FD(fd);
    return SF_FAILED(shutdown(SF_SOCK(fd), how)) ? sf_fail(0) : 0;
}

/* ------------------------------------------------------------------ text, names */

long long sf_pton4(const char *host)
{
    struct in_addr a;
#ifdef _WIN32
    sf_wsa_init();
#endif
    return inet_pton(AF_INET, host, &a) == 1 ? (long long)a.s_addr : -1;
}

int sf_pton6(const char *host, char *addr16)
{
#ifdef _WIN32
    sf_wsa_init();
#endif
    return inet_pton(AF_INET6, host, addr16) == 1 ? 0 : -1;
}

/* The text CPython's getsockname gives (inet_ntop; the scope is a separate field). */
int sf_ntop6(const char *addr16, char *out, int cap)
{
#ifdef _WIN32
    sf_wsa_init();
    return inet_ntop(AF_INET6, (void *)addr16, out, (size_t)cap) ? (int)strlen(out) : -1;
#else
    return inet_ntop(AF_INET6, addr16, out, (socklen_t)cap) ? (int)strlen(out) : -1;
#endif
}

int sf_in6_text(int id, char *out, int cap, unsigned int *scope_id)
{
    if (!sf_in6_published(id)) return -1;
    *scope_id = sf_in6_table[id].scope;
    return sf_ntop6((const char *)sf_in6_table[id].addr, out, cap);
}

unsigned int sf_if_nametoindex(const char *name)
{
    return if_nametoindex(name);
}

int sf_if_indextoname(unsigned int index, char *out, int cap)
{
    char name[IF_NAMESIZE + 1];
    size_t n;
    memset(name, 0, sizeof name);
    if (!if_indextoname(index, name)) return -1;
    n = strlen(name);
    if (n >= (size_t)cap) return -1;
    memcpy(out, name, n + 1);
    return (int)n;
}

/* ------------------------------------------------------------------ describing a dropped socket */

/* An address as people write it (errors.describe_address): 127.0.0.1:8080,
   [::1]:8080, /run/app.sock, @abstract. */
static void sf_address_text(const struct sockaddr_storage *ss, sf_socklen_t len, char *out, size_t cap)
{
    char host[64];
    if (ss->ss_family == AF_INET && len >= (sf_socklen_t)sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
        if (!inet_ntop(AF_INET, (void *)&sin->sin_addr, host, sizeof host)) host[0] = '\0';
        snprintf(out, cap, "%s:%u", host, (unsigned)ntohs(sin->sin_port));
    } else if (ss->ss_family == AF_INET6 && len >= (sf_socklen_t)sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
        if (!inet_ntop(AF_INET6, (void *)&sin6->sin6_addr, host, sizeof host)) host[0] = '\0';
        snprintf(out, cap, "[%s]:%u", host, (unsigned)ntohs(sin6->sin6_port));
    } else if (ss->ss_family == AF_UNIX && len > (sf_socklen_t)SF_SUN_PATH_OFFSET) {
        const char *path = (const char *)ss + SF_SUN_PATH_OFFSET;
        int n = (int)((size_t)len - (size_t)SF_SUN_PATH_OFFSET);
        const char *end = (const char *)memchr(path, '\0', (size_t)n);
        if (path[0] == '\0')
            snprintf(out, cap, "@%.*s", n - 1, path + 1);
        else
            snprintf(out, cap, "%.*s", end ? (int)(end - path) : n, path);
    } else {
        snprintf(out, cap, "(family %d)", (int)ss->ss_family);
    }
}

/* What a socket is, as its owner's repr says it: sockffi.Server (listening)
   with its address, sockffi.Connection with its peer's, or a plain socket. */
static void sf_describe(sf_fd_t fd, char *out, size_t cap)
{
    struct sockaddr_storage ss;
    sf_socklen_t len = (sf_socklen_t)sizeof ss;
    char where[200];
    int listening = 0;
    sf_socklen_t optlen = (sf_socklen_t)sizeof listening;
    memset(&ss, 0, sizeof ss);
    if (!SF_FAILED(getsockopt(SF_SOCK(fd), SOL_SOCKET, SO_ACCEPTCONN, (char *)&listening, &optlen)) && listening
        && !SF_FAILED(getsockname(SF_SOCK(fd), (struct sockaddr *)&ss, &len))) {
        sf_address_text(&ss, len, where, sizeof where);
        snprintf(out, cap, "sockffi.Server fd=%lld address=%s", (long long)fd, where);
        return;
    }
    len = (sf_socklen_t)sizeof ss;
    if (!SF_FAILED(getpeername(SF_SOCK(fd), (struct sockaddr *)&ss, &len))) {
        sf_address_text(&ss, len, where, sizeof where);
        snprintf(out, cap, "sockffi.Connection fd=%lld address=%s", (long long)fd, where);
        return;
    }
    snprintf(out, cap, "sockffi socket fd=%lld", (long long)fd);
}
