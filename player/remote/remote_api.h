/* remote_api.h - the remote's pure parts: keys, the JSON request bodies
 * and the status document. No threads, no I/O (remote_api.c, jansson). */
#ifndef RLX_REMOTE_API_H
#define RLX_REMOTE_API_H

#include <stdbool.h>
#include <stddef.h>

#include "remote/remote.h"

/* Checks a given key's form (length and characters). */
bool rlx_remote_key_valid(const char *key);

/* Compares in time that depends only on the expected key's length. */
bool rlx_remote_key_equal(const char *given, size_t given_len, const char *key, size_t key_len);

/* Parses a POST body for the API endpoint (e.g. "seek") against the status
 * and fills cmd. On error returns the HTTP status (400 bad request, 404 no
 * such endpoint, 409 not possible now) with a one-line message in why;
 * on success 0. body may be NULL when len is 0. */
int rlx_remote_parse_command(const char *endpoint, const char *body, size_t len,
                             const rlx_remote_status *st, rlx_remote_cmd *cmd,
                             char *why, size_t whylen);

/* Parses a POST /api/start body ({"profile": NAME, "length_ms": N}, the
 * length optional) against the lobby's profiles. 400: bad JSON, unknown
 * field or profile, length out of that profile's range; 409: that profile
 * has no week to play now, or state is not idle or ended. 0 and cmd filled
 * (length_ms given or the profile's offered length) on success. */
int rlx_remote_parse_start(const char *body, size_t len, const rlx_remote_profile *profiles, size_t n,
                           rlx_remote_state state, rlx_remote_cmd *cmd, char *why, size_t whylen);

/* {"room": ..., "profiles": [...]} as one line, malloc'ed; NULL when out of memory. */
char *rlx_remote_profiles_json(const char *room, const rlx_remote_profile *profiles, size_t n);

/* The status as one line of JSON (no newline), malloc'ed; NULL when out of memory. */
char *rlx_remote_status_json(const rlx_remote_status *st);
/* {"error":"msg"} as one line, malloc'ed. */
char *rlx_remote_error_json(const char *msg);

#endif
