/* Zig's std.net calls in one crossing each (listen_tcp, listen_unix,
   connect_tcp, connect_unix), and the two steps connect's timeout= takes.
   The socket is made into the caller's cell, which owns it from inside the
   call; a failure is -(code | step << SF_STEP_SHIFT), the cell closed unless
   SF_STILL_OPEN says the socket goes on. While traced, Python takes each step
   as its own call instead. */

/* ------------------------------------------------------------------ Zig's Address.listen */

static long long sf_step_failed(int step, long long err)
{
    return -(((long long)step << SF_STEP_SHIFT) | -err);
}

/* On failure the cell is closed and emptied. */
static long long sf_listen_failed(long long *cell, int step, long long err)
{
    sf_cell_close(cell);
    return sf_step_failed(step, err);
}

static int sf_apply_options(sf_fd_t fd, int opts, int *step)
{
    int one = 1, v6only = (opts & SF_OPT_V6ONLY) ? 1 : 0, err = 0;
    if (opts & SF_OPT_REUSEADDR) {
        *step = SF_STEP_REUSEADDR;
        err = sf_setsockopt_fd(fd, SOL_SOCKET, SO_REUSEADDR, &one, (sf_socklen_t)sizeof one);
    }
    if (!err && (opts & SF_OPT_REUSEPORT)) {
        *step = SF_STEP_REUSEPORT;
        err = sf_setsockopt_fd(fd, SOL_SOCKET, SF_SO_REUSEPORT, &one, (sf_socklen_t)sizeof one);
    }
    if (!err && (opts & (SF_OPT_V6ONLY | SF_OPT_DUALSTACK))) {
        *step = SF_STEP_V6ONLY;
        err = sf_setsockopt_fd(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, (sf_socklen_t)sizeof v6only);
    }
    return err;
}

/* Zig's sequence on a TCP socket in the cell: socket, options, bind, listen,
   getsockname. Returns sf_getsockname's packed value, or the failed step's
   code with the cell closed. */
static long long sf_listen_ip(long long *cell, int type, int family, unsigned int a4, const char *a16, int port,
                              unsigned int flowinfo, unsigned int scope_id, int backlog, int opts)
{
    long long fd, r;
    int step = SF_STEP_SOCKET, err;
    if (backlog < 0) return SF_REJECT(SF_REJECT_BACKLOG);
    if (port < 0 || port > 0xFFFF || flowinfo > 0xFFFFF) return SF_REJECT(SF_REJECT_PORT);
    fd = sf_socket_cell(cell, family, type, IPPROTO_TCP);
    if (fd < 0) return sf_step_failed(SF_STEP_SOCKET, fd);
    err = sf_apply_options((sf_fd_t)fd, opts, &step);
    if (!err) {
        step = SF_STEP_BIND;
        err = sf_bind_fd((sf_fd_t)fd, family, a4, a16, 16, port, flowinfo, scope_id);
    }
    if (!err) {
        step = SF_STEP_LISTEN;
        err = SF_FAILED(listen(SF_SOCK(fd), backlog)) ? sf_fail(0) : 0;
    }
    if (err) return sf_listen_failed(cell, step, err);
    r = sf_name_into((sf_fd_t)fd, NULL, NULL, 0);
    if (r < 0) return sf_listen_failed(cell, SF_STEP_GETSOCKNAME, r);
    return r;
}

/* The fd and port in one value when the bound address is the one asked for
   (the caller already has its text); else the fd and SF_LISTEN4_DIFFERS. */
SF_API long long sf_listen_in4(long long *cell, int type, unsigned int addr_be, int port, int backlog, int opts)
{
    long long r = sf_listen_ip(cell, type, AF_INET, addr_be, NULL, port, 0, 0, backlog, opts), fd;
    if (r < 0) return r;
    fd = SF_LOAD64(&cell[0]) - 1;
    if (r < SF_GSN_IN6 && (unsigned int)(r >> 16) == ntohl(addr_be))
        return (fd << SF_LISTEN4_FD_SHIFT) | (r & 0xFFFF);
    return (fd << SF_LISTEN4_FD_SHIFT) | SF_LISTEN4_DIFFERS;
}

/* Returns sf_getsockname's packed value; the fd is in the cell. */
SF_API long long sf_listen_in6(long long *cell, int type, const char *addr16, int port, unsigned int flowinfo,
                               unsigned int scope_id, int backlog, int opts)
{
    return sf_listen_ip(cell, type, AF_INET6, 0, addr16, port, flowinfo, scope_id, backlog, opts);
}

/* Zig's sequence on a unix socket path in the cell (socket, bind, listen,
   getsockname into `out`, as sf_getsockname): the cell owns the file from the
   bind on. Returns sf_getsockname's value, or the failed step's code with the
   cell closed (and the file it made removed). */
SF_API long long sf_listen_un(long long *cell, int type, const char *path, size_t len, int backlog, char *out)
{
    long long fd, r;
    int err;
    if (backlog < 0) return SF_REJECT(SF_REJECT_BACKLOG);
    if (len > (size_t)SF_SUN_PATH_MAX) return SF_REJECT(SF_REJECT_PATH);
    fd = sf_socket_cell(cell, AF_UNIX, type, 0);
    if (fd < 0) return sf_step_failed(SF_STEP_SOCKET, fd);
    err = sf_bind_file(cell, AF_UNIX, 0, path, len, 0, 0, 0);
    if (err) return sf_listen_failed(cell, SF_STEP_BIND, err);
    err = SF_FAILED(listen(SF_SOCK(fd), backlog)) ? sf_fail(0) : 0;
    if (err) return sf_listen_failed(cell, SF_STEP_LISTEN, err);
    r = sf_name_into((sf_fd_t)fd, out, NULL, 0);
    if (r < 0) return sf_listen_failed(cell, SF_STEP_GETSOCKNAME, r);
    return r;
}

/* ------------------------------------------------------------------ Zig's tcpConnectToAddress, connectUnixSocket */

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

/* socket, connect, into the cell: the fd once connected; else the failed
   step's code, with the cell closed, or still holding the socket
   (SF_STILL_OPEN) when the connect goes on (sf_connect_goes_on). */
SF_API long long sf_connect_new(long long *cell, int type, int protocol, int family, unsigned int a4,
                                const char *data, size_t len, int port, unsigned int flowinfo, unsigned int scope_id)
{
    union sf_sockaddr sa;
    long long fd;
    int n = sf_sockaddr(&sa, family, a4, data, len, port, flowinfo, scope_id), err;
    if (n < 0) return n;
    fd = sf_socket_cell(cell, family, type, protocol);
    if (fd < 0) return sf_step_failed(SF_STEP_SOCKET, fd);
    if (!SF_FAILED(connect(SF_SOCK(fd), &sa.sa, (sf_socklen_t)n))) return fd;
    err = SF_LAST_ERROR() & SF_CODE_MASK;
    if (sf_connect_goes_on(err)) return sf_step_failed(SF_STEP_CONNECT, -(long long)(err | SF_STILL_OPEN));
    sf_cell_close(cell);
    return sf_step_failed(SF_STEP_CONNECT, -(long long)err);
}

/* Wait up to timeout_ms for a connect in progress to finish (writable, or
   failed): 1 when it has, 0 when the time ran out, or -(code) (EINTR too:
   the caller runs its signal handlers and waits for what is left). */
SF_API int sf_wait_connect(long long *cell, long long ref, int timeout_ms)
{
    SF_RESOLVE(fd, cell, ref);
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
SF_API int sf_set_nonblocking(long long *cell, long long ref, int on)
{
    SF_RESOLVE(fd, cell, ref);
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
