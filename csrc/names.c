/* Addresses read back: getsockname and getpeername in one value where the
   family allows (IPv6 through an intern table), the shared name buffer for
   the others, and the text forms. */

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
/* ------------------------------------------------------------------ unix path intern table */

/* AF_UNIX paths, interned as IPv6 addresses are: sf_name_result returns a
   path's id in the result itself, and Python maps the id to its text once,
   so getsockname on a unix socket costs what it costs on an IP one (no
   buffer to claim, copy and release). Ids never change meaning; once the
   table is full, paths go through the shared name buffer as before. */
#define SF_PATHS_MAX 256
#define SF_PATHS_SLOTS 512

struct sf_path_entry {
    size_t len;
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};
static struct sf_path_entry sf_paths[SF_PATHS_MAX];
static sf_atomic sf_paths_next;
static sf_atomic sf_paths_slots[SF_PATHS_SLOTS]; /* id + 1; 0 = free */

static int sf_path_intern(const char *path, size_t len)
{
    uint32_t h = 2166136261u, probe;
    size_t i;
    if (len > sizeof sf_paths[0].path) return -1;
    for (i = 0; i < len; i++) h = (h ^ (unsigned char)path[i]) * 16777619u;
    for (probe = 0; probe < SF_PATHS_SLOTS; probe++) {
        sf_atomic *slot = &sf_paths_slots[(h + probe) & (SF_PATHS_SLOTS - 1)];
        int v = (int)SF_LOAD(slot);
        if (v == 0) {
            int id;
            if ((int)SF_LOAD(&sf_paths_next) >= SF_PATHS_MAX) return -1;
            id = (int)SF_FETCH_ADD(&sf_paths_next, 1);
            if (id >= SF_PATHS_MAX) return -1;
            memcpy(sf_paths[id].path, path, len);
            sf_paths[id].len = len;
            if (SF_CAS(slot, 0, id + 1)) return id;
            v = (int)SF_LOAD(slot); /* another thread published here first; entry id stays unused */
        }
        if (sf_paths[v - 1].len == len && memcmp(sf_paths[v - 1].path, path, len) == 0) return v - 1;
    }
    return -1;
}

/* An interned path's bytes into out: its length, or -1 for an id never handed out. */
SF_API int sf_path_text(int id, char *out, int cap)
{
    size_t n;
    if (id < 0 || id >= SF_PATHS_MAX || id >= (int)SF_LOAD(&sf_paths_next)) return -1;
    n = sf_paths[id].len;
    if (n > (size_t)cap) return -1;
    memcpy(out, sf_paths[id].path, n);
    return (int)n;
}

/* ------------------------------------------------------------------ names */

static long long sf_name_result(const struct sockaddr_storage *ss, sf_socklen_t len, char *out, sf_atomic *claim)
{
    long long r;
    if (len > (sf_socklen_t)sizeof *ss) len = (sf_socklen_t)sizeof *ss;
    r = sf_pack_name(ss, len);
    if (r < SF_GSN_OTHER) return r;
    if (ss->ss_family == AF_UNIX && len > (sf_socklen_t)SF_SUN_PATH_OFFSET
        && ((const char *)ss)[SF_SUN_PATH_OFFSET] != '\0') {
        size_t n = (size_t)len - (size_t)SF_SUN_PATH_OFFSET;
        const char *path = (const char *)ss + SF_SUN_PATH_OFFSET;
        const char *end = (const char *)memchr(path, '\0', n);
        int id = sf_path_intern(path, end ? (size_t)(end - path) : n);
        if (id >= 0) return SF_GSN_OTHER | SF_GSN_PATH_ID | ((long long)id << SF_PATH_ID_SHIFT);
    }
    if (out == NULL) return r;
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
SF_API char sf_shared_name[SF_ADDR_CAP];
static sf_atomic sf_shared_claim;

/* One getsockname (or getpeername), its address as sf_name_result gives it. */
static long long sf_name_into(sf_fd_t fd, char *out, sf_atomic *claim, int peer)
{
    struct sockaddr_storage ss;
    sf_socklen_t len = (sf_socklen_t)sizeof ss;
    int rc;
    ss.ss_family = AF_UNSPEC;
    rc = peer ? getpeername(SF_SOCK(fd), (struct sockaddr *)&ss, &len)
              : getsockname(SF_SOCK(fd), (struct sockaddr *)&ss, &len);
    if (SF_FAILED(rc)) return sf_fail(0);
    return sf_name_result(&ss, len, out, claim);
}

SF_API long long sf_getsockname(long long *cell, long long ref)
{
    SF_RESOLVE(fd, cell, ref);
    return sf_name_into(fd, sf_shared_name, &sf_shared_claim, 0);
}

SF_API long long sf_getpeername(long long *cell, long long ref)
{
    SF_RESOLVE(fd, cell, ref);
    return sf_name_into(fd, sf_shared_name, &sf_shared_claim, 1);
}

/* The same, for a plain fd, with one argument and no pointer: cffi calls a
   one-argument function without building an argument tuple, and converts no
   pointer, which these hot calls (one syscall, little else) notice. */
SF_API long long sf_getsockname_fd(long long fd)
{
    return sf_getsockname(NULL, fd);
}

SF_API long long sf_getpeername_fd(long long fd)
{
    return sf_getpeername(NULL, fd);
}

SF_API void sf_shared_name_release(void)
{
#ifdef _MSC_VER
    InterlockedExchange(&sf_shared_claim, 0);
#else
    __atomic_store_n(&sf_shared_claim, 0, __ATOMIC_RELEASE);
#endif
}

/* The raw address into a caller-owned buffer (zeroed first, as CPython and
   socket2 do); returns its length. */
static int sf_raw_name(long long *cell, long long ref, char *out, int cap, int peer)
{
    sf_socklen_t len = (sf_socklen_t)cap;
    int rc;
    SF_RESOLVE(fd, cell, ref);
    memset(out, 0, (size_t)cap);
    rc = peer ? getpeername(SF_SOCK(fd), (struct sockaddr *)out, &len)
              : getsockname(SF_SOCK(fd), (struct sockaddr *)out, &len);
    return SF_FAILED(rc) ? sf_fail(0) : (int)len;
}

SF_API int sf_getsockname_into(long long *cell, long long ref, char *out, int cap)
{
    return sf_raw_name(cell, ref, out, cap, 0);
}

SF_API int sf_getpeername_into(long long *cell, long long ref, char *out, int cap)
{
    return sf_raw_name(cell, ref, out, cap, 1);
}

/* ------------------------------------------------------------------ text, names */

SF_API long long sf_pton4(const char *host)
{
    struct in_addr a;
#ifdef _WIN32
    sf_wsa_init();
#endif
    return inet_pton(AF_INET, host, &a) == 1 ? (long long)a.s_addr : -1;
}

SF_API int sf_pton6(const char *host, char *addr16)
{
#ifdef _WIN32
    sf_wsa_init();
#endif
    return inet_pton(AF_INET6, host, addr16) == 1 ? 0 : -1;
}

/* The text CPython's getsockname gives (inet_ntop; the scope is a separate field). */
SF_API int sf_ntop6(const char *addr16, char *out, int cap)
{
#ifdef _WIN32
    sf_wsa_init();
    return inet_ntop(AF_INET6, (void *)addr16, out, (size_t)cap) ? (int)strlen(out) : -1;
#else
    return inet_ntop(AF_INET6, addr16, out, (socklen_t)cap) ? (int)strlen(out) : -1;
#endif
}

SF_API int sf_in6_text(int id, char *out, int cap, unsigned int *scope_id)
{
    if (!sf_in6_published(id)) return -1;
    *scope_id = sf_in6_table[id].scope;
    return sf_ntop6((const char *)sf_in6_table[id].addr, out, cap);
}

SF_API unsigned int sf_if_nametoindex(const char *name)
{
    return if_nametoindex(name);
}

SF_API int sf_if_indextoname(unsigned int index, char *out, int cap)
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

