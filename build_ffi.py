"""cffi builder for sockffi._sockffi (out-of-line API mode, compiled at install).

Every struct layout and constant comes from the platform's headers: the cdef only
says `...` and the C compiler fills the values in.

The C helpers below are the whole native surface. Each one makes at most one
socket syscall and returns its outcome packed into one integer:
    >= 0   success (an fd, a packed address, or 0)
    <  0   -(OS code): errno on POSIX, WSAGetLastError() on Windows
The code is read inside C, right after the call, so neither the GIL release
around the call nor another thread can clobber it, and no out-buffer has to
be allocated from Python on the hot paths.
"""

import sys

from cffi import FFI

# Shared by both platforms: the helper signatures are identical, so the Python
# backends in sockffi/_sys/ can be identical too.
CDEF_COMMON = r"""
#define AF_INET ...
#define AF_INET6 ...
#define AF_UNIX ...
#define AF_UNSPEC ...
#define SOCK_STREAM ...
#define SOCK_DGRAM ...
#define SOCK_RAW ...
#define SOCK_SEQPACKET ...
#define SOCK_CLOEXEC ...
#define SOCK_NONBLOCK ...
#define IPPROTO_IP ...
#define IPPROTO_IPV6 ...
#define IPPROTO_TCP ...
#define IPPROTO_UDP ...
#define IPV6_V6ONLY ...
#define SOL_SOCKET ...
#define SO_REUSEADDR ...
#define SO_KEEPALIVE ...
#define SO_RCVBUF ...
#define SO_SNDBUF ...
#define SO_RCVTIMEO ...
#define SO_SNDTIMEO ...
#define SO_TYPE ...
#define TCP_NODELAY ...
#define SOMAXCONN ...

/* 0 where the platform has no such option; the Python layer hides the name. */
static const int SOCKFFI_SO_REUSEPORT;
static const int SOCKFFI_HAS_SO_REUSEPORT;
/* 1 where socket() takes SOCK_CLOEXEC/SOCK_NONBLOCK itself (Linux, BSDs),
   0 where sockffi emulates them after the call (macOS, Windows). */
static const int SOCKFFI_SUN_PATH_MAX;     /* sizeof(sockaddr_un.sun_path) */
static const int SOCKFFI_AUX_FAILED;       /* or-ed into a code that came from fcntl/ioctlsocket */
static const int SOCKFFI_STARTUP_FAILED;   /* or-ed into a code that came from WSAStartup */
static const long long SOCKFFI_OTHER_FAMILY;
static const int SOCKFFI_NEGATIVE_FD;      /* rejected in C, before any syscall */
static const int SOCKFFI_NEGATIVE_BACKLOG;

typedef int... sf_fd_t;   /* int on POSIX, a SOCKET-sized signed int on Windows */

long long sf_socket(int domain, int type, int protocol);
long long sf_listen_tcp_in4(int type, unsigned int addr_be, int port, int backlog, int reuse_addr, int reuse_port);
int sf_bind_in4(sf_fd_t fd, unsigned int addr_be, int port);
int sf_bind_in6(sf_fd_t fd, const char *addr16, int port, unsigned int flowinfo, unsigned int scope_id);
int sf_bind_un(sf_fd_t fd, const char *path, size_t len);
int sf_listen(sf_fd_t fd, int backlog);
int sf_setsockopt_int(sf_fd_t fd, int level, int option, int value);
int sf_setsockopt(sf_fd_t fd, int level, int option, const char *value, size_t len);
long long sf_getsockname(sf_fd_t fd);
int sf_last_family(void);
int sf_last_in6(char *host, unsigned int *port_flow_scope);
int sf_last_raw(char *out, int cap);
int sf_close(sf_fd_t fd);
long long sf_pton4(const char *host);
int sf_pton6(const char *host, char *addr16);
unsigned int sf_if_nametoindex(const char *name);
"""

CDEF_POSIX = r"""
/* The fcntl-based emulation Zig uses on macOS, compiled on every POSIX
   platform so Linux tests can exercise it. */
long long sf_socket_emulated(int domain, int type, int protocol);
"""

SOURCE_COMMON = r"""
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SOCKFFI_AUX_FAILED 0x100000
#define SOCKFFI_STARTUP_FAILED 0x200000
#define SOCKFFI_OTHER_FAMILY (1LL << 56)
/* Argument rejections, made before any syscall; above every OS code and flag. */
#define SOCKFFI_NEGATIVE_FD 0x400001
#define SOCKFFI_NEGATIVE_BACKLOG 0x400002
#define SF_CHECK_FD(fd) do { if ((fd) < 0) return SOCKFFI_NEGATIVE_FD; } while (0)
/* port/flowinfo/scope are range-checked in Python; these casts only narrow. */
"""

SOURCE_POSIX = (
    r"""
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#include <fcntl.h>
#include <unistd.h>
"""
    + SOURCE_COMMON
    + r"""
typedef int sf_fd_t;

#if defined(SOCK_CLOEXEC) && defined(SOCK_NONBLOCK)
#  define SOCKFFI_NATIVE_SOCK_FLAGS 1
#else
/* macOS: not ABI, only requests for the emulation (Zig's values). */
#  define SOCKFFI_NATIVE_SOCK_FLAGS 0
#  define SOCK_CLOEXEC (1 << 15)
#  define SOCK_NONBLOCK (1 << 16)
#endif

#ifdef SO_REUSEPORT
#  define SOCKFFI_SO_REUSEPORT SO_REUSEPORT
#  define SOCKFFI_HAS_SO_REUSEPORT 1
#else
#  define SOCKFFI_SO_REUSEPORT 0
#  define SOCKFFI_HAS_SO_REUSEPORT 0
#endif

#define SOCKFFI_SUN_PATH_MAX ((int)sizeof(((struct sockaddr_un *)0)->sun_path))

/* One address per thread for the families that do not fit the packed int:
   written by sf_getsockname, read back by sf_last_* in the same thread. */
static __thread struct sockaddr_storage sf_tls_ss;
static __thread socklen_t sf_tls_len;

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

long long sf_socket_emulated(int domain, int type, int protocol)
{
    int cloexec = type & SOCK_CLOEXEC, nonblock = type & SOCK_NONBLOCK;
    int fd = socket(domain, type & ~(SOCK_CLOEXEC | SOCK_NONBLOCK), protocol);
    int err;
    if (fd == -1) return -(long long)errno;
    err = sf_set_fd_flags(fd, cloexec, nonblock);
    if (err) {
        close(fd);  /* Zig: errdefer close(fd) */
        return -(long long)(err | SOCKFFI_AUX_FAILED);
    }
    return fd;
}

long long sf_socket(int domain, int type, int protocol)
{
#if SOCKFFI_NATIVE_SOCK_FLAGS
    int fd = socket(domain, type, protocol);
    return fd == -1 ? -(long long)errno : fd;
#else
    return sf_socket_emulated(domain, type, protocol);
#endif
}

static int sf_bind_sa(sf_fd_t fd, const void *sa, socklen_t len)
{
    SF_CHECK_FD(fd);
    return bind((int)fd, (const struct sockaddr *)sa, len) == -1 ? errno : 0;
}

int sf_bind_in4(sf_fd_t fd, unsigned int addr_be, int port)
{
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
#ifdef __APPLE__
    sin.sin_len = sizeof sin;
#endif
    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t)port);
    sin.sin_addr.s_addr = addr_be;
    return sf_bind_sa(fd, &sin, sizeof sin);
}

int sf_bind_in6(sf_fd_t fd, const char *addr16, int port, unsigned int flowinfo, unsigned int scope_id)
{
    struct sockaddr_in6 sin6;
    memset(&sin6, 0, sizeof sin6);
#ifdef __APPLE__
    sin6.sin6_len = sizeof sin6;
#endif
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons((uint16_t)port);
    sin6.sin6_flowinfo = htonl(flowinfo);
    sin6.sin6_scope_id = scope_id;
    memcpy(&sin6.sin6_addr, addr16, 16);
    return sf_bind_sa(fd, &sin6, sizeof sin6);
}

/* Exact length, as CPython does: a regular path keeps its NUL, an abstract
   name (leading NUL, Linux) is exactly its bytes, and "" asks Linux to autobind.
   The length limit is checked in Python, before this call. */
int sf_bind_un(sf_fd_t fd, const char *path, size_t len)
{
    struct sockaddr_un sun;
    size_t n = len;
    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    memcpy(sun.sun_path, path, len);
    if (len > 0 && path[0] != '\0') n += 1;
#ifdef __APPLE__
    sun.sun_len = (unsigned char)(offsetof(struct sockaddr_un, sun_path) + n);
#endif
    return sf_bind_sa(fd, &sun, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n));
}

int sf_listen(sf_fd_t fd, int backlog)
{
    SF_CHECK_FD(fd);
    if (backlog < 0) return SOCKFFI_NEGATIVE_BACKLOG;
    return listen((int)fd, backlog) == -1 ? errno : 0;
}

int sf_setsockopt_int(sf_fd_t fd, int level, int option, int value)
{
    SF_CHECK_FD(fd);
    return setsockopt((int)fd, level, option, &value, sizeof value) == -1 ? errno : 0;
}

int sf_setsockopt(sf_fd_t fd, int level, int option, const char *value, size_t len)
{
    SF_CHECK_FD(fd);
    return setsockopt((int)fd, level, option, value, (socklen_t)len) == -1 ? errno : 0;
}

/* AF_INET: (addr_host_order << 16) | port. Any other family:
   SOCKFFI_OTHER_FAMILY | length, the address kept for sf_last_*. */
long long sf_getsockname(sf_fd_t fd)
{
    struct sockaddr_in *sin = (struct sockaddr_in *)&sf_tls_ss;
    if (fd < 0) return -(long long)SOCKFFI_NEGATIVE_FD;
    sf_tls_len = sizeof sf_tls_ss;
    memset(&sf_tls_ss, 0, sizeof sf_tls_ss);
    if (getsockname((int)fd, (struct sockaddr *)&sf_tls_ss, &sf_tls_len) == -1)
        return -(long long)errno;
    if (sf_tls_ss.ss_family == AF_INET && sf_tls_len >= sizeof *sin)
        return ((long long)ntohl(sin->sin_addr.s_addr) << 16) | ntohs(sin->sin_port);
    return SOCKFFI_OTHER_FAMILY | (long long)sf_tls_len;
}

int sf_last_family(void)
{
    return sf_tls_ss.ss_family;
}

/* The host as CPython's makeipaddr() writes it (getnameinfo NI_NUMERICHOST,
   which adds "%scope" to link-local addresses). */
int sf_last_in6(char *host, unsigned int *pfs)
{
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&sf_tls_ss;
    int rc = getnameinfo((struct sockaddr *)sin6, sizeof *sin6, host, NI_MAXHOST, NULL, 0, NI_NUMERICHOST);
    pfs[0] = ntohs(sin6->sin6_port);
    pfs[1] = ntohl(sin6->sin6_flowinfo);
    pfs[2] = sin6->sin6_scope_id;
    return rc;
}

/* The raw sockaddr bytes (for AF_UNIX and unknown families). */
int sf_last_raw(char *out, int cap)
{
    int n = (int)sf_tls_len < cap ? (int)sf_tls_len : cap;
    memcpy(out, &sf_tls_ss, (size_t)n);
    return n;
}

int sf_close(sf_fd_t fd)
{
    SF_CHECK_FD(fd);
    return close((int)fd) == -1 ? errno : 0;
}

/* -1 if host is not a dotted-quad IPv4 literal, else the address (network order). */
long long sf_pton4(const char *host)
{
    struct in_addr a;
    return inet_pton(AF_INET, host, &a) == 1 ? (long long)a.s_addr : -1;
}

int sf_pton6(const char *host, char *addr16)
{
    return inet_pton(AF_INET6, host, addr16) == 1 ? 0 : -1;
}

unsigned int sf_if_nametoindex(const char *name)
{
    return if_nametoindex(name);
}
"""
)

SOURCE_WINDOWS = (
    r"""
#ifndef _WIN32_WINNT
#  define _WIN32_WINNT 0x0600   /* Vista: inet_pton, InitOnceExecuteOnce, if_nametoindex */
#endif
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <iphlpapi.h>
#include <netioapi.h>
"""
    + SOURCE_COMMON
    + r"""
typedef long long sf_fd_t;
#define SOCKFFI_NATIVE_SOCK_FLAGS 0
/* Zig's fake request bits (ws2_32.zig), never passed to WSASocketW. */
#define SOCK_CLOEXEC 0x10000
#define SOCK_NONBLOCK 0x20000
#define SOCKFFI_SO_REUSEPORT 0
#define SOCKFFI_HAS_SO_REUSEPORT 0
#ifndef AF_UNIX
#  define AF_UNIX 1
#endif
#define SOCKFFI_SUN_PATH_MAX 108
#ifndef IPV6_V6ONLY
#  define IPV6_V6ONLY 27
#endif

#ifndef WSA_FLAG_NO_HANDLE_INHERIT
#  define WSA_FLAG_NO_HANDLE_INHERIT 0x80
#endif
#ifdef _MSC_VER
#  define SF_TLS __declspec(thread)
#else
#  define SF_TLS __thread
#endif

/* afunix.h is missing from older mingw headers; the layout is fixed. */
struct sf_sockaddr_un { ADDRESS_FAMILY sun_family; char sun_path[108]; };

static SF_TLS struct sockaddr_storage sf_tls_ss;
static SF_TLS int sf_tls_len;

static INIT_ONCE sf_wsa_once = INIT_ONCE_STATIC_INIT;
static int sf_wsa_error;

static BOOL CALLBACK sf_wsa_start(PINIT_ONCE once, PVOID param, PVOID *ctx)
{
    WSADATA data;
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

long long sf_socket(int domain, int type, int protocol)
{
    DWORD flags = WSA_FLAG_OVERLAPPED;
    SOCKET s;
    int err, retried = 0;
    if (type & SOCK_CLOEXEC) flags |= WSA_FLAG_NO_HANDLE_INHERIT;
    for (;;) {
        s = WSASocketW(domain, type & ~(SOCK_CLOEXEC | SOCK_NONBLOCK), protocol, NULL, 0, flags);
        if (s != INVALID_SOCKET) break;
        err = WSAGetLastError();
        /* Zig: on WSANOTINITIALISED call WSAStartup and retry once. */
        if (err != WSANOTINITIALISED || retried) return -(long long)err;
        retried = 1;
        if ((err = sf_wsa_init()) != 0) return -(long long)(err | SOCKFFI_STARTUP_FAILED);
    }
    if (type & SOCK_NONBLOCK) {
        u_long one = 1;
        if (ioctlsocket(s, FIONBIO, &one) == SOCKET_ERROR) {
            err = WSAGetLastError();
            closesocket(s);
            return -(long long)(err | SOCKFFI_AUX_FAILED);
        }
    }
    return (long long)s;
}

static int sf_bind_sa(sf_fd_t fd, const void *sa, int len)
{
    SF_CHECK_FD(fd);
    return bind((SOCKET)fd, (const struct sockaddr *)sa, len) == SOCKET_ERROR ? WSAGetLastError() : 0;
}

int sf_bind_in4(sf_fd_t fd, unsigned int addr_be, int port)
{
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons((u_short)port);
    sin.sin_addr.s_addr = addr_be;
    return sf_bind_sa(fd, &sin, sizeof sin);
}

int sf_bind_in6(sf_fd_t fd, const char *addr16, int port, unsigned int flowinfo, unsigned int scope_id)
{
    struct sockaddr_in6 sin6;
    memset(&sin6, 0, sizeof sin6);
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons((u_short)port);
    sin6.sin6_flowinfo = htonl(flowinfo);
    sin6.sin6_scope_id = scope_id;
    memcpy(&sin6.sin6_addr, addr16, 16);
    return sf_bind_sa(fd, &sin6, sizeof sin6);
}

int sf_bind_un(sf_fd_t fd, const char *path, size_t len)
{
    struct sf_sockaddr_un sun;
    size_t n = len;
    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    memcpy(sun.sun_path, path, len);
    if (len > 0 && path[0] != '\0') n += 1;
    return sf_bind_sa(fd, &sun, (int)(offsetof(struct sf_sockaddr_un, sun_path) + n));
}

int sf_listen(sf_fd_t fd, int backlog)
{
    SF_CHECK_FD(fd);
    if (backlog < 0) return SOCKFFI_NEGATIVE_BACKLOG;
    return listen((SOCKET)fd, backlog) == SOCKET_ERROR ? WSAGetLastError() : 0;
}

int sf_setsockopt_int(sf_fd_t fd, int level, int option, int value)
{
    SF_CHECK_FD(fd);
    int rc = setsockopt((SOCKET)fd, level, option, (const char *)&value, sizeof value);
    return rc == SOCKET_ERROR ? WSAGetLastError() : 0;
}

int sf_setsockopt(sf_fd_t fd, int level, int option, const char *value, size_t len)
{
    SF_CHECK_FD(fd);
    return setsockopt((SOCKET)fd, level, option, value, (int)len) == SOCKET_ERROR ? WSAGetLastError() : 0;
}

long long sf_getsockname(sf_fd_t fd)
{
    struct sockaddr_in *sin = (struct sockaddr_in *)&sf_tls_ss;
    if (fd < 0) return -(long long)SOCKFFI_NEGATIVE_FD;
    sf_tls_len = sizeof sf_tls_ss;
    memset(&sf_tls_ss, 0, sizeof sf_tls_ss);
    if (getsockname((SOCKET)fd, (struct sockaddr *)&sf_tls_ss, &sf_tls_len) == SOCKET_ERROR)
        return -(long long)WSAGetLastError();
    if (sf_tls_ss.ss_family == AF_INET && sf_tls_len >= (int)sizeof *sin)
        return ((long long)ntohl(sin->sin_addr.s_addr) << 16) | ntohs(sin->sin_port);
    return SOCKFFI_OTHER_FAMILY | (long long)sf_tls_len;
}

int sf_last_family(void)
{
    return sf_tls_ss.ss_family;
}

int sf_last_in6(char *host, unsigned int *pfs)
{
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&sf_tls_ss;
    int rc = getnameinfo((struct sockaddr *)sin6, sizeof *sin6, host, NI_MAXHOST, NULL, 0, NI_NUMERICHOST);
    pfs[0] = ntohs(sin6->sin6_port);
    pfs[1] = ntohl(sin6->sin6_flowinfo);
    pfs[2] = sin6->sin6_scope_id;
    return rc;
}

int sf_last_raw(char *out, int cap)
{
    int n = sf_tls_len < cap ? sf_tls_len : cap;
    memcpy(out, &sf_tls_ss, (size_t)n);
    return n;
}

int sf_close(sf_fd_t fd)
{
    SF_CHECK_FD(fd);
    return closesocket((SOCKET)fd) == SOCKET_ERROR ? WSAGetLastError() : 0;
}

long long sf_pton4(const char *host)
{
    struct in_addr a;
    sf_wsa_init();
    return inet_pton(AF_INET, host, &a) == 1 ? (long long)a.s_addr : -1;
}

int sf_pton6(const char *host, char *addr16)
{
    sf_wsa_init();
    return inet_pton(AF_INET6, host, addr16) == 1 ? 0 : -1;
}

unsigned int sf_if_nametoindex(const char *name)
{
    return if_nametoindex(name);
}
"""
)

# Both platforms: written only in terms of the sf_* helpers above.
SOURCE_SHARED = r"""
/* Zig's Address.listen for AF_INET in one crossing: socket, the reuse options
   asked for, bind, listen, getsockname. On success returns (fd << 16) | port,
   the port getsockname reported; bit 62 is set if getsockname reported another
   address than the one bound (it never does for AF_INET; the address is then
   read back from this thread's slot, as for sf_getsockname). On failure closes
   the fd and returns -((step << 24) | code), step being 1 socket (code keeps
   its AUX/STARTUP flag), 2 SO_REUSEADDR, 3 SO_REUSEPORT, 4 bind, 5 listen,
   6 getsockname. */
long long sf_listen_tcp_in4(int type, unsigned int addr_be, int port, int backlog, int reuse_addr, int reuse_port)
{
    long long fd, r;
    int err = 0, step = 1;
    if (backlog < 0) return -(long long)SOCKFFI_NEGATIVE_BACKLOG;
    fd = sf_socket(AF_INET, type, IPPROTO_TCP);
    if (fd < 0) return -((1LL << 24) | -fd);
    if (reuse_addr) { step = 2; err = sf_setsockopt_int((sf_fd_t)fd, SOL_SOCKET, SO_REUSEADDR, 1); }
    if (!err && reuse_port) { step = 3; err = sf_setsockopt_int((sf_fd_t)fd, SOL_SOCKET, SOCKFFI_SO_REUSEPORT, 1); }
    if (!err) { step = 4; err = sf_bind_in4((sf_fd_t)fd, addr_be, port); }
    if (!err) { step = 5; err = sf_listen((sf_fd_t)fd, backlog); }
    if (!err) {
        step = 6;
        r = sf_getsockname((sf_fd_t)fd);
        if (r >= 0 && r < SOCKFFI_OTHER_FAMILY)
            return (fd << 16) | (r & 0xFFFF)
                   | ((unsigned int)(r >> 16) == ntohl(addr_be) ? 0 : (1LL << 62));
        err = r < 0 ? (int)-r : EAFNOSUPPORT;
    }
    sf_close((sf_fd_t)fd);
    return -(((long long)step << 24) | err);
}
"""

WINDOWS = sys.platform == "win32" or bool(__import__("os").environ.get("SOCKFFI_TARGET_WINDOWS"))


def build(windows: bool = WINDOWS) -> FFI:
    ffi = FFI()
    if windows:
        ffi.cdef(CDEF_COMMON)
        ffi.set_source("sockffi._sockffi", SOURCE_WINDOWS + SOURCE_SHARED, libraries=["ws2_32", "iphlpapi"])
    else:
        ffi.cdef(CDEF_COMMON + CDEF_POSIX)
        ffi.set_source("sockffi._sockffi", SOURCE_POSIX + SOURCE_SHARED)
    return ffi


ffibuilder = build()

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
