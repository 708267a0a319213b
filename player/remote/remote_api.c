/* remote_api.c - keys, request bodies and the status document.
 *
 * JSON goes through jansson (Debian libjansson-dev): it rejects duplicate
 * keys and trailing garbage on request, escapes everything on output, and
 * is small, well kept and thread-safe for separate objects. The bodies are
 * flat objects, checked field by field: a field we do not know, a value of
 * the wrong type or out of range is refused with one line saying what is
 * wanted, and nothing is queued. */
#include "remote_api.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DELTA_MS (24LL * 3600 * 1000)
#define MAX_DELTA_DB 60.0

const char *rlx_remote_state_name(rlx_remote_state s)
{
    static const char *const names[] = {
        [RLX_REMOTE_IDLE] = "idle",         [RLX_REMOTE_STARTING] = "starting",
        [RLX_REMOTE_PLAYING] = "playing",   [RLX_REMOTE_PAUSED] = "paused",
        [RLX_REMOTE_STOPPING] = "stopping", [RLX_REMOTE_ENDED] = "ended",
    };
    if ((int)s < 0 || (size_t)s >= sizeof names / sizeof names[0])
        return "idle";
    return names[s];
}

bool rlx_remote_key_valid(const char *key)
{
    if (!key)
        return false;
    size_t n = strlen(key);
    if (n < RLX_REMOTE_KEY_MIN || n > RLX_REMOTE_KEY_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = key[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_'))
            return false;
    }
    return true;
}

bool rlx_remote_key_equal(const char *given, size_t given_len, const char *key, size_t key_len)
{
    /* every byte of the key is looked at whatever the input: how long the
     * answer takes says nothing about how much of a guess was right */
    volatile unsigned char diff = given_len != key_len;
    for (size_t i = 0; i < key_len; i++) {
        unsigned char g = i < given_len ? (unsigned char)given[i] : 0;
        diff |= g ^ (unsigned char)key[i];
    }
    return diff == 0;
}

/* --- request bodies -------------------------------------------------------- */

typedef struct {
    const char *name;
    const char *abs_field, *rel_field;  /* NULL when the endpoint has none */
    bool is_db;
    rlx_remote_op op;
    const char *example;
} endpoint;

static const endpoint endpoints[] = {
    {"pause", NULL, NULL, false, RLX_REMOTE_CMD_PAUSE, "{}"},
    {"resume", NULL, NULL, false, RLX_REMOTE_CMD_RESUME, "{}"},
    {"stop", NULL, NULL, false, RLX_REMOTE_CMD_STOP, "{}"},
    {"seek", "position_ms", "delta_ms", false, RLX_REMOTE_CMD_SEEK, "{\"position_ms\": 90000}"},
    {"volume", "db", "delta_db", true, RLX_REMOTE_CMD_VOLUME, "{\"db\": -6}"},
    {"background", "db", "delta_db", true, RLX_REMOTE_CMD_BACKGROUND, "{\"db\": -3}"},
    {"length", "length_ms", "delta_ms", false, RLX_REMOTE_CMD_LENGTH, "{\"length_ms\": 1200000}"},
    {"line", NULL, NULL, false, RLX_REMOTE_CMD_LINE, "{\"dir\": \"next\"}"},
};

static int fail(char *why, size_t whylen, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *why, size_t whylen, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (why && whylen)
        vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
    return status;
}

static bool playing_state(rlx_remote_state s)
{
    return s == RLX_REMOTE_STARTING || s == RLX_REMOTE_PLAYING || s == RLX_REMOTE_PAUSED;
}

static int parse_number_field(const endpoint *e, const char *field, json_t *v, bool relative,
                              const rlx_remote_status *st, rlx_remote_cmd *cmd, char *why,
                              size_t whylen)
{
    cmd->relative = relative;
    if (e->is_db) {
        if (!json_is_number(v))
            return fail(why, whylen, 400, "%s wants a number of decibels, like %s", field, e->example);
        double db = json_number_value(v);
        if (relative) {
            if (!(fabs(db) <= MAX_DELTA_DB))
                return fail(why, whylen, 400, "%s must be from %.0f to %.0f", field, -MAX_DELTA_DB,
                            MAX_DELTA_DB);
        } else {
            double lo = e->op == RLX_REMOTE_CMD_VOLUME ? st->volume_min_db : st->background_min_db;
            double hi = e->op == RLX_REMOTE_CMD_VOLUME ? st->volume_max_db : st->background_max_db;
            if (!(db >= lo && db <= hi))
                return fail(why, whylen, 400, "%s must be from %g to %g (got %g)", field, lo, hi, db);
        }
        cmd->db = db;
        return 0;
    }
    if (!json_is_integer(v))
        return fail(why, whylen, 400, "%s wants a whole number of milliseconds, like %s", field,
                    e->example);
    json_int_t ms = json_integer_value(v);
    if (relative) {
        if (ms < -MAX_DELTA_MS || ms > MAX_DELTA_MS)
            return fail(why, whylen, 400, "%s must be from %lld to %lld", field, -MAX_DELTA_MS,
                        MAX_DELTA_MS);
    } else if (e->op == RLX_REMOTE_CMD_SEEK) {
        if (ms < 0 || ms > st->length_ms)
            return fail(why, whylen, 400, "%s must be from 0 to %" PRId64 " (got %lld)", field,
                        st->length_ms, (long long)ms);
    } else if (ms < st->length_min_ms || ms > st->length_max_ms) {
        return fail(why, whylen, 400, "%s must be from %" PRId64 " to %" PRId64 " (got %lld)", field,
                    st->length_min_ms, st->length_max_ms, (long long)ms);
    }
    cmd->ms = (int64_t)ms;
    return 0;
}

int rlx_remote_parse_command(const char *name, const char *body, size_t len,
                             const rlx_remote_status *st, rlx_remote_cmd *cmd, char *why,
                             size_t whylen)
{
    const endpoint *e = NULL;
    for (size_t i = 0; i < sizeof endpoints / sizeof endpoints[0]; i++)
        if (!strcmp(endpoints[i].name, name))
            e = &endpoints[i];
    if (!e)
        return fail(why, whylen, 404, "no such endpoint");
    *cmd = (rlx_remote_cmd){.op = e->op};

    json_t *root = NULL;
    if (len > 0) {
        json_error_t jerr;
        root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!root)
            /* jerr.text quotes the input: only the position is given back */
            return fail(why, whylen, 400, "the body is not valid JSON (at character %d); want %s",
                        jerr.position, e->example);
        if (!json_is_object(root)) {
            json_decref(root);
            return fail(why, whylen, 400, "the body must be a JSON object like %s", e->example);
        }
    }

    int status = 0;
    bool have_value = false;
    const char *key;
    json_t *v;
    if (root) {
        json_object_foreach(root, key, v) {
            if (e->abs_field && !strcmp(key, e->abs_field)) {
                status = parse_number_field(e, key, v, false, st, cmd, why, whylen);
            } else if (e->rel_field && !strcmp(key, e->rel_field)) {
                status = parse_number_field(e, key, v, true, st, cmd, why, whylen);
            } else if (e->op == RLX_REMOTE_CMD_LINE && !strcmp(key, "dir")) {
                const char *d = json_string_value(v);
                if (d && !strcmp(d, "next"))
                    cmd->dir = 1;
                else if (d && !strcmp(d, "prev"))
                    cmd->dir = -1;
                else
                    status = fail(why, whylen, 400, "dir must be \"next\" or \"prev\"");
            } else {
                /* the name is not echoed: it could be anything */
                if (e->abs_field)
                    status = fail(why, whylen, 400, "unknown field; %s takes %s or %s, like %s", e->name,
                                  e->abs_field, e->rel_field, e->example);
                else if (e->op == RLX_REMOTE_CMD_LINE)
                    status = fail(why, whylen, 400, "unknown field; line takes dir, like %s", e->example);
                else
                    status = fail(why, whylen, 400, "unknown field; %s takes no fields (send {} or nothing)",
                                  e->name);
            }
            if (status)
                break;
            if (have_value) {
                status = fail(why, whylen, 400, "give one value, like %s", e->example);
                break;
            }
            have_value = true;
        }
        json_decref(root);
    }
    if (status)
        return status;
    bool wants_value = e->abs_field || e->op == RLX_REMOTE_CMD_LINE;
    if (wants_value && !have_value)
        return fail(why, whylen, 400, "%s wants a JSON object like %s", e->name, e->example);
    if (!playing_state(st->state))
        return fail(why, whylen, 409, "nothing is playing (state %s)", rlx_remote_state_name(st->state));
    if (e->op == RLX_REMOTE_CMD_LENGTH && !st->length_live)
        return fail(why, whylen, 409, "this session's length cannot change while it plays");
    return 0;
}

/* --- documents --------------------------------------------------------------- */

/* jansson refuses strings that are not UTF-8; a bad caption must not take
 * the whole status with it */
static json_t *str_or_empty(const char *s)
{
    json_t *j = json_string(s ? s : "");
    return j ? j : json_string("");
}

static char *dump(json_t *o)
{
    if (!o)
        return NULL;
    /* ESCAPE_SLASH: "</script>" can never appear in anything we send */
    char *s = json_dumps(o, JSON_COMPACT | JSON_ESCAPE_SLASH);
    json_decref(o);
    return s;
}

char *rlx_remote_status_json(const rlx_remote_status *st)
{
    const char *phase = st->breath_dir > 0 ? "in" : st->breath_dir < 0 ? "out" : "hold";
    double breath = isfinite(st->breath) ? st->breath : 0;
    json_t *o = json_pack(
        "{s:s, s:o, s:o, s:I, s:I, s:I, s:I, s:b, s:f, s:f, s:f, s:f, s:f, s:f, s:o, s:{s:f, s:s}, s:b}",
        "state", rlx_remote_state_name(st->state), "session", str_or_empty(st->session), "title",
        str_or_empty(st->title), "position_ms", (json_int_t)st->position_ms, "length_ms",
        (json_int_t)st->length_ms, "length_min_ms", (json_int_t)st->length_min_ms, "length_max_ms",
        (json_int_t)st->length_max_ms, "length_live", st->length_live, "volume_db",
        isfinite(st->volume_db) ? st->volume_db : 0.0, "volume_min_db", st->volume_min_db,
        "volume_max_db", st->volume_max_db, "background_db",
        isfinite(st->background_db) ? st->background_db : 0.0, "background_min_db",
        st->background_min_db, "background_max_db", st->background_max_db, "caption",
        str_or_empty(st->caption), "breath", "level", breath, "phase", phase, "lines", st->lines);
    /* beside the pack: json_pack takes at most so many arguments per call */
    if (o && (json_object_set_new(o, "length_next_ms", json_integer((json_int_t)st->length_next_ms)) ||
              json_object_set_new(o, "profile", str_or_empty(st->profile)) ||
              json_object_set_new(o, "room", str_or_empty(st->room)) ||
              json_object_set_new(o, "serve", json_boolean(st->serve)) ||
              json_object_set_new(o, "message", str_or_empty(st->message)))) {
        json_decref(o);
        return NULL;
    }
    return dump(o);
}

/* --- serve: the lobby ---------------------------------------------------------- */

int rlx_remote_parse_start(const char *body, size_t len, const rlx_remote_profile *profiles, size_t n,
                           rlx_remote_state state, rlx_remote_cmd *cmd, char *why, size_t whylen)
{
    static const char example[] = "{\"profile\": \"anna\", \"length_ms\": 1200000}";
    *cmd = (rlx_remote_cmd){.op = RLX_REMOTE_CMD_START};
    if (len == 0)
        return fail(why, whylen, 400, "start wants a JSON object like %s", example);
    json_error_t jerr;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return fail(why, whylen, 400, "the body is not valid JSON (at character %d); want %s", jerr.position,
                    example);
    int status = 0;
    const rlx_remote_profile *p = NULL;
    json_t *jlen = NULL;
    const char *key;
    json_t *v;
    if (!json_is_object(root)) {
        status = fail(why, whylen, 400, "the body must be a JSON object like %s", example);
    } else {
        json_object_foreach(root, key, v) {
            if (!strcmp(key, "profile")) {
                const char *name = json_string_value(v);
                if (!name) {
                    status = fail(why, whylen, 400, "profile wants a name, like %s", example);
                    break;
                }
                for (size_t i = 0; i < n && !p; i++)
                    if (!strcmp(profiles[i].name, name))
                        p = &profiles[i];
                if (!p) {   /* the name is not echoed: it could be anything */
                    status = fail(why, whylen, 400, "no such profile; GET /api/profiles lists them");
                    break;
                }
            } else if (!strcmp(key, "length_ms")) {
                jlen = v;
            } else {
                status = fail(why, whylen, 400, "unknown field; start takes profile and length_ms, like %s",
                              example);
                break;
            }
        }
    }
    if (!status && !p)
        status = fail(why, whylen, 400, "start wants a profile, like %s", example);
    if (!status && jlen && !json_is_integer(jlen))
        status = fail(why, whylen, 400, "length_ms wants a whole number of milliseconds, like %s", example);
    if (!status) {
        int64_t ms = jlen ? (int64_t)json_integer_value(jlen) : p->length_ms;
        if (p->week <= 0)
            status = fail(why, whylen, 409, "%s has no week to play now (%s)", p->name, p->next);
        else if (ms < p->length_min_ms || ms > p->length_max_ms)
            status = fail(why, whylen, 400,
                          "length_ms must be from %" PRId64 " to %" PRId64 " for this week (got %" PRId64 ")",
                          p->length_min_ms, p->length_max_ms, ms);
        else if (state != RLX_REMOTE_IDLE && state != RLX_REMOTE_ENDED)
            status = fail(why, whylen, 409, "a session is already playing (state %s); stop it first",
                          rlx_remote_state_name(state));
        else {
            cmd->ms = ms;
            snprintf(cmd->profile, sizeof cmd->profile, "%s", p->name);
        }
    }
    json_decref(root);
    return status;
}

char *rlx_remote_profiles_json(const char *room, const rlx_remote_profile *profiles, size_t n)
{
    json_t *arr = json_array();
    if (!arr)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const rlx_remote_profile *p = &profiles[i];
        json_t *o = json_pack("{s:o, s:i, s:i, s:i, s:o, s:o, s:o, s:I, s:I, s:I, s:I}", "name",
                              str_or_empty(p->name), "weeks", p->weeks, "done", p->done, "week", p->week,
                              "session", str_or_empty(p->session), "title", str_or_empty(p->title), "next",
                              str_or_empty(p->next), "resume_ms", (json_int_t)p->resume_ms, "length_ms",
                              (json_int_t)p->length_ms, "length_min_ms", (json_int_t)p->length_min_ms,
                              "length_max_ms", (json_int_t)p->length_max_ms);
        if (!o || json_array_append_new(arr, o)) {
            json_decref(arr);
            return NULL;
        }
    }
    return dump(json_pack("{s:o, s:o}", "room", str_or_empty(room), "profiles", arr));
}

char *rlx_remote_error_json(const char *msg)
{
    return dump(json_pack("{s:o}", "error", str_or_empty(msg)));
}
