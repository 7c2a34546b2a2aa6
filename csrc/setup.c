/* The calls that set a socket up: one syscall each (socket's and accept's
   flag emulation aside), each acting on (cell, ref) as sockffi.h says. */

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

/* socket(2) with SOCK_CLOEXEC/SOCK_NONBLOCK applied after, as Zig does where
   socket(2) cannot take them (macOS, Windows); compiled on every POSIX
   platform so Linux tests can run it. */
SF_API long long sf_socket_emulated(int domain, int type, int protocol)
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

SF_API long long sf_socket(int domain, int type, int protocol)
{
#if defined(_WIN32) || !SF_NATIVE_SOCK_FLAGS
    return sf_socket_emulated(domain, type, protocol);
#else
    int fd = socket(domain, type, protocol);
    return fd == -1 ? sf_fail(0) : fd;
#endif
}

SF_API long long sf_socket_cell(long long *cell, int domain, int type, int protocol)
{
    long long fd = sf_socket(domain, type, protocol);
    if (fd >= 0) sf_cell_take(cell, fd);
    return fd;
}

/* ------------------------------------------------------------------ bind, connect */

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

/* The call's whole result from a bind or connect that failed with err: the
   code, and the flags the socket's state decides its meaning by. */
static int sf_address_failure(sf_fd_t fd, int err, int family, int bind)
{
    int state = SF_CLASSIFY_ADDRESS(err) ? sf_address_state(fd, family) : 0;
    return -((err & SF_CODE_MASK) | (bind ? state : state & SF_OTHER_FAMILY));
}

static int sf_bind_fd(sf_fd_t fd, int family, unsigned int a4, const char *data, size_t len, int port,
                      unsigned int flowinfo, unsigned int scope_id)
{
    union sf_sockaddr sa;
    int n = sf_sockaddr(&sa, family, a4, data, len, port, flowinfo, scope_id);
    if (n < 0) return n;
    if (!SF_FAILED(bind(SF_SOCK(fd), &sa.sa, (sf_socklen_t)n))) return 0;
    return sf_address_failure(fd, SF_LAST_ERROR(), family, 1);
}

SF_API int sf_bind(long long *cell, long long ref, int family, unsigned int a4, const char *data, size_t len,
                   int port, unsigned int flowinfo, unsigned int scope_id)
{
    SF_RESOLVE(fd, cell, ref);
    return sf_bind_fd(fd, family, a4, data, len, port, flowinfo, scope_id);
}

/* bind for the socket in a cell, which then also owns the unix socket file
   the bind made (cells.c): what listen_unix does. The directory is opened
   before the bind, so it is the one the bind's relative path meant. */
SF_API int sf_bind_file(long long *cell, int family, unsigned int a4, const char *data, size_t len, int port,
                        unsigned int flowinfo, unsigned int scope_id)
{
    long long v = SF_LOAD64(&cell[0]);
    sf_fd_t fd = (sf_fd_t)(v - 1);
    int rc;
#ifndef _WIN32
    size_t slash = 0, i;
    int has_slash = 0, dirfd = -1, err;
    if (v <= 0) return SF_REJECT(SF_REJECT_CLOSED);
    if (family == AF_UNIX && data != NULL && len > 0 && data[0] != '\0' && len <= (size_t)SF_SUN_PATH_MAX) {
        for (i = 0; i < len; i++)
            if (data[i] == '/') slash = i, has_slash = 1;
        if (!has_slash || slash + 1 < len) dirfd = sf_open_dir(data, slash, has_slash);
    }
    rc = sf_bind_fd(fd, family, a4, data, len, port, flowinfo, scope_id);
    err = errno;
    if (dirfd >= 0) {
        const char *name = has_slash ? data + slash + 1 : data;
        size_t n = len - (size_t)(name - data);
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
    if (v <= 0) return SF_REJECT(SF_REJECT_CLOSED);
    rc = sf_bind_fd(fd, family, a4, data, len, port, flowinfo, scope_id);
#endif
    return rc;
}

static int sf_connect_fd(sf_fd_t fd, int family, unsigned int a4, const char *data, size_t len, int port,
                         unsigned int flowinfo, unsigned int scope_id)
{
    union sf_sockaddr sa;
    int n = sf_sockaddr(&sa, family, a4, data, len, port, flowinfo, scope_id);
    if (n < 0) return n;
    if (!SF_FAILED(connect(SF_SOCK(fd), &sa.sa, (sf_socklen_t)n))) return 0;
    return sf_address_failure(fd, SF_LAST_ERROR(), family, 0);
}

/* connect(2); a failure whose meaning depends on the socket's family carries
   SF_OTHER_FAMILY when the address is of another family than the socket (its
   bound state is never asked: that is bind's question). */
SF_API int sf_connect(long long *cell, long long ref, int family, unsigned int a4, const char *data, size_t len,
                      int port, unsigned int flowinfo, unsigned int scope_id)
{
    SF_RESOLVE(fd, cell, ref);
    return sf_connect_fd(fd, family, a4, data, len, port, flowinfo, scope_id);
}

/* ------------------------------------------------------------------ listen, options, shutdown */

SF_API int sf_listen(long long *cell, long long ref, int backlog)
{
    SF_RESOLVE(fd, cell, ref);
    if (backlog < 0) return SF_REJECT(SF_REJECT_BACKLOG);
    return SF_FAILED(listen(SF_SOCK(fd), backlog)) ? sf_fail(0) : 0;
}

/* The same, for a plain fd, with no pointer to convert (see sf_getsockname_fd). */
SF_API int sf_listen_fd(long long fd, int backlog)
{
    return sf_listen(NULL, fd, backlog);
}

static int sf_setsockopt_fd(sf_fd_t fd, int level, int option, const void *value, sf_socklen_t len)
{
    return SF_FAILED(setsockopt(SF_SOCK(fd), level, option, SF_OPTVAL(value), len)) ? sf_fail(0) : 0;
}

SF_API int sf_setsockopt_int(long long *cell, long long ref, int level, int option, int value)
{
    SF_RESOLVE(fd, cell, ref);
    return sf_setsockopt_fd(fd, level, option, &value, (sf_socklen_t)sizeof value);
}

SF_API int sf_setsockopt(long long *cell, long long ref, int level, int option, const char *value, size_t len)
{
    SF_RESOLVE(fd, cell, ref);
    return sf_setsockopt_fd(fd, level, option, value, (sf_socklen_t)len);
}

/* An int option: its value as an unsigned 32-bit number (the caller gives it
   its sign back), or -(code). */
SF_API long long sf_getsockopt_int(long long *cell, long long ref, int level, int option)
{
    int value = 0;
    sf_socklen_t len = (sf_socklen_t)sizeof value;
    SF_RESOLVE(fd, cell, ref);
    if (SF_FAILED(getsockopt(SF_SOCK(fd), level, option, (char *)&value, &len))) return sf_fail(0);
    return (long long)(unsigned int)value;
}

/* The same, for a plain fd, with no pointer to convert (see sf_getsockname_fd). */
SF_API long long sf_getsockopt_int_fd(long long fd, int level, int option)
{
    return sf_getsockopt_int(NULL, fd, level, option);
}

/* Up to cap bytes of an option into out: the length the OS gave, or -(code). */
SF_API int sf_getsockopt(long long *cell, long long ref, int level, int option, char *out, int cap)
{
    sf_socklen_t len = (sf_socklen_t)cap;
    SF_RESOLVE(fd, cell, ref);
    if (cap < 0) return SF_REJECT(SF_REJECT_FD);
    memset(out, 0, (size_t)cap);
    if (SF_FAILED(getsockopt(SF_SOCK(fd), level, option, out, &len))) return sf_fail(0);
    return (int)len;
}

/* Zig's getsockoptError: SO_ERROR, which reading clears. 0 when it is 0, the
   stored code when not, or -(code) when getsockopt itself failed. */
static long long sf_so_error(sf_fd_t fd)
{
    int value = 0;
    sf_socklen_t len = (sf_socklen_t)sizeof value;
    if (SF_FAILED(getsockopt(SF_SOCK(fd), SOL_SOCKET, SO_ERROR, (char *)&value, &len))) return sf_fail(0);
    return (long long)((unsigned int)value & SF_CODE_MASK);
}

SF_API long long sf_getsockopt_error(long long *cell, long long ref)
{
    SF_RESOLVE(fd, cell, ref);
    return sf_so_error(fd);
}

/* The same, for a plain fd, with one argument (see sf_getsockname_fd). */
SF_API long long sf_getsockopt_error_fd(long long fd)
{
    return sf_getsockopt_error(NULL, fd);
}

SF_API int sf_shutdown(long long *cell, long long ref, int how)
{
    SF_RESOLVE(fd, cell, ref);
    return SF_FAILED(shutdown(SF_SOCK(fd), how)) ? sf_fail(0) : 0;
}

SF_API int sf_shutdown_fd(long long fd, int how)
{
    return sf_shutdown(NULL, fd, how);
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
SF_API long long sf_accept_emulated(long long *out, long long *cell, long long ref, int flags)
{
    struct sockaddr_storage ss;
    sf_socklen_t len = (sf_socklen_t)sizeof ss;
    int err;
    SF_RESOLVE(fd, cell, ref);
    ss.ss_family = AF_UNSPEC;
#ifdef _WIN32
    {
        SOCKET c = accept(SF_SOCK(fd), (struct sockaddr *)&ss, &len);
        u_long nb = (flags & SOCK_NONBLOCK) ? 1 : 0;
        if (c == INVALID_SOCKET) return sf_fail(0);
        sf_cell_take(out, (long long)c);
        if (ioctlsocket(c, SF_FIONBIO, &nb) == SOCKET_ERROR) {
            err = WSAGetLastError();
            sf_cell_close(out);
            return -(long long)((err & SF_CODE_MASK) | SF_AUX);
        }
        if (flags & SOCK_CLOEXEC) SetHandleInformation((HANDLE)c, HANDLE_FLAG_INHERIT, 0);
    }
#else
    {
        int c = accept(SF_SOCK(fd), (struct sockaddr *)&ss, &len);
        if (c == -1) return sf_fail(0);
        sf_cell_take(out, c);
        err = sf_set_accepted_flags(c, flags & SOCK_CLOEXEC, flags & SOCK_NONBLOCK);
        if (err) {
            sf_cell_close(out); /* Zig: errdefer close */
            return -(long long)((err & SF_CODE_MASK) | SF_AUX);
        }
    }
#endif
    return sf_name_result(&ss, len, sf_shared_name, &sf_shared_claim);
}

/* Zig's posix.accept (accept4 with SOCK_CLOEXEC[|SOCK_NONBLOCK]) into the
   empty cell `out`: the new socket is out's from inside this call. */
SF_API long long sf_accept(long long *out, long long *cell, long long ref, int flags)
{
#if SF_HAS_ACCEPT4
    struct sockaddr_storage ss;
    sf_socklen_t len = (sf_socklen_t)sizeof ss;
    int c;
    SF_RESOLVE(fd, cell, ref);
    ss.ss_family = AF_UNSPEC;
    c = accept4(fd, (struct sockaddr *)&ss, &len, flags & (SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (c == -1) return sf_fail(0);
    sf_cell_take(out, c);
    return sf_name_result(&ss, len, sf_shared_name, &sf_shared_claim);
#else
    return sf_accept_emulated(out, cell, ref, flags);
#endif
}

