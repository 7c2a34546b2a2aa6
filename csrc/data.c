/* The data path: send and receive, one syscall each, acting on (cell, ref)
   as sockffi.h says. A result >= 0 is the count the kernel gave, which may
   be short: it is returned, never hidden. */

/* Every send sockffi makes passes MSG_NOSIGNAL, so a closed peer is EPIPE
   (BrokenPipe), never SIGPIPE, whatever the program did to SIGPIPE's
   disposition. Where the headers lack the flag, the socket carries
   SO_NOSIGPIPE from its creation instead (setup.c); Windows has no SIGPIPE. */
#if defined(MSG_NOSIGNAL)
#  define SF_NOSIGNAL MSG_NOSIGNAL
#else
#  define SF_NOSIGNAL 0
#endif

/* Winsock counts in an int: a longer buffer goes (or fills) in part, and the
   short count says so, as any short count does. */
#ifdef _WIN32
#  define SF_IO_LEN(n) ((int)((n) > 0x7FFFFFFF ? 0x7FFFFFFF : (n)))
#else
#  define SF_IO_LEN(n) (n)
#endif

/* ------------------------------------------------------------------ send */

SF_API long long sf_send(long long *cell, long long ref, const char *data, size_t len, int flags)
{
    long long n;
    SF_RESOLVE(fd, cell, ref);
    n = (long long)send(SF_SOCK(fd), data, SF_IO_LEN(len), flags | SF_NOSIGNAL);
    return n < 0 ? sf_fail(0) : n;
}

/* The same, for a plain fd (no cell pointer to convert: send is a hot call). */
SF_API long long sf_send_fd(long long fd, const char *data, size_t len, int flags)
{
    return sf_send(NULL, fd, data, len, flags);
}

/* sendto(2): a failure whose meaning depends on the socket's family carries
   SF_OTHER_FAMILY when the address is of another family than the socket, as
   connect's does. */
SF_API long long sf_sendto(long long *cell, long long ref, const char *data, size_t len, int family, unsigned int a4,
                           const char *adata, size_t alen, int port, unsigned int flowinfo, unsigned int scope_id,
                           int flags)
{
    union sf_sockaddr sa;
    long long n;
    int salen;
    SF_RESOLVE(fd, cell, ref);
    salen = sf_sockaddr(&sa, family, a4, adata, alen, port, flowinfo, scope_id);
    if (salen < 0) return salen;
    n = (long long)sendto(SF_SOCK(fd), data, SF_IO_LEN(len), flags | SF_NOSIGNAL, &sa.sa, (sf_socklen_t)salen);
    return n < 0 ? sf_address_failure(fd, SF_LAST_ERROR(), family, 0) : n;
}

/* ------------------------------------------------------------------ recv */

/* A receive's failure. Windows answers one after shutdown(SD_RECEIVE) with
   WSAESHUTDOWN where POSIX returns 0, the end of the stream: 0 there too. */
static long long sf_recv_failure(void)
{
#ifdef _WIN32
    if (WSAGetLastError() == WSAESHUTDOWN) return 0;
#endif
    return sf_fail(0);
}

SF_API long long sf_recv(long long *cell, long long ref, char *buf, size_t len, int flags)
{
    long long n;
    SF_RESOLVE(fd, cell, ref);
    n = (long long)recv(SF_SOCK(fd), buf, SF_IO_LEN(len), flags);
    return n < 0 ? sf_recv_failure() : n;
}

/* The same, for a plain fd (no cell pointer to convert: recv is the hot call). */
SF_API long long sf_recv_fd(long long fd, char *buf, size_t len, int flags)
{
    return sf_recv(NULL, fd, buf, len, flags);
}

/* recvfrom(2). The source address goes to source[0] as sf_getsockname packs a
   name (an IP address, an interned path), with any other family copied into
   source + 1 (SF_ADDR_CAP bytes, this call's own); -1 when the kernel gave no
   address (a connected stream socket). */
SF_API long long sf_recvfrom(long long *cell, long long ref, char *buf, size_t len, int flags, long long *source)
{
    struct sockaddr_storage ss;
    sf_socklen_t sslen = (sf_socklen_t)sizeof ss;
    long long n;
    SF_RESOLVE(fd, cell, ref);
    ss.ss_family = AF_UNSPEC;
    n = (long long)recvfrom(SF_SOCK(fd), buf, SF_IO_LEN(len), flags, (struct sockaddr *)&ss, &sslen);
    if (n < 0) return sf_recv_failure();
    source[0] = sslen == 0 ? -1 : sf_name_result(&ss, sslen, (char *)(source + 1), NULL);
    return n;
}

/* ------------------------------------------------------------------ sendmsg */

/* sendmsg(2) of `count` buffers, to the address when family is not
   AF_UNSPEC. Windows has no sendmsg for this: WSASendTo takes the same
   gather list. */
SF_API long long sf_sendmsg(long long *cell, long long ref, char **bufs, size_t *lens, int count, int family,
                            unsigned int a4, const char *adata, size_t alen, int port, unsigned int flowinfo,
                            unsigned int scope_id, int flags)
{
    union sf_sockaddr sa;
    int salen = 0, i, err;
    long long n;
#ifdef _WIN32
    WSABUF small[16], *iov = small;
    DWORD sent = 0;
#else
    struct iovec small[16], *iov = small;
    struct msghdr msg;
#endif
    SF_RESOLVE(fd, cell, ref);
    if (count < 0) return SF_REJECT(SF_REJECT_ADDRESS);
    if (family != AF_UNSPEC) {
        salen = sf_sockaddr(&sa, family, a4, adata, alen, port, flowinfo, scope_id);
        if (salen < 0) return salen;
    }
    if (count > (int)(sizeof small / sizeof small[0])) {
        iov = malloc(sizeof *iov * (size_t)count);
#ifdef _WIN32
        if (iov == NULL) return -(long long)WSAENOBUFS;
#else
        if (iov == NULL) return -(long long)ENOMEM;
#endif
    }
#ifdef _WIN32
    for (i = 0; i < count; i++) {
        iov[i].buf = bufs[i];
        iov[i].len = (ULONG)(lens[i] > 0xFFFFFFFFu ? 0xFFFFFFFFu : lens[i]);
    }
    n = WSASendTo(SF_SOCK(fd), iov, (DWORD)count, &sent, (DWORD)flags, salen ? &sa.sa : NULL, salen, NULL, NULL)
            == SOCKET_ERROR ? -1 : (long long)sent;
#else
    for (i = 0; i < count; i++) {
        iov[i].iov_base = bufs[i];
        iov[i].iov_len = lens[i];
    }
    memset(&msg, 0, sizeof msg);
    msg.msg_name = salen ? (void *)&sa.sa : NULL;
    msg.msg_namelen = (socklen_t)salen;
    msg.msg_iov = iov;
#  ifdef __APPLE__
    msg.msg_iovlen = count; /* an int there */
#  else
    msg.msg_iovlen = (size_t)count;
#  endif
    n = (long long)sendmsg(SF_SOCK(fd), &msg, flags | SF_NOSIGNAL);
#endif
    err = SF_LAST_ERROR();
    if (iov != small) free(iov);
    if (n >= 0) return n;
    return salen ? sf_address_failure(fd, err, family, 0) : -(long long)(err & SF_CODE_MASK);
}

/* Zig's net.Stream.write: one buffer, sendmsg(MSG_NOSIGNAL) on POSIX, WSASend
   on Windows; what Connection.write makes. */
SF_API long long sf_stream_write(long long *cell, long long ref, const char *data, size_t len)
{
    long long n;
#ifdef _WIN32
    WSABUF buf;
    DWORD sent = 0;
    SF_RESOLVE(fd, cell, ref);
    buf.buf = (char *)data;
    buf.len = (ULONG)(len > 0xFFFFFFFFu ? 0xFFFFFFFFu : len);
    n = WSASend(SF_SOCK(fd), &buf, 1, &sent, 0, NULL, NULL) == SOCKET_ERROR ? -1 : (long long)sent;
#else
    struct iovec iov;
    struct msghdr msg;
    SF_RESOLVE(fd, cell, ref);
    iov.iov_base = (void *)data;
    iov.iov_len = len;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    n = (long long)sendmsg(SF_SOCK(fd), &msg, SF_NOSIGNAL);
#endif
    return n < 0 ? sf_fail(0) : n;
}

/* ------------------------------------------------------------------ poll */

/* poll(2) (WSAPoll on Windows) over n entries of (ref, events, revents),
   each acting on cells[i] as sockffi.h says (NULL, or cells NULL for all:
   ref is a plain fd); an
   owner that no longer holds its socket reports POLLNVAL, as the kernel does
   for an fd that is not open, and is not passed to the kernel. revents are
   written back; the result is how many entries have any. */
SF_API int sf_poll(long long *entries, long long **cells, int n, int timeout_ms)
{
#ifdef _WIN32
    WSAPOLLFD small[16], *fds = small;
#else
    struct pollfd small[16], *fds = small;
#endif
    int i, rc, refused = 0, err;
    if (n < 0) return SF_REJECT(SF_REJECT_FD);
    if (n > (int)(sizeof small / sizeof small[0])) {
        fds = malloc(sizeof *fds * (size_t)n);
#ifdef _WIN32
        if (fds == NULL) return -WSAENOBUFS;
#else
        if (fds == NULL) return -ENOMEM;
#endif
    }
    for (i = 0; i < n; i++) {
        long long *cell = cells == NULL ? NULL : cells[i];
        long long fd = sf_sock(cell, entries[3 * i]);
        if (fd < 0 && cell == NULL) {
            if (fds != small) free(fds);
            return (int)fd; /* a plain fd out of range: refused before any syscall */
        }
#ifdef _WIN32
        fds[i].fd = fd < 0 ? INVALID_SOCKET : SF_SOCK(fd);
#else
        fds[i].fd = fd < 0 ? -1 : (int)fd; /* the kernel skips a negative fd */
#endif
        fds[i].events = (short)entries[3 * i + 1];
        fds[i].revents = 0;
        if (fd < 0) refused++;
    }
#ifdef _WIN32
    rc = WSAPoll(fds, (ULONG)n, refused ? 0 : timeout_ms);
    rc = rc == SOCKET_ERROR ? -1 : rc;
#else
    rc = poll(fds, (nfds_t)n, refused ? 0 : timeout_ms);
#endif
    err = SF_LAST_ERROR();
    if (rc >= 0) {
        for (i = 0; i < n; i++) {
            short revents = fds[i].revents;
            if (cells != NULL && cells[i] != NULL && sf_sock(cells[i], entries[3 * i]) < 0) {
                if (revents == 0) rc++;
                revents = POLLNVAL;
            }
            entries[3 * i + 2] = revents;
        }
    }
    if (fds != small) free(fds);
    return rc < 0 ? -(err & SF_CODE_MASK) : rc;
}

/* ------------------------------------------------------------------ datagram sockets on Windows */

/* Windows reports an ICMP port-unreachable (or TTL-expired) for an earlier
   datagram as WSAECONNRESET (WSAENETRESET) on the next recvfrom of the same
   socket, connected or not; Linux reports nothing to an unconnected socket.
   Go turns the reports off for every UDP socket it makes; sockffi does the
   same for the datagram sockets its helpers make. 0, or the WSA code of
   SIO_UDP_CONNRESET's failure. */
SF_API int sf_udp_no_reset(long long *cell, long long ref)
{
#ifdef _WIN32
#  ifndef SIO_UDP_CONNRESET
#    define SIO_UDP_CONNRESET _WSAIOW(IOC_VENDOR, 12)
#  endif
#  ifndef SIO_UDP_NETRESET
#    define SIO_UDP_NETRESET _WSAIOW(IOC_VENDOR, 15)
#  endif
    BOOL off = FALSE;
    DWORD got = 0;
    SF_RESOLVE(fd, cell, ref);
    if (WSAIoctl(SF_SOCK(fd), SIO_UDP_CONNRESET, &off, sizeof off, NULL, 0, &got, NULL, NULL) == SOCKET_ERROR)
        return sf_fail(0);
    /* Best effort, as Go's: Windows before 8 (and Wine) lack SIO_UDP_NETRESET,
       and a TTL-expired report is rarer than a port-unreachable one. */
    (void)WSAIoctl(SF_SOCK(fd), SIO_UDP_NETRESET, &off, sizeof off, NULL, 0, &got, NULL, NULL);
    return 0;
#else
    (void)cell, (void)ref;
    return 0;
#endif
}

/* poll of one entry, the commonest: its revents (0 when the time ran out),
   or the failure; an owner that no longer holds its socket is POLLNVAL. */
SF_API int sf_poll1(long long *cell, long long ref, int events, int timeout_ms)
{
    long long entry[3];
    long long *cells[1];
    int rc;
    entry[0] = ref;
    entry[1] = events;
    entry[2] = 0;
    cells[0] = cell;
    rc = sf_poll(entry, cell == NULL ? NULL : cells, 1, timeout_ms);
    return rc < 0 ? rc : (int)entry[2];
}
