/* jack_capture.c - test helper: records what a JACK client plays.
 *
 *   jack_capture -o OUT.wav [-p PORT_REGEX] [-w WAIT_S] [-t MAX_S] [-f FIRST_FILE]
 *
 * Registers two input ports, polls the JACK graph (every millisecond, for at
 * most WAIT_S seconds, default 10) until two output ports matching
 * PORT_REGEX (default "^relax") appear, connects them, and writes what
 * arrives to OUT.wav as 32-bit float (so nothing is rounded). Stops when
 * those ports go away (the player exited), the server shuts down, SIGINT or
 * SIGTERM arrive, or MAX_S seconds (default 600) have passed. With -f, it
 * writes to FIRST_FILE the CLOCK_MONOTONIC time (ns) of the first recorded
 * frame ("start_mono") and of the first non-zero sample ("first_mono"), and
 * the latter as CLOCK_REALTIME ("first_real", to compare with `date +%s%N`),
 * and how much the wall clock ran ahead of the JACK clock while recording
 * ("drift_ms": a dummy server on a busy machine loses time at each xrun),
 * and the span from the first to the last non-zero sample on the audio
 * clock, in frames the server cycled ("audio_ms"), and from this client's
 * start (before the player's, when started first) to the first non-zero
 * sample on that clock ("since_open_ms").
 * Prints "listening" on stdout once it runs, "connected" once connected.
 * Exit: 0 recorded, 1 error, 3 no matching ports appeared in time. */
#include <errno.h>
#include <jack/jack.h>

#include "jack_names.h"
#include <jack/ringbuffer.h>
#include <signal.h>
#include <sndfile.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static jack_port_t *in_port[2];
static jack_ringbuffer_t *rb;
static atomic_bool recording, shutdown_seen, overflow;
static atomic_llong first_ns, first_real_ns, start_ns, last_ns, frames;
/* on the audio clock: frames counted by the server's cycles since recording
 * began, of the first and the last non-zero sample (-1: none yet) */
static atomic_llong first_nz = -1, last_nz = -1, seen;
static volatile sig_atomic_t stop_sig;
/* the server's frame time when this client started, and of the first
 * non-zero sample: the audio clock from before the player ran to its first sound */
static jack_client_t *client;
static atomic_llong open_frame = -1, first_frame = -1;

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void sleep_ms(int ms)
{
    struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) == -1 && errno == EINTR && !stop_sig)
        ;
}

static int process(jack_nframes_t n, void *arg)
{
    (void)arg;
    if (!atomic_load(&recording))
        return 0;
    const float *l = jack_port_get_buffer(in_port[0], n);
    const float *r = jack_port_get_buffer(in_port[1], n);
    if (!atomic_load(&start_ns))
        atomic_store(&start_ns, (long long)now_ns());
    else
        atomic_fetch_add(&frames, (long long)n);  /* frames since the first cycle began */
    atomic_store(&last_ns, (long long)now_ns());
    long long base = atomic_fetch_add(&seen, (long long)n);
    for (jack_nframes_t i = 0; i < n; i++)
        if (l[i] != 0.0f || r[i] != 0.0f) {
            if (atomic_load(&first_nz) < 0) {
                atomic_store(&first_nz, base + i);
                atomic_store(&first_frame, (long long)(jack_last_frame_time(client) + i));
            }
            atomic_store(&last_nz, base + i);
        }
    if (!atomic_load(&first_ns)) {
        for (jack_nframes_t i = 0; i < n; i++)
            if (l[i] != 0.0f || r[i] != 0.0f) {
                struct timespec t;
                clock_gettime(CLOCK_REALTIME, &t);
                atomic_store(&first_real_ns, (long long)t.tv_sec * 1000000000LL + t.tv_nsec);
                atomic_store(&first_ns, (long long)now_ns());
                break;
            }
    }
    if (jack_ringbuffer_write_space(rb) < (size_t)n * 2 * sizeof(float)) {
        atomic_store(&overflow, true);
        return 0;
    }
    for (jack_nframes_t i = 0; i < n; i++) {
        float f[2] = {l[i], r[i]};
        jack_ringbuffer_write(rb, (const char *)f, sizeof f);
    }
    return 0;
}

static void on_shutdown(void *arg)
{
    (void)arg;
    atomic_store(&shutdown_seen, true);
}

static void on_signal(int sig)
{
    stop_sig = sig;
}

static void drain(SNDFILE *sf)
{
    float buf[2 * 4096];
    size_t bytes;
    while ((bytes = jack_ringbuffer_read(rb, (char *)buf, sizeof buf)) > 0)
        sf_writef_float(sf, buf, (sf_count_t)(bytes / (2 * sizeof(float))));
}

int main(int argc, char **argv)
{
    const char *out = NULL, *pattern = "^relax", *first_file = NULL;
    char named[80];   /* the player's client as the test named it */
    pattern = rlx_player_port_pattern(pattern, named, sizeof named);
    double wait_s = 10, max_s = 600;
    int c;
    while ((c = getopt(argc, argv, "o:p:w:t:f:")) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'p': pattern = optarg; break;
        case 'w': wait_s = atof(optarg); break;
        case 't': max_s = atof(optarg); break;
        case 'f': first_file = optarg; break;
        default:
            fprintf(stderr, "usage: jack_capture -o OUT.wav [-p REGEX] [-w WAIT_S] [-t MAX_S] [-f FILE]\n");
            return 1;
        }
    }
    if (!out) {
        fprintf(stderr, "jack_capture: -o OUT.wav is required\n");
        return 1;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);

    jack_status_t status;
    char cname[64];   /* a name of this process's own (jack_names.h) */
    jack_client_t *cl = jack_client_open(rlx_helper_client_name("rlx_capture", cname, sizeof cname), JackNoStartServer, &status);
    if (!cl) {
        fprintf(stderr, "jack_capture: no JACK server (status 0x%x)\n", (unsigned)status);
        return 1;
    }
    jack_nframes_t rate = jack_get_sample_rate(cl);
    rb = jack_ringbuffer_create((size_t)rate * 2 * sizeof(float) * 4);
    in_port[0] = jack_port_register(cl, "in_1", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
    in_port[1] = jack_port_register(cl, "in_2", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
    if (!rb || !in_port[0] || !in_port[1]) {
        fprintf(stderr, "jack_capture: cannot register ports\n");
        return 1;
    }
    jack_set_process_callback(cl, process, NULL);
    jack_on_shutdown(cl, on_shutdown, NULL);
    client = cl;
    if (jack_activate(cl)) {
        fprintf(stderr, "jack_capture: cannot activate\n");
        return 1;
    }
    atomic_store(&open_frame, (long long)jack_frame_time(cl));
    printf("listening\n");
    fflush(stdout);

    /* wait for the player's ports */
    char src[2][256] = {{0}};
    int64_t t0 = now_ns();
    for (;;) {
        const char **ports = jack_get_ports(cl, pattern, JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput);
        int n = 0;
        while (ports && ports[n])
            n++;
        if (n >= 2) {
            snprintf(src[0], sizeof src[0], "%s", ports[0]);
            snprintf(src[1], sizeof src[1], "%s", ports[1]);
        }
        jack_free(ports);
        if (n >= 2)
            break;
        if (stop_sig || atomic_load(&shutdown_seen) || now_ns() - t0 > (int64_t)(wait_s * 1e9)) {
            fprintf(stderr, "jack_capture: no ports matching '%s' appeared\n", pattern);
            jack_client_close(cl);
            return 3;
        }
        sleep_ms(1);
    }
    for (int i = 0; i < 2; i++) {
        if (jack_connect(cl, src[i], jack_port_name(in_port[i]))) {
            fprintf(stderr, "jack_capture: cannot connect %s\n", src[i]);
            jack_client_close(cl);
            return 1;
        }
    }
    /* only now: the two connections may take effect a cycle apart */
    atomic_store(&recording, true);
    printf("connected %s %s\n", src[0], src[1]);
    fflush(stdout);

    SF_INFO info = {.samplerate = (int)rate, .channels = 2,
                    .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
    SNDFILE *sf = sf_open(out, SFM_WRITE, &info);
    if (!sf) {
        fprintf(stderr, "jack_capture: cannot write %s: %s\n", out, sf_strerror(NULL));
        jack_client_close(cl);
        return 1;
    }
    int64_t start = now_ns();
    int checks = 0;
    while (!stop_sig && !atomic_load(&shutdown_seen) && now_ns() - start < (int64_t)(max_s * 1e9)) {
        drain(sf);
        sleep_ms(5);
        if (++checks % 4 == 0 && !jack_port_by_name(cl, src[0]))
            break;  /* the player went away */
    }
    atomic_store(&recording, false);
    if (!atomic_load(&shutdown_seen))
        jack_deactivate(cl);
    drain(sf);
    sf_close(sf);
    if (first_file && atomic_load(&first_ns)) {
        FILE *f = fopen(first_file, "w");
        if (f) {
            long long span = atomic_load(&last_ns) - atomic_load(&start_ns);
            double audio = (double)atomic_load(&frames) / rate;
            fprintf(f, "start_mono %lld\nfirst_mono %lld\nfirst_real %lld\n",
                    (long long)atomic_load(&start_ns), (long long)atomic_load(&first_ns),
                    (long long)atomic_load(&first_real_ns));
            /* how far the server's clock fell behind the wall clock (xruns) */
            fprintf(f, "drift_ms %.1f\n", (span / 1e9 - audio) * 1000);
            /* first to last non-zero sample, counted in the server's frames:
             * the audio clock, whatever the load did to the wall clock */
            if (atomic_load(&first_frame) >= 0 && atomic_load(&open_frame) >= 0) {
                jack_nframes_t d = (jack_nframes_t)atomic_load(&first_frame) -
                                   (jack_nframes_t)atomic_load(&open_frame);
                fprintf(f, "since_open_ms %.3f\n", (double)d * 1000.0 / rate);
            }
            if (atomic_load(&last_nz) >= 0)
                fprintf(f, "audio_ms %.3f\n",
                        (double)(atomic_load(&last_nz) - atomic_load(&first_nz) + 1) * 1000.0 / rate);
            fclose(f);
        }
    }
    if (atomic_load(&overflow))
        fprintf(stderr, "jack_capture: ring overflow, capture incomplete\n");
    if (!atomic_load(&shutdown_seen))
        jack_client_close(cl);
    return atomic_load(&overflow) ? 1 : 0;
}
