/* remote.c - the remote's HTTP server (libmicrohttpd).
 *
 * One thread per connection (MHD_USE_THREAD_PER_CONNECTION): a live-update
 * stream can then simply wait on a condition variable, and a slow client
 * only ever holds its own thread. The caps bound what clients can take:
 * connections in all and per address, bytes per connection (request line
 * and headers), body size, idle time. Every request is checked for the key
 * before anything else is looked at, so without it nothing but a 401 (or a
 * 429 once an address has guessed wrong too often) is ever answered.
 *
 * The control thread and the server share one mutex, held only to copy the
 * status or push/pop a command: nothing here can wait on the player. */
#include "remote.h"

#include "core/sigmask.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <microhttpd.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "remote_api.h"
#include "remote_page.h"

#define QUEUE_LEN 16
#define RATE_SLOTS 64
#define KEEPALIVE_MS 5000
#define KEY_BYTES 16   /* 128 bits, written as 32 hex digits */
#define COOKIE_NAME "relax_key"

typedef struct {
    bool used;
    unsigned char addr[16];
    size_t addr_len;
    double tokens;
    int64_t last_ms;
} rate_slot;

struct rlx_remote {
    rlx_remote_config cfg;
    struct MHD_Daemon *daemon;
    char key[RLX_REMOTE_KEY_MAX + 1];
    size_t key_len;
    char bound[INET6_ADDRSTRLEN];
    bool bound_any, bound_v6;
    int port;

    pthread_mutex_t lock;   /* everything below */
    pthread_cond_t changed; /* status changed or closing */
    bool closing;
    rlx_remote_status status;
    uint64_t seq;           /* bumped on every change */
    uint64_t discrete_seq;  /* bumped when more than position/breath changed */
    rlx_remote_cmd queue[QUEUE_LEN];
    size_t qhead, qcount;
    rate_slot rate[RATE_SLOTS];
    rlx_remote_stats stats;
    /* serve */
    char room[RLX_REMOTE_NAME_MAX + 1];
    char profile[RLX_REMOTE_NAME_MAX + 1];   /* whose session plays */
    rlx_remote_profile *profiles;
    size_t nprofiles;
    uint64_t profiles_seq;  /* bumped by every rlx_remote_set_profiles */
    int64_t profiles_ms;    /* when they were set */
    bool profiles_wanted;
    bool start_pending;     /* a start is queued: the next one is refused */
};

typedef struct {
    bool started;
    bool too_big;
    char *body;
    size_t len;
} request;

typedef struct {
    rlx_remote *r;
    bool first;
    uint64_t sent_seq, sent_discrete;
    int64_t last_sent_ms;
    char *pending;
    size_t plen, poff;
} sse_stream;

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}



rlx_remote_config rlx_remote_config_init(void)
{
    return (rlx_remote_config){
        .port = RLX_REMOTE_DEFAULT_PORT,
        .port_tries = 20,
        .connection_limit = 32,
        .per_ip_limit = 8,
        .timeout_s = 10,
        .memory_limit = 32 * 1024,
        .body_limit = 1024,
        .bad_key_burst = 10,
        .bad_key_refill_ms = 2000,
        .sse_interval_ms = 200,
    };
}

/* --- rate limiting of bad keys (per client address) --------------------------- */

static size_t addr_bytes(const struct sockaddr *sa, unsigned char out[16])
{
    if (!sa)
        return 0;
    if (sa->sa_family == AF_INET) {
        memcpy(out, &((const struct sockaddr_in *)sa)->sin_addr, 4);
        return 4;
    }
    if (sa->sa_family == AF_INET6) {
        memcpy(out, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
        return 16;
    }
    return 0;
}

/* Under lock. The slot for this address, refilled to now; a new one (the
 * least suspicious old one is reused when all are taken). */
static rate_slot *rate_find(rlx_remote *r, const struct sockaddr *sa, bool create)
{
    unsigned char a[16];
    size_t n = addr_bytes(sa, a);
    int64_t now = now_ms();
    rate_slot *s = NULL, *spare = NULL;
    for (size_t i = 0; i < RATE_SLOTS; i++) {
        rate_slot *x = &r->rate[i];
        if (x->used && x->addr_len == n && !memcmp(x->addr, a, n)) {
            s = x;
            break;
        }
        if (!spare || (spare->used && (!x->used || x->tokens > spare->tokens ||
                                       (x->tokens == spare->tokens && x->last_ms < spare->last_ms))))
            spare = x;
    }
    if (!s) {
        if (!create)
            return NULL;
        s = spare;
        *s = (rate_slot){.used = true, .addr_len = n, .tokens = r->cfg.bad_key_burst, .last_ms = now};
        memcpy(s->addr, a, n);
        return s;
    }
    double refill = r->cfg.bad_key_refill_ms ? (double)(now - s->last_ms) / r->cfg.bad_key_refill_ms : 1e9;
    s->tokens += refill;
    if (s->tokens > r->cfg.bad_key_burst)
        s->tokens = r->cfg.bad_key_burst;
    s->last_ms = now;
    return s;
}

/* --- responses ------------------------------------------------------------------ */

static void common_headers(struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
}

static enum MHD_Result reply_buf(struct MHD_Connection *c, unsigned status, const char *type,
                                 void *body, size_t len, enum MHD_ResponseMemoryMode mode,
                                 const char *extra_name, const char *extra_value)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, mode);
    if (!resp) {
        if (mode == MHD_RESPMEM_MUST_FREE)
            free(body);
        return MHD_NO;
    }
    common_headers(resp);
    MHD_add_response_header(resp, "Content-Type", type);
    if (extra_name)
        MHD_add_response_header(resp, extra_name, extra_value);
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result reply_json(struct MHD_Connection *c, unsigned status, char *json)
{
    if (!json)
        return MHD_NO;   /* out of memory: drop the connection */
    size_t n = strlen(json);
    /* one line per answer, so `curl` output and logs stay readable */
    char *line = realloc(json, n + 2);
    if (!line) {
        free(json);
        return MHD_NO;
    }
    line[n] = '\n';
    line[n + 1] = '\0';
    return reply_buf(c, status, "application/json", line, n + 1, MHD_RESPMEM_MUST_FREE, NULL, NULL);
}

static enum MHD_Result reply_error(rlx_remote *r, struct MHD_Connection *c, unsigned status,
                                   const char *msg)
{
    pthread_mutex_lock(&r->lock);
    if (status == 400 || status == 413 || status == 415)
        r->stats.bad_requests++;
    pthread_mutex_unlock(&r->lock);
    return reply_json(c, status, rlx_remote_error_json(msg));
}

/* --- the key ------------------------------------------------------------------- */

static bool present_key(const rlx_remote *r, struct MHD_Connection *c, bool *given, bool *from_query)
{
    const char *k = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "key");
    *from_query = k != NULL;
    if (!k)
        k = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE_NAME);
    if (!k) {
        const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
        if (auth && !strncmp(auth, "Bearer ", 7))
            k = auth + 7;
    }
    *given = k != NULL;
    if (!k)
        return false;
    return rlx_remote_key_equal(k, strlen(k), r->key, r->key_len);
}

/* --- live updates (Server-Sent Events) --------------------------------------------- */

static bool sse_build(sse_stream *s, const rlx_remote_status *st)
{
    char *json = rlx_remote_status_json(st);
    if (!json)
        return false;
    size_t n = strlen(json);
    const char *head = s->first ? "retry: 1000\nevent: status\ndata: " : "event: status\ndata: ";
    size_t hn = strlen(head);
    char *p = malloc(hn + n + 3);
    if (!p) {
        free(json);
        return false;
    }
    memcpy(p, head, hn);
    memcpy(p + hn, json, n);
    memcpy(p + hn + n, "\n\n", 3);
    free(json);
    free(s->pending);
    s->pending = p;
    s->plen = hn + n + 2;
    s->poff = 0;
    s->first = false;
    return true;
}

static void deadline_in(struct timespec *ts, int64_t ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* Runs on this connection's own thread, so it may wait. */
static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    sse_stream *s = cls;
    rlx_remote *r = s->r;
    if (s->pending && s->poff < s->plen) {
        size_t n = s->plen - s->poff < max ? s->plen - s->poff : max;
        memcpy(buf, s->pending + s->poff, n);
        s->poff += n;
        return (ssize_t)n;
    }
    pthread_mutex_lock(&r->lock);
    int64_t idle_since = now_ms();
    for (;;) {
        if (r->closing) {
            pthread_mutex_unlock(&r->lock);
            return MHD_CONTENT_READER_END_OF_STREAM;
        }
        int64_t now = now_ms();
        int64_t wait_ms;
        if (s->first || r->discrete_seq != s->sent_discrete) {
            wait_ms = 0;
        } else if (r->seq != s->sent_seq) {
            wait_ms = s->last_sent_ms + r->cfg.sse_interval_ms - now;
        } else {
            wait_ms = idle_since + KEEPALIVE_MS - now;
            if (wait_ms <= 0) {
                pthread_mutex_unlock(&r->lock);
                static const char ka[] = ": keepalive\n\n";
                size_t n = sizeof ka - 1 < max ? sizeof ka - 1 : max;
                memcpy(buf, ka, n);
                return (ssize_t)n;
            }
        }
        if (wait_ms <= 0)
            break;
        struct timespec ts;
        deadline_in(&ts, wait_ms);
        pthread_cond_timedwait(&r->changed, &r->lock, &ts);
    }
    rlx_remote_status st = r->status;
    s->sent_seq = r->seq;
    s->sent_discrete = r->discrete_seq;
    pthread_mutex_unlock(&r->lock);
    s->last_sent_ms = now_ms();
    if (!sse_build(s, &st))
        return MHD_CONTENT_READER_END_WITH_ERROR;
    return sse_read(cls, pos, buf, max);
}

static void sse_free(void *cls)
{
    sse_stream *s = cls;
    if (s) {
        free(s->pending);
        free(s);
    }
}

static enum MHD_Result start_events(rlx_remote *r, struct MHD_Connection *c)
{
    sse_stream *s = calloc(1, sizeof *s);
    if (!s)
        return MHD_NO;
    s->r = r;
    s->first = true;
    struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, sse_read, s, sse_free);
    if (!resp) {
        free(s);
        return MHD_NO;
    }
    common_headers(resp);
    MHD_add_response_header(resp, "Content-Type", "text/event-stream");
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* --- routing ------------------------------------------------------------------------ */

static enum MHD_Result serve_page(struct MHD_Connection *c, const char *key)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        rlx_remote_page_len, (void *)rlx_remote_page, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    common_headers(resp);
    MHD_add_response_header(resp, "Content-Type", "text/html; charset=utf-8");
    /* the page needs nothing but itself and this server */
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                            "connect-src 'self'; img-src 'self' data:; base-uri 'none'; "
                            "form-action 'none'; frame-ancestors 'none'");
    char cookie[RLX_REMOTE_KEY_MAX + 96];
    snprintf(cookie, sizeof cookie, COOKIE_NAME "=%s; Path=/; HttpOnly; SameSite=Strict", key);
    MHD_add_response_header(resp, "Set-Cookie", cookie);
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return ret;
}

static bool json_content_type(struct MHD_Connection *c)
{
    const char *t = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!t)
        return false;
    size_t n = strlen("application/json");
    return !strncasecmp(t, "application/json", n) && (t[n] == '\0' || t[n] == ';' || t[n] == ' ');
}

/* Under lock: queues cmd; false when the queue is full. */
static bool enqueue(rlx_remote *r, const rlx_remote_cmd *cmd)
{
    if (r->qcount >= QUEUE_LEN) {
        r->stats.dropped_commands++;
        return false;
    }
    r->queue[(r->qhead + r->qcount) % QUEUE_LEN] = *cmd;
    r->qcount++;
    r->stats.commands++;
    return true;
}

static enum MHD_Result run_command(rlx_remote *r, struct MHD_Connection *c, const char *name,
                                   const request *q)
{
    if (q->too_big)
        return reply_error(r, c, MHD_HTTP_CONTENT_TOO_LARGE, "the body is too large");
    /* a body must say it is JSON: no HTML form can send that cross-site
     * without the browser asking first, and we never say yes */
    if (q->len > 0 && !json_content_type(c))
        return reply_error(r, c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "send the body as Content-Type: application/json");
    pthread_mutex_lock(&r->lock);
    rlx_remote_status st = r->status;
    pthread_mutex_unlock(&r->lock);
    rlx_remote_cmd cmd;
    char why[256];
    int status = rlx_remote_parse_command(name, q->body, q->len, &st, &cmd, why, sizeof why);
    if (status)
        return reply_error(r, c, (unsigned)status, why);
    pthread_mutex_lock(&r->lock);
    bool queued = enqueue(r, &cmd);
    pthread_mutex_unlock(&r->lock);
    if (!queued)
        return reply_json(c, MHD_HTTP_SERVICE_UNAVAILABLE,
                          rlx_remote_error_json("busy: too many commands waiting, try again"));
    if (r->cfg.wake)
        r->cfg.wake(r->cfg.wake_user);
    char *ok = strdup("{\"ok\":true}");
    return reply_json(c, MHD_HTTP_OK, ok);
}

/* Profiles older than this are reloaded when a client asks for them. */
#define PROFILES_FRESH_MS 2000
#define PROFILES_WAIT_MS 1000

/* Runs on this connection's own thread, so it may wait (bounded) for the
 * control thread to reload the profiles; while a session plays they are
 * answered as they are (nobody reloads them then, and they cannot change). */
static enum MHD_Result serve_profiles(rlx_remote *r, struct MHD_Connection *c)
{
    pthread_mutex_lock(&r->lock);
    bool idle = r->status.state == RLX_REMOTE_IDLE || r->status.state == RLX_REMOTE_ENDED;
    if (idle && now_ms() - r->profiles_ms > PROFILES_FRESH_MS) {
        uint64_t seq = r->profiles_seq;
        r->profiles_wanted = true;
        pthread_mutex_unlock(&r->lock);
        if (r->cfg.wake)
            r->cfg.wake(r->cfg.wake_user);
        pthread_mutex_lock(&r->lock);
        struct timespec ts;
        deadline_in(&ts, PROFILES_WAIT_MS);
        while (r->profiles_seq == seq && !r->closing)
            if (pthread_cond_timedwait(&r->changed, &r->lock, &ts) != 0)
                break;
    }
    size_t n = r->nprofiles;
    rlx_remote_profile *copy = n ? malloc(n * sizeof *copy) : NULL;
    if (n && !copy) {
        pthread_mutex_unlock(&r->lock);
        return MHD_NO;
    }
    if (n)
        memcpy(copy, r->profiles, n * sizeof *copy);
    pthread_mutex_unlock(&r->lock);
    char *json = rlx_remote_profiles_json(r->room, copy, n);
    free(copy);
    return reply_json(c, MHD_HTTP_OK, json);
}

static enum MHD_Result start_session(rlx_remote *r, struct MHD_Connection *c, const request *q)
{
    if (q->too_big)
        return reply_error(r, c, MHD_HTTP_CONTENT_TOO_LARGE, "the body is too large");
    if (q->len > 0 && !json_content_type(c))
        return reply_error(r, c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "send the body as Content-Type: application/json");
    rlx_remote_cmd cmd;
    char why[256];
    /* checked and queued under one lock: of two quick starts, one wins */
    pthread_mutex_lock(&r->lock);
    rlx_remote_state state = r->start_pending ? RLX_REMOTE_STARTING : r->status.state;
    int status = rlx_remote_parse_start(q->body, q->len, r->profiles, r->nprofiles, state, &cmd, why,
                                        sizeof why);
    bool queued = false;
    if (!status && (queued = enqueue(r, &cmd))) {
        r->start_pending = true;
        /* the page shows it at once; the control thread publishes the rest */
        r->status.state = RLX_REMOTE_STARTING;
        snprintf(r->status.profile, sizeof r->status.profile, "%s", cmd.profile);
        r->status.message[0] = '\0';
        r->seq++;
        r->discrete_seq++;
        pthread_cond_broadcast(&r->changed);
    }
    pthread_mutex_unlock(&r->lock);
    if (status)
        return reply_error(r, c, (unsigned)status, why);
    if (!queued)
        return reply_json(c, MHD_HTTP_SERVICE_UNAVAILABLE,
                          rlx_remote_error_json("busy: too many commands waiting, try again"));
    if (r->cfg.wake)
        r->cfg.wake(r->cfg.wake_user);
    return reply_json(c, MHD_HTTP_OK, strdup("{\"ok\":true}"));
}

static enum MHD_Result route(rlx_remote *r, struct MHD_Connection *c, const char *url,
                             const char *method, const request *q)
{
    bool get = !strcmp(method, MHD_HTTP_METHOD_GET) || !strcmp(method, MHD_HTTP_METHOD_HEAD);
    bool post = !strcmp(method, MHD_HTTP_METHOD_POST);
    if (!strcmp(url, "/")) {
        if (!get)
            return reply_error(r, c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
        return serve_page(c, r->key);
    }
    if (!strcmp(url, "/api/status")) {
        if (!get)
            return reply_error(r, c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
        pthread_mutex_lock(&r->lock);
        rlx_remote_status st = r->status;
        pthread_mutex_unlock(&r->lock);
        return reply_json(c, MHD_HTTP_OK, rlx_remote_status_json(&st));
    }
    if (!strcmp(url, "/api/events")) {
        if (!get)
            return reply_error(r, c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
        return start_events(r, c);
    }
    if (r->cfg.serve && !strcmp(url, "/api/profiles")) {
        if (!get)
            return reply_error(r, c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
        return serve_profiles(r, c);
    }
    if (r->cfg.serve && !strcmp(url, "/api/start")) {
        if (!post)
            return reply_error(r, c, MHD_HTTP_METHOD_NOT_ALLOWED, "use POST");
        return start_session(r, c, q);
    }
    if (!strncmp(url, "/api/", 5)) {
        rlx_remote_cmd probe;
        char why[8];
        rlx_remote_status idle = {0};
        /* 404 for names that are no command, 405 for commands not POSTed */
        if (rlx_remote_parse_command(url + 5, NULL, 0, &idle, &probe, why, sizeof why) == 404)
            return reply_error(r, c, MHD_HTTP_NOT_FOUND, "no such endpoint");
        if (!post)
            return reply_error(r, c, MHD_HTTP_METHOD_NOT_ALLOWED, "use POST");
        return run_command(r, c, url + 5, q);
    }
    return reply_error(r, c, MHD_HTTP_NOT_FOUND, "not found");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    (void)version;
    rlx_remote *r = cls;
    request *q = *req_cls;
    if (!q) {
        q = calloc(1, sizeof *q);
        if (!q)
            return MHD_NO;
        *req_cls = q;

        /* first the address's standing, then the key, then anything else */
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        const struct sockaddr *sa = ci ? ci->client_addr : NULL;
        pthread_mutex_lock(&r->lock);
        r->stats.requests++;
        rate_slot *slot = rate_find(r, sa, false);
        bool locked_out = slot && slot->tokens < 1;
        if (locked_out)
            r->stats.rate_limited++;
        pthread_mutex_unlock(&r->lock);
        if (locked_out)
            return reply_json(c, MHD_HTTP_TOO_MANY_REQUESTS,
                              rlx_remote_error_json("too many wrong keys from this address; wait a little"));

        bool given, from_query;
        if (!present_key(r, c, &given, &from_query)) {
            pthread_mutex_lock(&r->lock);
            r->stats.unauthorized++;
            if (given) {
                slot = rate_find(r, sa, true);
                slot->tokens -= 1;
            }
            pthread_mutex_unlock(&r->lock);
            return reply_buf(c, MHD_HTTP_UNAUTHORIZED, "text/plain; charset=utf-8", "401 unauthorized\n",
                             17, MHD_RESPMEM_PERSISTENT, NULL, NULL);
        }
        const char *len = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (len && strtoull(len, NULL, 10) > r->cfg.body_limit)
            return reply_error(r, c, MHD_HTTP_CONTENT_TOO_LARGE, "the body is too large");
        q->started = true;
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        if (!q->too_big && q->len + n <= r->cfg.body_limit) {
            if (!q->body && !(q->body = malloc(r->cfg.body_limit + 1)))
                return MHD_NO;
            memcpy(q->body + q->len, upload_data, n);
            q->len += n;
        } else {
            q->too_big = true;
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    return route(r, c, url, method, q);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    request *q = *req_cls;
    if (q) {
        free(q->body);
        free(q);
    }
    *req_cls = NULL;
}

/* --- binding ------------------------------------------------------------------------ */

/* "ADDR", "ADDR:PORT", "[V6]", "[V6]:PORT" -> host and port (-1 = none). */
static bool split_listen(const char *spec, char *host, size_t hostlen, int *port)
{
    const char *colon;
    size_t hn;
    *port = -1;
    if (spec[0] == '[') {
        const char *end = strchr(spec, ']');
        if (!end)
            return false;
        hn = (size_t)(end - spec - 1);
        if (hn == 0 || hn >= hostlen)
            return false;
        memcpy(host, spec + 1, hn);
        host[hn] = '\0';
        if (end[1] == '\0')
            return true;
        if (end[1] != ':')
            return false;
        colon = end + 1;
    } else {
        colon = strrchr(spec, ':');
        if (colon && strchr(spec, ':') != colon)
            return false;  /* a bare IPv6 address needs brackets */
        hn = colon ? (size_t)(colon - spec) : strlen(spec);
        if (hn == 0 || hn >= hostlen)
            return false;
        memcpy(host, spec, hn);
        host[hn] = '\0';
        if (!colon)
            return true;
    }
    const char *p = colon + 1;
    if (!*p || strlen(p) > 5)
        return false;
    int v = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (*p - '0');
    }
    if (v > 65535)
        return false;
    *port = v;
    return true;
}

static int bind_one(const struct sockaddr *sa, socklen_t salen, int *err)
{
    int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *err = errno;
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (sa->sa_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, sa, salen) != 0 || listen(fd, 64) != 0) {
        *err = errno;
        close(fd);
        return -1;
    }
    return fd;
}

static rlx_err open_socket(rlx_remote *r, int *out_fd, char *why, size_t whylen)
{
    const rlx_remote_config *cfg = &r->cfg;
    char host[256] = "0.0.0.0";
    int port = -1;
    if (cfg->listen) {
        if (!split_listen(cfg->listen, host, sizeof host, &port)) {
            rlx_why(why, whylen,
                    "--remote-listen wants ADDRESS[:PORT] like 127.0.0.1:8787 or [::1]:0 (got '%s')",
                    cfg->listen);
            return RLX_ERR_USAGE;
        }
    }
    int first = port >= 0 ? port : cfg->port;
    int tries = port >= 0 ? 1 : cfg->port_tries > 0 ? cfg->port_tries : 1;
    if (first < 0 || first > 65535) {
        rlx_why(why, whylen, "the remote's port must be from 0 to 65535");
        return RLX_ERR_USAGE;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *ai = NULL;
    int gai = getaddrinfo(host, NULL, &hints, &ai);
    if (gai != 0 || !ai) {
        rlx_why(why, whylen, "cannot listen on '%s': %s; give an address of this machine like 127.0.0.1",
                host, gai_strerror(gai));
        return RLX_ERR_USAGE;
    }
    struct sockaddr_storage ss;
    socklen_t sslen = (socklen_t)ai->ai_addrlen;
    memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
    freeaddrinfo(ai);
    int err = 0, fd = -1, p = first;
    for (int i = 0; i < tries && p <= 65535; i++, p++) {
        if (ss.ss_family == AF_INET)
            ((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)p);
        else
            ((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)p);
        fd = bind_one((struct sockaddr *)&ss, sslen, &err);
        if (fd >= 0 || err != EADDRINUSE)
            break;
    }
    if (fd < 0) {
        if (err == EADDRINUSE && tries > 1)
            rlx_why(why, whylen, "cannot listen for the remote: ports %d to %d are all in use; "
                    "choose one with --remote-listen ADDRESS:PORT", first, p - 1);
        else
            rlx_why(why, whylen, "cannot listen for the remote on %s port %d: %s%s", host, first,
                    strerror(err), err == EADDRINUSE ? "; choose another with --remote-listen ADDRESS:PORT"
                    : err == EADDRNOTAVAIL ? "; give an address of this machine" : "");
        return RLX_ERR_IO;
    }
    struct sockaddr_storage got;
    socklen_t gotlen = sizeof got;
    getsockname(fd, (struct sockaddr *)&got, &gotlen);
    if (got.ss_family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&got;
        inet_ntop(AF_INET, &a->sin_addr, r->bound, sizeof r->bound);
        r->port = ntohs(a->sin_port);
        r->bound_any = a->sin_addr.s_addr == htonl(INADDR_ANY);
    } else {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&got;
        inet_ntop(AF_INET6, &a->sin6_addr, r->bound, sizeof r->bound);
        r->port = ntohs(a->sin6_port);
        r->bound_any = !memcmp(&a->sin6_addr, &in6addr_any, sizeof in6addr_any);
        r->bound_v6 = true;
    }
    *out_fd = fd;
    return RLX_OK;
}

rlx_err rlx_remote_new_key(char *key, size_t len, char *why, size_t whylen)
{
    if (len < 2 * KEY_BYTES + 1) {
        rlx_why(why, whylen, "no room for a key");
        return RLX_ERR_INTERNAL;
    }
    unsigned char raw[KEY_BYTES];
    size_t got = 0;
    while (got < sizeof raw) {
        ssize_t n = getrandom(raw + got, sizeof raw - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rlx_why(why, whylen, "no random numbers from the system for the remote's key (%s)", strerror(errno));
            return RLX_ERR_INTERNAL;
        }
        got += (size_t)n;
    }
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < sizeof raw && 2 * i + 2 < len; i++) {
        key[2 * i] = hex[raw[i] >> 4];
        key[2 * i + 1] = hex[raw[i] & 15];
    }
    key[2 * sizeof raw] = '\0';
    return RLX_OK;
}

rlx_err rlx_remote_open(const rlx_remote_config *cfg, rlx_remote **out, char *why, size_t whylen)
{
    *out = NULL;
    rlx_remote *r = calloc(1, sizeof *r);
    if (!r)
        return RLX_ERR_NOMEM;
    r->cfg = cfg ? *cfg : rlx_remote_config_init();
    if (r->cfg.key) {
        if (!rlx_remote_key_valid(r->cfg.key)) {
            rlx_why(why, whylen, "the remote key must be %d to %d characters from A-Z a-z 0-9 - _",
                    RLX_REMOTE_KEY_MIN, RLX_REMOTE_KEY_MAX);
            free(r);
            return RLX_ERR_USAGE;
        }
        snprintf(r->key, sizeof r->key, "%s", r->cfg.key);
    } else {
        rlx_err e = rlx_remote_new_key(r->key, sizeof r->key, why, whylen);
        if (e != RLX_OK) {
            free(r);
            return e;
        }
    }
    if (r->cfg.room)
        snprintf(r->room, sizeof r->room, "%s", r->cfg.room);
    r->cfg.room = NULL;
    r->status.serve = r->cfg.serve;
    snprintf(r->status.room, sizeof r->status.room, "%s", r->room);
    r->cfg.key = NULL;   /* not kept: the caller's string may go away */
    r->cfg.listen = NULL;
    r->key_len = strlen(r->key);
    if (!r->cfg.bad_key_burst)
        r->cfg.bad_key_burst = 1;
    r->status.volume_min_db = -40;
    r->status.background_min_db = -20;
    r->status.background_max_db = 10;
    pthread_mutex_init(&r->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&r->changed, &ca);
    pthread_condattr_destroy(&ca);

    rlx_remote_config given = cfg ? *cfg : rlx_remote_config_init();
    r->cfg.listen = given.listen;
    int fd = -1;
    rlx_err e = open_socket(r, &fd, why, whylen);
    r->cfg.listen = NULL;
    if (e != RLX_OK) {
        rlx_remote_close(r);
        return e;
    }
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
    if (r->bound_v6)
        flags |= MHD_USE_IPv6;
    sigset_t mask;
    rlx_signals_block(&mask);   /* its threads (one per connection) take no signals */
    r->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, r,
        MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)r->cfg.connection_limit,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)r->cfg.per_ip_limit,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)r->cfg.timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)r->cfg.memory_limit,
        MHD_OPTION_THREAD_STACK_SIZE, (size_t)(256 * 1024),
        MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, r,
        MHD_OPTION_END);
    rlx_signals_restore(&mask);
    if (!r->daemon) {
        close(fd);
        rlx_why(why, whylen, "cannot start the remote's web server (libmicrohttpd)");
        rlx_remote_close(r);
        return RLX_ERR_INTERNAL;
    }
    *out = r;
    return RLX_OK;
}

const char *rlx_remote_key(const rlx_remote *r)
{
    return r->key;
}

const char *rlx_remote_bound_address(const rlx_remote *r)
{
    return r->bound;
}

int rlx_remote_port(const rlx_remote *r)
{
    return r->port;
}

void rlx_remote_reach_address(const rlx_remote *r, char *buf, size_t len)
{
    if (!r->bound_any) {
        snprintf(buf, len, "%s", r->bound);
        return;
    }
    snprintf(buf, len, "%s", r->bound_v6 ? "::1" : "127.0.0.1");
    struct ifaddrs *ifs = NULL;
    if (getifaddrs(&ifs) != 0)
        return;
    for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
            continue;
        if ((i->ifa_flags & IFF_LOOPBACK) || !(i->ifa_flags & IFF_UP))
            continue;
        inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, buf, (socklen_t)len);
        break;
    }
    freeifaddrs(ifs);
}

void rlx_remote_url(const rlx_remote *r, char *buf, size_t len)
{
    char addr[INET6_ADDRSTRLEN];
    rlx_remote_reach_address(r, addr, sizeof addr);
    bool v6 = strchr(addr, ':') != NULL;
    snprintf(buf, len, "http://%s%s%s:%d/?key=%s", v6 ? "[" : "", addr, v6 ? "]" : "", r->port, r->key);
}

static bool same_discrete(const rlx_remote_status *a, const rlx_remote_status *b)
{
    return a->state == b->state && a->length_ms == b->length_ms && a->volume_db == b->volume_db &&
           a->background_db == b->background_db && a->length_live == b->length_live &&
           a->length_min_ms == b->length_min_ms && a->length_max_ms == b->length_max_ms &&
           a->lines == b->lines && !strcmp(a->session, b->session) && !strcmp(a->title, b->title) &&
           !strcmp(a->caption, b->caption) && !strcmp(a->profile, b->profile) &&
           !strcmp(a->message, b->message);
}

void rlx_remote_publish(rlx_remote *r, const rlx_remote_status *st)
{
    rlx_remote_status mine = *st;
    pthread_mutex_lock(&r->lock);
    /* what the configuration says, whoever publishes */
    snprintf(mine.room, sizeof mine.room, "%s", r->room);
    mine.serve = r->cfg.serve;
    if (!mine.profile[0])
        snprintf(mine.profile, sizeof mine.profile, "%s", r->profile);
    mine.message[sizeof mine.message - 1] = '\0';
    st = &mine;
    /* a queued start shows as starting until it is taken */
    if (r->start_pending && (st->state == RLX_REMOTE_IDLE || st->state == RLX_REMOTE_ENDED)) {
        mine.state = RLX_REMOTE_STARTING;
        snprintf(mine.profile, sizeof mine.profile, "%s", r->status.profile);
    }
    bool discrete = !same_discrete(&r->status, st);
    bool changed = discrete || r->status.position_ms != st->position_ms || r->status.breath != st->breath ||
                   r->status.breath_dir != st->breath_dir;
    r->status = *st;
    /* the strings are ours now: always terminated */
    r->status.session[sizeof r->status.session - 1] = '\0';
    r->status.title[sizeof r->status.title - 1] = '\0';
    r->status.caption[sizeof r->status.caption - 1] = '\0';
    if (changed) {
        r->seq++;
        if (discrete)
            r->discrete_seq++;
        pthread_cond_broadcast(&r->changed);
    }
    pthread_mutex_unlock(&r->lock);
}

bool rlx_remote_take(rlx_remote *r, rlx_remote_cmd *cmd)
{
    pthread_mutex_lock(&r->lock);
    bool any = r->qcount > 0;
    if (any) {
        *cmd = r->queue[r->qhead];
        r->qhead = (r->qhead + 1) % QUEUE_LEN;
        r->qcount--;
        if (cmd->op == RLX_REMOTE_CMD_START)
            r->start_pending = false;
    }
    pthread_mutex_unlock(&r->lock);
    return any;
}

void rlx_remote_set_profiles(rlx_remote *r, const rlx_remote_profile *p, size_t n)
{
    if (n > RLX_REMOTE_PROFILES_MAX)
        n = RLX_REMOTE_PROFILES_MAX;
    rlx_remote_profile *copy = n ? malloc(n * sizeof *copy) : NULL;
    if (n && !copy)
        n = 0;   /* out of memory: an empty list, said again at the next reload */
    for (size_t i = 0; i < n; i++) {
        copy[i] = p[i];
        copy[i].name[sizeof copy[i].name - 1] = '\0';
        copy[i].session[sizeof copy[i].session - 1] = '\0';
        copy[i].title[sizeof copy[i].title - 1] = '\0';
        copy[i].next[sizeof copy[i].next - 1] = '\0';
    }
    pthread_mutex_lock(&r->lock);
    free(r->profiles);
    r->profiles = copy;
    r->nprofiles = n;
    r->profiles_seq++;
    r->profiles_ms = now_ms();
    r->profiles_wanted = false;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
}

bool rlx_remote_profiles_wanted(rlx_remote *r)
{
    pthread_mutex_lock(&r->lock);
    bool w = r->profiles_wanted;
    r->profiles_wanted = false;
    pthread_mutex_unlock(&r->lock);
    return w;
}

void rlx_remote_set_profile(rlx_remote *r, const char *profile)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->lock);
    snprintf(r->profile, sizeof r->profile, "%s", profile ? profile : "");
    pthread_mutex_unlock(&r->lock);
}

void rlx_remote_get_stats(rlx_remote *r, rlx_remote_stats *st)
{
    pthread_mutex_lock(&r->lock);
    *st = r->stats;
    pthread_mutex_unlock(&r->lock);
    const union MHD_DaemonInfo *di =
        r->daemon ? MHD_get_daemon_info(r->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS) : NULL;
    st->connections = di ? di->num_connections : 0;
}

void rlx_remote_close(rlx_remote *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->lock);
    r->closing = true;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
    if (r->daemon)
        MHD_stop_daemon(r->daemon);   /* joins every connection thread; closes the socket */
    pthread_cond_destroy(&r->changed);
    pthread_mutex_destroy(&r->lock);
    free(r->profiles);
    free(r);
}
