/* Cells: how a Server or Connection owns its socket (see sockffi.h), its
   unix socket file, closing, and what a dropped one says. */

/* ------------------------------------------------------------------ close */

/* Zig's posix.close, on a plain fd: EINTR counts as closed (Linux frees the
   fd first); on Windows a close the OS refused leaves the handle open
   (SF_STILL_OPEN). */
static int sf_close_fd(sf_fd_t fd)
{
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
    return errno == EINTR ? 0 : sf_fail(0);
#endif
}

/* close(2) of an fd the caller owns (an owner closes through its cell). */
SF_API int sf_close(long long fd)
{
    if (fd < 0 || fd > SF_FD_MAX) return SF_REJECT(SF_REJECT_FD);
    return sf_close_fd((sf_fd_t)fd);
}

/* ------------------------------------------------------------------ the unix socket file */

/* A cell's cell[1] (when not 0) is the unix socket file its bind made, which
   goes with the socket: removed when the cell closes the socket (before
   closing it) or is dropped with it, left in place when the fd is detached.

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

SF_API int sf_cell_close(long long *cell)
{
    long long v = SF_XCHG64(&cell[0], 0LL);
    int rc;
    if (v <= 0) return 1; /* empty: nothing to close */
    sf_file_drop(cell, 1);
    rc = sf_close_fd((sf_fd_t)(v - 1));
    if (rc < 0 && ((-rc) & SF_STILL_OPEN)) SF_XCHG64(&cell[0], v); /* still open, so still ours */
    return rc;
}

SF_API long long sf_cell_detach(long long *cell)
{
    long long v = SF_XCHG64(&cell[0], 0LL);
    sf_file_drop(cell, 0);
    return v - 1; /* -1 when the cell was empty */
}

/* The fd back into its own owner's cell (a hand-over that was interrupted):
   the same socket, so the same generation. */
SF_API void sf_cell_adopt(long long *cell, long long fd)
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

SF_API void sf_cell_release(long long *cell)
{
    long long v = SF_XCHG64(&cell[0], 0LL);
    char what[300];
    sf_file_drop(cell, v > 0);
    if (v <= 0) return;
    if (sf_unclosed_hook) sf_describe((sf_fd_t)(v - 1), what, sizeof what);
    sf_close_fd((sf_fd_t)(v - 1));
    if (sf_unclosed_hook) sf_unclosed_hook(what);
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
