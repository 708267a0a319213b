/* fuzz_decode.c - libFuzzer target: any bytes as an audio file (the first
 * byte picks the extension, so every container libsndfile reads is tried):
 * the decoder opens it, walks its chunks and decodes it, or says why not in
 * one line naming the file. Decoding is bounded by the input's size: 6 frames
 * per byte reach the end of any stream coded with 1.33 bits per frame or more
 * (every PCM and ADPCM encoding, GSM 6.10 at 1.65), so the end-of-data checks
 * are still met; the frames a FLAC or MP3 stream packs beyond that bound run
 * the same code again (decoding up to 48000 frames of each input made this
 * target run at 0.9k exec/s). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audio/decode.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s\n", #c); abort(); } } while (0)

static char folder[256];
static const char *const exts[] = {"wav", "flac", "ogg", "aiff", "caf", "w64", "rf64", "au", "opus", "mp3", "voc", "raw"};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    /* every execution writes its input to a file: tmpfs unless TMPDIR says
     * otherwise */
    const char *tmp = getenv("TMPDIR");
    if (!tmp)
        tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(folder, sizeof folder, "%s/relax-fuzz-XXXXXX", tmp);
    if (!mkdtemp(folder))
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char path[512];
    snprintf(path, sizeof path, "%s/in.%s", folder, exts[data[0] % (sizeof exts / sizeof *exts)]);
    FILE *f = fopen(path, "wb");
    CHECK(f);
    CHECK(fwrite(data + 1, 1, size - 1, f) == size - 1);
    fclose(f);
    rlx_decoder *d = NULL;
    char why[512] = "";
    rlx_err e = rlx_decoder_open(path, &d, why, sizeof why);
    if (e != RLX_OK) {
        CHECK(!d && why[0] && !strchr(why, '\n') && strstr(why, "in."));
    } else {
        const size_t nch = (size_t)rlx_decoder_channels(d);
        CHECK(nch == 1 || nch == 2);
        CHECK(rlx_decoder_rate(d) > 0);
        float buf[2 * 1024];
        const size_t max_frames = 6 * size + 1024;
        size_t total = 0;
        for (;;) {
            size_t got = 0;
            e = rlx_decoder_read(d, buf, 1024, &got, why, sizeof why);
            if (e != RLX_OK) {
                CHECK(why[0] && !strchr(why, '\n'));
                break;
            }
            for (size_t k = 0; k < got * nch; k++)
                CHECK(buf[k] == buf[k]); /* no NaN reaches the caller */
            total += got;
            if (got == 0 || total >= max_frames)
                break;
        }
        rlx_decoder_close(d);
    }
    unlink(path);
    return 0;
}
