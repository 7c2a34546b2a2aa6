/* sockffi's native half, shared by every file of it: the platform, the
   result layouts, the atomics, and the one rule for which socket a call acts
   on. csrc/sockffi.c includes the files in order, as one translation unit.

   A function marked SF_API is one that Python calls: build_ffi.py reads its
   prototype from its definition (the cdef never repeats it), and the typing
   stub is generated from those. Every result >= 0 is success (an fd, a packed
   address, a length, or 0); a result < 0 is -(code | flags | step <<
   SF_STEP_SHIFT), where code is errno on POSIX or WSAGetLastError() on
   Windows, read in C right after the call. */

#ifndef SOCKFFI_H
#define SOCKFFI_H

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

/* (SF_HAS_X and SF_X for the constants some platforms lack, such as
   SO_REUSEPORT, come from build_ffi.py, generated from _catalogue.OPTIONAL.) */
#define SF_SUN_PATH_MAX ((int)sizeof(((struct sockaddr_un *)0)->sun_path))
#define SF_SUN_PATH_OFFSET ((int)offsetof(struct sockaddr_un, sun_path))
#define SF_ADDR_CAP ((int)sizeof(struct sockaddr_storage))
#define SF_FROM_LONGS (1 + SF_ADDR_CAP / 8)

#define SF_API

/* Atomics: the cells, the IPv6 intern table and the shared name buffer are
   shared by every thread (cffi releases the GIL around each call) and must
   survive fork at any moment, so they are lock-free rather than mutex-guarded. */
#if defined(_MSC_VER)
#  include <intrin.h>
typedef volatile long sf_atomic;
#  define SF_LOAD(p) InterlockedOr((p), 0)
#  define SF_CAS(p, expected, desired) (InterlockedCompareExchange((p), (desired), (expected)) == (expected))
#  define SF_FETCH_ADD(p, v) InterlockedExchangeAdd((p), (v))
#  define SF_XCHG64(p, v) InterlockedExchange64((volatile long long *)(p), (v))
#  define SF_LOAD64(p) InterlockedOr64((volatile long long *)(p), 0)
#  define SF_ADD64(p, v) InterlockedExchangeAdd64((volatile long long *)(p), (v))
#else
typedef int sf_atomic;
#  define SF_LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#  define SF_CAS(p, expected, desired) sf_cas((p), (expected), (desired))
#  define SF_FETCH_ADD(p, v) __atomic_fetch_add((p), (v), __ATOMIC_ACQ_REL)
#  define SF_XCHG64(p, v) __atomic_exchange_n((p), (v), __ATOMIC_ACQ_REL)
#  define SF_LOAD64(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#  define SF_ADD64(p, v) __atomic_fetch_add((p), (v), __ATOMIC_ACQ_REL)
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
#define SF_REJECT_CLOSED 5
#define SF_REJECT_ADDRESS 6
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
#define SF_GSN_PATH_ID (1LL << 57) /* with SF_GSN_OTHER: an interned AF_UNIX path, its id << SF_PATH_ID_SHIFT */
#define SF_PATH_ID_SHIFT 16
#define SF_IN6_ID_SHIFT 36
#define SF_LISTEN4_FD_SHIFT 17
#define SF_LISTEN4_DIFFERS (1LL << 16)

#define SF_REJECT(what) (-(SF_REJECTED | (what)))

static int sf_fail(int flags)
{
    return -((SF_LAST_ERROR() & SF_CODE_MASK) | flags);
}

/* ------------------------------------------------------------------ which socket */

/* A cell is three long longs: cell[0] holds fd + 1 (0 = empty), cell[1] the
   unix socket file that goes with the socket (cells.c), cell[2] the cell's
   generation: how many sockets it has held. A Server or Connection keeps the
   generation its socket came with, and every call it is given passes (cell,
   generation): the fd is read from the cell inside the call, and a cell that
   was emptied, or refilled for another owner (cells are pooled), is refused,
   so no call ever reaches a socket after it left its owner. A call given a
   plain fd passes (NULL, fd). */
#ifdef _WIN32
#  define SF_FD_MAX 0x7FFFFFFFFFFFFFFFLL
#else
#  define SF_FD_MAX 0x7FFFFFFFLL
#endif

/* The fd a call acts on, or the call's whole (negative) result. */
static long long sf_sock(long long *cell, long long ref)
{
    long long v;
    if (cell == NULL) return (ref < 0 || ref > SF_FD_MAX) ? SF_REJECT(SF_REJECT_FD) : ref;
    v = SF_LOAD64(&cell[0]); /* acquire: a refill's new generation is seen with its fd */
    if (v <= 0 || SF_LOAD64(&cell[2]) != ref) return SF_REJECT(SF_REJECT_CLOSED);
    return v - 1;
}

/* Declares `name`, the fd (cell, ref) names, or returns the refusal. */
#define SF_RESOLVE(name, cell, ref)                   \
    sf_fd_t name;                                     \
    do {                                              \
        long long sf_r_ = sf_sock((cell), (ref));     \
        if (sf_r_ < 0) return (int)sf_r_;             \
        name = (sf_fd_t)sf_r_;                        \
    } while (0)

/* A new socket in an empty cell: a new generation, then the fd (release), so
   a call of the cell's earlier owner never sees the new fd with its old
   generation. */
static void sf_cell_take(long long *cell, long long fd)
{
    SF_ADD64(&cell[2], 1);
    SF_XCHG64(&cell[0], fd + 1);
}

/* ------------------------------------------------------------------ addresses */

/* Every address crosses as (family, a4, data, len, port, flowinfo, scope_id):
   AF_INET uses a4 (network order) and port; AF_INET6 data (16 bytes), port,
   flowinfo and scope_id; AF_UNIX data and len (the path, exact length: a
   leading NUL is Linux's abstract namespace). */
union sf_sockaddr {
    struct sockaddr sa;
    struct sockaddr_in in4;
    struct sockaddr_in6 in6;
    struct sockaddr_un un;
    struct sockaddr_storage ss;
};

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

/* The sockaddr for an address as it crosses: its length, or a refusal (< 0). */
static int sf_sockaddr(union sf_sockaddr *sa, int family, unsigned int a4, const char *data, size_t len, int port,
                       unsigned int flowinfo, unsigned int scope_id)
{
    if (family == AF_INET) {
        if (port < 0 || port > 0xFFFF) return SF_REJECT(SF_REJECT_PORT);
        return (int)sf_sin4(&sa->in4, a4, port);
    }
    if (family == AF_INET6) {
        if (port < 0 || port > 0xFFFF || flowinfo > 0xFFFFF) return SF_REJECT(SF_REJECT_PORT);
        if (data == NULL || len != 16) return SF_REJECT(SF_REJECT_ADDRESS);
        return (int)sf_sin6(&sa->in6, data, port, flowinfo, scope_id);
    }
    if (family == AF_UNIX) {
        sf_socklen_t n = data == NULL ? 0 : sf_sun(&sa->un, data, len);
        return n == 0 ? SF_REJECT(SF_REJECT_PATH) : (int)n;
    }
    return SF_REJECT(SF_REJECT_ADDRESS);
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

#endif /* SOCKFFI_H */
