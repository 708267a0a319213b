/* jack_names.h - the JACK client names the live-test helpers use.
 * libjack names a client's socket after the client alone, not its server
 * (/dev/shm/jack_NAME_UID_0), so clients named alike in tests running at
 * once on their own servers take each other's socket. Each helper's own
 * client gets its process id; the player's client is the one the test
 * named (RELAX_JACK_CLIENT, default "relax"). */
#ifndef RLX_JACK_NAMES_H
#define RLX_JACK_NAMES_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* "BASE-PID" into buf. */
static inline const char *rlx_helper_client_name(const char *base, char *buf, size_t len)
{
    snprintf(buf, len, "%s-%d", base, (int)getpid());
    return buf;
}

/* The regex of the player's ports: "^NAME:" for RELAX_JACK_CLIENT, else fallback. */
static inline const char *rlx_player_port_pattern(const char *fallback, char *buf, size_t len)
{
    const char *n = getenv("RELAX_JACK_CLIENT");
    if (!n || !*n)
        return fallback;
    snprintf(buf, len, "^%s:", n);
    return buf;
}

#endif
