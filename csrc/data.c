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
