/* jack_feed.c - test helper: plays a known mono file into a JACK client's
 * input, as a microphone would.
 *
 *   jack_feed -i IN.wav [-p PORT_REGEX] [-d LEAD_S] [-w WAIT_S]
 *
 * Registers one output port, polls the JACK graph (every millisecond, at
 * most WAIT_S seconds, default 20) until an input port matching PORT_REGEX
 * (default "^relax:") appears, connects to it, then plays LEAD_S seconds
 * (default 0) of digital silence, IN.wav once, and silence after it, all
 * counted on the server's audio clock. Prints "connected" and, once the
 * file has been played whole, "played N" (frames) on stdout. Runs until
 * SIGINT/SIGTERM, the ports go away or the server stops. The client is
 * "mic_feed" (not "relax...": jack_capture must not mistake it for relax).
 * Exit: 0 ok, 1 error, 3 no matching port appeared in time. */
#include <errno.h>
#include <jack/jack.h>

#include "jack_names.h"
#include <signal.h>
#include <sndfile.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static jack_port_t *out_port;
static float *audio;
static size_t audio_n;
static atomic_llong pos;        /* frames since connection (process thread) */
static long long lead;
static atomic_bool connected, shutdown_seen;
static volatile sig_atomic_t stop_sig;

static void on_signal(int sig)
{
    stop_sig = sig;
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
    float *out = jack_port_get_buffer(out_port, n);
    if (!atomic_load(&connected)) {
        memset(out, 0, n * sizeof *out);
        return 0;
    }
    long long p = atomic_load(&pos);
    for (jack_nframes_t i = 0; i < n; i++) {
        long long k = p + i - lead;
        out[i] = k >= 0 && (size_t)k < audio_n ? audio[k] : 0.0f;
    }
    atomic_store(&pos, p + n);
    return 0;
}

static void on_shutdown(void *arg)
{
    (void)arg;
    atomic_store(&shutdown_seen, true);
}

int main(int argc, char **argv)
{
    const char *in = NULL, *pattern = "^relax:";
    char named[80];   /* the player's client as the test named it */
    pattern = rlx_player_port_pattern(pattern, named, sizeof named);
    double lead_s = 0, wait_s = 20;
    int c;
    while ((c = getopt(argc, argv, "i:p:d:w:")) != -1) {
        switch (c) {
        case 'i': in = optarg; break;
        case 'p': pattern = optarg; break;
        case 'd': lead_s = atof(optarg); break;
        case 'w': wait_s = atof(optarg); break;
        default: return 1;
        }
    }
    if (!in) {
        fprintf(stderr, "usage: jack_feed -i IN.wav [-p PORT_REGEX] [-d LEAD_S] [-w WAIT_S]\n");
        return 1;
    }
    SF_INFO info = {0};
    SNDFILE *f = sf_open(in, SFM_READ, &info);
    if (!f || info.channels != 1) {
        fprintf(stderr, "jack_feed: %s: need a readable mono file\n", in);
        return 1;
    }
    audio_n = (size_t)info.frames;
    audio = calloc(audio_n ? audio_n : 1, sizeof *audio);
    if (!audio || sf_readf_float(f, audio, (sf_count_t)audio_n) != (sf_count_t)audio_n) {
        fprintf(stderr, "jack_feed: cannot read %s\n", in);
        return 1;
    }
    sf_close(f);
    char cname[64];   /* a name of this process's own (jack_names.h) */
    jack_client_t *cl = jack_client_open(rlx_helper_client_name("mic_feed", cname, sizeof cname), JackNoStartServer, NULL);
    if (!cl) {
        fprintf(stderr, "jack_feed: no JACK server\n");
        return 1;
    }
    if ((int)jack_get_sample_rate(cl) != info.samplerate) {
        fprintf(stderr, "jack_feed: the server runs at %u Hz, %s is %d Hz\n",
                jack_get_sample_rate(cl), in, info.samplerate);
        return 1;
    }
    lead = (long long)(lead_s * info.samplerate);
    out_port = jack_port_register(cl, "out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
    jack_set_process_callback(cl, process, NULL);
    jack_on_shutdown(cl, on_shutdown, NULL);
    if (!out_port || jack_activate(cl)) {
        fprintf(stderr, "jack_feed: cannot start the client\n");
        return 1;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    char target[512] = "";
    for (int i = 0; i < (int)(wait_s * 1000) && !stop_sig && !atomic_load(&shutdown_seen); i++) {
        const char **ports = jack_get_ports(cl, pattern, JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput);
        if (ports && ports[0])
            snprintf(target, sizeof target, "%s", ports[0]);
        jack_free(ports);
        if (target[0])
            break;
        sleep_ms(1);
    }
    if (!target[0]) {
        fprintf(stderr, "jack_feed: no input port matching '%s'\n", pattern);
        jack_client_close(cl);
        return 3;
    }
    if (jack_connect(cl, jack_port_name(out_port), target)) {
        fprintf(stderr, "jack_feed: cannot connect to %s\n", target);
        return 1;
    }
    atomic_store(&connected, true);
    printf("connected %s\n", target);
    fflush(stdout);
    bool told = false;
    while (!stop_sig && !atomic_load(&shutdown_seen)) {
        if (!told && atomic_load(&pos) >= lead + (long long)audio_n) {
            printf("played %zu\n", audio_n);
            fflush(stdout);
            told = true;
        }
        if (!jack_port_connected(out_port))
            break;   /* relax closed its input */
        sleep_ms(5);
    }
    if (!atomic_load(&shutdown_seen))
        jack_client_close(cl);
    return 0;
}
