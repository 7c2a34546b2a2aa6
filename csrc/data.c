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
