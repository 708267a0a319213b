/* remote.h - the phone remote: an embedded HTTP server (libmicrohttpd) that
 * serves one page and a small JSON API and turns requests into commands for
 * whoever plays the session.
 *
 * Threads:
 *  - the server's own threads (one listening thread, one per connection,
 *    bounded by the connection limits) parse requests, check the key and
 *    validate commands against the last published status;
 *  - the control thread (the caller: the CLI around the engine) publishes
 *    the status with rlx_remote_publish() and takes commands with
 *    rlx_remote_take(); both only lock a small mutex for a copy, so the
 *    server can never stall playback, and it never sees the audio callback.
 * Nothing listens until rlx_remote_open(). */
#ifndef RLX_REMOTE_H
#define RLX_REMOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define RLX_REMOTE_DEFAULT_PORT 8787
/* A given key: at least this many characters from A-Z a-z 0-9 - _ */
#define RLX_REMOTE_KEY_MIN 22
#define RLX_REMOTE_KEY_MAX 128
#define RLX_REMOTE_NAME_MAX 64      /* a profile or room name (RLX_PROFILE_NAME_MAX) */
#define RLX_REMOTE_PROFILES_MAX 500 /* the lobby lists at most this many profiles */

typedef enum {
    RLX_REMOTE_IDLE,
    RLX_REMOTE_STARTING,
    RLX_REMOTE_PLAYING,
    RLX_REMOTE_PAUSED,
    RLX_REMOTE_STOPPING,
    RLX_REMOTE_ENDED
} rlx_remote_state;

/* What the page and GET /api/status show. Plain data; the server keeps a copy. */
typedef struct {
    rlx_remote_state state;
    char session[128];        /* session id */
    char title[256];
    char caption[1024];       /* the line being spoken (or the last one), "" if none */
    int64_t position_ms, length_ms;
    int64_t length_next_ms;   /* a length change asked for and not heard yet; 0 = none */
    double volume_db, background_db;
    double breath;            /* the breathing tone's shape now, 0 (out) .. 1 (in) */
    int breath_dir;           /* +1 breathing in, -1 out, 0 holding */
    /* what commands may ask for */
    double volume_min_db, volume_max_db;
    double background_min_db, background_max_db;
    int64_t length_min_ms, length_max_ms;
    bool length_live;         /* the length can change while playing */
    bool lines;               /* there are spoken lines to step through */
    char profile[RLX_REMOTE_NAME_MAX + 1];  /* whose session it is, "" if none */
    char message[256];        /* serve: why the last start failed, "" if it did not */
    /* filled in by rlx_remote_publish from the configuration: */
    char room[RLX_REMOTE_NAME_MAX + 1];     /* --room, "" if none */
    bool serve;               /* the lobby (profiles, start) is on: `relax serve` */
} rlx_remote_status;

/* `relax serve`: one profile (client) the lobby lists, with what starting
 * a session for it would play. Plain data; the server keeps a copy. */
typedef struct {
    char name[RLX_REMOTE_NAME_MAX + 1];
    int weeks, done;          /* weeks in the program, weeks completed */
    int week;                 /* the week a start plays (1-based); 0: none now */
    char session[128], title[256];
    char next[192];           /* one line: "resume at 4:10", "week 3 opens on ...", "all weeks done" */
    int64_t resume_ms;        /* a start resumes here, a little before where it stopped (0: from the beginning) */
    int64_t length_ms;        /* the length offered first */
    int64_t length_min_ms, length_max_ms;  /* lengths a start may ask for */
} rlx_remote_profile;

const char *rlx_remote_state_name(rlx_remote_state s);

typedef enum {
    RLX_REMOTE_CMD_PAUSE,
    RLX_REMOTE_CMD_RESUME,
    RLX_REMOTE_CMD_STOP,        /* fade out and stop */
    RLX_REMOTE_CMD_SEEK,        /* ms: absolute position */
    RLX_REMOTE_CMD_VOLUME,      /* db: absolute master volume */
    RLX_REMOTE_CMD_BACKGROUND,  /* db: absolute background level */
    RLX_REMOTE_CMD_LENGTH,      /* ms: absolute session length */
    RLX_REMOTE_CMD_LINE,        /* dir: +1 next spoken line, -1 previous */
    RLX_REMOTE_CMD_START        /* serve: profile, ms = length */
} rlx_remote_op;

/* A validated command. Absolute values are in range for the status it was
 * checked against; relative ones (ms or db to add) are bounded, and the
 * control thread adds them to what it has and clamps (so two quick taps on
 * "+15 s" add up even before the status shows the first). */
typedef struct {
    rlx_remote_op op;
    bool relative;
    int64_t ms;
    double db;
    int dir;
    char profile[RLX_REMOTE_NAME_MAX + 1];   /* START */
} rlx_remote_cmd;

typedef struct {
    const char *listen;       /* "ADDR[:PORT]", "[V6ADDR]:PORT"; NULL = all IPv4 interfaces */
    int port;                 /* with listen == NULL: first port to try (RLX_REMOTE_DEFAULT_PORT) */
    int port_tries;           /* with listen == NULL: try port, port+1, ... (default 20) */
    const char *key;          /* NULL = RLX_REMOTE_KEY_MIN.. random characters from getrandom() */
    /* caps (defaults in rlx_remote_config_init) */
    unsigned connection_limit;      /* all clients */
    unsigned per_ip_limit;          /* one client address */
    unsigned timeout_s;             /* idle connection is closed after this */
    size_t memory_limit;            /* per connection: request line + headers + buffers */
    size_t body_limit;              /* POST body */
    unsigned bad_key_burst;         /* bad keys allowed from one address ... */
    unsigned bad_key_refill_ms;     /* ... one more allowed after each such period */
    unsigned sse_interval_ms;       /* least time between two position-only updates */
    bool serve;               /* `relax serve`: GET /api/profiles and POST /api/start */
    const char *room;         /* shown on the page and in the status (copied); NULL = none */
    /* called on a server thread after a command was queued (may be NULL);
     * must return at once (e.g. write to an eventfd) */
    void (*wake)(void *user);
    void *wake_user;
} rlx_remote_config;

rlx_remote_config rlx_remote_config_init(void);

typedef struct rlx_remote rlx_remote;

/* Binds, then starts the server threads. RLX_ERR_USAGE for a bad listen
 * address or key, RLX_ERR_IO when the address cannot be bound (why says
 * which and what to do), RLX_ERR_NOMEM. */
rlx_err rlx_remote_open(const rlx_remote_config *cfg, rlx_remote **out, char *why, size_t whylen);

/* A new random key (128 bits from getrandom(), 32 hex digits) into key
 * (len >= 33). RLX_ERR_INTERNAL with why when the system gives no random numbers. */
rlx_err rlx_remote_new_key(char *key, size_t len, char *why, size_t whylen);

/* The key clients must present (NUL-terminated, lives as long as r). */
const char *rlx_remote_key(const rlx_remote *r);
/* The bound address (numeric) and port. */
const char *rlx_remote_bound_address(const rlx_remote *r);
int rlx_remote_port(const rlx_remote *r);
/* An address a phone on the LAN can reach: the bound address if it is a
 * specific one, else the first non-loopback IPv4 address (loopback if none). */
void rlx_remote_reach_address(const rlx_remote *r, char *buf, size_t len);
/* "http://ADDRESS:PORT/?key=KEY" */
void rlx_remote_url(const rlx_remote *r, char *buf, size_t len);

/* Control thread: the current status (copied; wakes live updates when
 * something changed). Until the first call the state is idle. */
void rlx_remote_publish(rlx_remote *r, const rlx_remote_status *st);

/* Control thread (serve): the profiles the lobby lists (copied; at most
 * RLX_REMOTE_PROFILES_MAX are kept). A start is checked against them. */
void rlx_remote_set_profiles(rlx_remote *r, const rlx_remote_profile *p, size_t n);

/* Control thread (serve): true once after a client asked for the profiles
 * while they may be stale; the caller then reloads them and calls
 * rlx_remote_set_profiles (the client waits for that up to a second). */
bool rlx_remote_profiles_wanted(rlx_remote *r);

/* Control thread: whose session plays ("" or NULL: none); goes into every
 * status published after. */
void rlx_remote_set_profile(rlx_remote *r, const char *profile);

/* Control thread: the next queued command, oldest first; false when none. */
bool rlx_remote_take(rlx_remote *r, rlx_remote_cmd *cmd);

/* Counters for tests and the report. */
typedef struct {
    uint64_t requests, unauthorized, rate_limited, bad_requests, commands, dropped_commands;
    unsigned connections;   /* open now, including those still being closed */
} rlx_remote_stats;
void rlx_remote_get_stats(rlx_remote *r, rlx_remote_stats *st);

/* Stops the server (open connections and live updates end) and frees it.
 * Accepts NULL. */
void rlx_remote_close(rlx_remote *r);

#endif
