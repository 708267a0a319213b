/* fuzz_duration.c - libFuzzer target: any bytes as a command-line duration
 * (--length, --from, --to). Parsing never reads past the text, accepts only
 * 0..24 hours, and "too long" is only said of a text that is not accepted. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/session.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s\n", #c); abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = 0;
    int64_t ms = -1;
    bool ok = rlx_parse_duration_ms(text, &ms);
    bool too_long = rlx_duration_too_long(text);
    if (ok)
        CHECK(ms >= 0 && ms <= 24LL * 3600 * 1000);
    CHECK(!(ok && too_long));
    if (ok) {
        /* the same value written back in milliseconds parses to itself */
        char again[64];
        snprintf(again, sizeof again, "%lld ms", (long long)ms);
        int64_t ms2 = -1;
        CHECK(rlx_parse_duration_ms(again, &ms2) && ms2 == ms);
    }
    free(text);
    return 0;
}
