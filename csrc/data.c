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
