/* wav_check.c - test helper: compares and measures captured audio.
 *
 *   wav_check compare REF.wav CAP.wav TOL MAX_MISSING_MS
 *     Aligns CAP (what a JACK client recorded) with REF (the same session
 *     rendered to a file): finds the first offset where a 50 ms window of CAP,
 *     from its first sample above 1e-3, matches REF within TOL, then checks
 *     every captured frame against REF (frames outside REF must be silent),
 *     that CAP reaches REF's end, and that at most MAX_MISSING_MS of REF's
 *     start were missed (the capture connects after the player's ports appear).
 *     Prints "offset", "missing_ms", "compared", "max_diff"; exit 0 if equal.
 *
 *   wav_check stats CAP.wav [MIN_GAP_MS] [EDGE_MS]
 *     Prints the first/last non-zero sample (seconds), the largest
 *     sample-to-sample step overall, and each run of exact silence inside the
 *     audio longer than MIN_GAP_MS (default 100): "gap START_S LEN_MS STEP",
 *     STEP being the largest step within EDGE_MS (default 40) of its edges.
 *     Exit 0 (the caller judges the figures).
 *
 *   wav_check rms CAP.wav FROM_S TO_S
 *     Prints "rms_db X": the RMS level of both channels over [FROM_S, TO_S)
 *     in dBFS (-inf for silence). Exit 2 if the window is outside the file. */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    float *x;   /* interleaved stereo */
    long n;     /* frames */
    int rate;
} wav;

static int load(const char *path, wav *w)
{
    SF_INFO info = {0};
    SNDFILE *sf = sf_open(path, SFM_READ, &info);
    if (!sf) {
        fprintf(stderr, "wav_check: cannot read %s: %s\n", path, sf_strerror(NULL));
        return -1;
    }
    if (info.channels != 2) {
        fprintf(stderr, "wav_check: %s: %d channels, want 2\n", path, info.channels);
        sf_close(sf);
        return -1;
    }
    w->n = (long)info.frames;
    w->rate = info.samplerate;
    w->x = malloc(sizeof(float) * 2 * (size_t)(w->n + 1));
    if (!w->x) {
        sf_close(sf);
        return -1;
    }
    w->n = (long)sf_readf_float(sf, w->x, w->n);
    sf_close(sf);
    return 0;
}

static long first_nonzero(const wav *w, long from)
{
    for (long i = from; i < w->n; i++)
        if (w->x[2 * i] != 0.0f || w->x[2 * i + 1] != 0.0f)
            return i;
    return -1;
}

static long first_above(const wav *w, double level)
{
    for (long i = 0; i < w->n; i++)
        if (fabs(w->x[2 * i]) > level || fabs(w->x[2 * i + 1]) > level)
            return i;
    return -1;
}

static long last_nonzero(const wav *w)
{
    for (long i = w->n - 1; i >= 0; i--)
        if (w->x[2 * i] != 0.0f || w->x[2 * i + 1] != 0.0f)
            return i;
    return -1;
}

static int compare(const char *refp, const char *capp, double tol, double max_missing_ms)
{
    wav ref, cap;
    if (load(refp, &ref) || load(capp, &cap))
        return 2;
    if (ref.rate != cap.rate) {
        printf("rates differ: %d vs %d\n", ref.rate, cap.rate);
        return 1;
    }
    /* align on a clearly audible stretch, so tiny leading values cannot
     * match at a wrong offset */
    long c0 = first_above(&cap, 1e-3), r0 = first_nonzero(&ref, 0);
    if (c0 < 0 || r0 < 0) {
        printf("no audio in %s\n", c0 < 0 ? capp : refp);
        return 1;
    }
    long win = ref.rate / 20;
    if (win > cap.n - c0)
        win = cap.n - c0;
    long k = -1;
    for (long cand = 0; cand + win <= ref.n && k < 0; cand++) {
        long j = 0;
        for (; j < win; j++) {
            const float *a = &ref.x[2 * (cand + j)], *b = &cap.x[2 * (c0 + j)];
            if (fabs((double)a[0] - b[0]) > tol || fabs((double)a[1] - b[1]) > tol)
                break;
        }
        if (j == win)
            k = cand;
    }
    if (k < 0) {
        printf("no alignment: the capture does not match the render anywhere\n");
        return 1;
    }
    long offset = k - c0;  /* ref index = cap index + offset */
    /* the capture may have connected after the player started */
    double missing_ms = offset > r0 ? (double)(offset - r0) * 1000.0 / ref.rate : 0.0;
    double max_diff = 0;
    long worst = -1, compared = 0;
    /* every captured frame: the render's frame, or silence outside it */
    for (long i = 0; i < cap.n; i++) {
        long ri = i + offset;
        float rl = 0, rr = 0;
        if (ri >= 0 && ri < ref.n) {
            rl = ref.x[2 * ri];
            rr = ref.x[2 * ri + 1];
        }
        double d = fmax(fabs((double)rl - cap.x[2 * i]), fabs((double)rr - cap.x[2 * i + 1]));
        if (d > max_diff) {
            max_diff = d;
            worst = i;
        }
        compared++;
    }
    long ref_last = last_nonzero(&ref);
    int reached = cap.n + offset > ref_last;
    printf("offset %ld\nmissing_ms %.1f\ncompared %ld\nmax_diff %.3g\n", offset, missing_ms,
           compared, max_diff);
    if (worst >= 0 && max_diff > tol)
        printf("worst_at_s %.4f\n", (double)(worst + offset) / ref.rate);
    int ok = max_diff <= tol && missing_ms <= max_missing_ms && reached;
    if (!reached)
        printf("the capture ends before the render does\n");
    if (missing_ms > max_missing_ms)
        printf("too much of the start is missing\n");
    free(ref.x);
    free(cap.x);
    return ok ? 0 : 1;
}

static double step_at(const wav *w, long i)
{
    if (i <= 0 || i >= w->n)
        return 0;
    return fmax(fabs((double)w->x[2 * i] - w->x[2 * i - 2]),
                fabs((double)w->x[2 * i + 1] - w->x[2 * i - 1]));
}

static double max_step(const wav *w, long from, long to)
{
    double m = 0;
    if (from < 1)
        from = 1;
    if (to > w->n)
        to = w->n;
    for (long i = from; i < to; i++)
        m = fmax(m, step_at(w, i));
    return m;
}

static int stats(const char *capp, double min_gap_ms, double edge_ms)
{
    wav cap;
    if (load(capp, &cap))
        return 2;
    long a = first_nonzero(&cap, 0), b = last_nonzero(&cap);
    if (a < 0) {
        printf("first -1\nlast -1\nmaxstep 0\n");
        return 0;
    }
    printf("first %.4f\nlast %.4f\nmaxstep %.6f\n", (double)a / cap.rate, (double)b / cap.rate,
           max_step(&cap, a, b + 2));
    long edge = (long)(edge_ms * cap.rate / 1000);
    long min_gap = (long)(min_gap_ms * cap.rate / 1000);
    for (long i = a; i <= b;) {
        if (cap.x[2 * i] != 0.0f || cap.x[2 * i + 1] != 0.0f) {
            i++;
            continue;
        }
        long j = i;
        while (j <= b && cap.x[2 * j] == 0.0f && cap.x[2 * j + 1] == 0.0f)
            j++;
        if (j - i >= min_gap) {
            double s = fmax(max_step(&cap, i - edge, i + 1), max_step(&cap, j - 1, j + edge));
            printf("gap %.4f %.1f %.6f\n", (double)i / cap.rate, (double)(j - i) * 1000.0 / cap.rate, s);
        }
        i = j;
    }
    free(cap.x);
    return 0;
}

static int rms(const char *capp, double from_s, double to_s)
{
    wav cap;
    if (load(capp, &cap))
        return 2;
    long a = (long)(from_s * cap.rate), b = (long)(to_s * cap.rate);
    if (a < 0 || b > cap.n || b <= a) {
        fprintf(stderr, "wav_check: window %.3f..%.3f s is outside the %.3f s capture\n", from_s, to_s,
                (double)cap.n / cap.rate);
        free(cap.x);
        return 2;
    }
    double sum = 0;
    for (long i = 2 * a; i < 2 * b; i++)
        sum += (double)cap.x[i] * cap.x[i];
    printf("rms_db %.3f\n", 10 * log10(sum / (double)(2 * (b - a))));
    free(cap.x);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && !strcmp(argv[1], "rms"))
        return rms(argv[2], atof(argv[3]), atof(argv[4]));
    if (argc == 6 && !strcmp(argv[1], "compare"))
        return compare(argv[2], argv[3], atof(argv[4]), atof(argv[5]));
    if (argc >= 3 && !strcmp(argv[1], "stats"))
        return stats(argv[2], argc > 3 ? atof(argv[3]) : 100, argc > 4 ? atof(argv[4]) : 40);
    fprintf(stderr, "usage: wav_check compare REF.wav CAP.wav TOL MAX_MISSING_MS\n"
                    "       wav_check stats CAP.wav [MIN_GAP_MS] [EDGE_MS]\n"
                    "       wav_check rms CAP.wav FROM_S TO_S\n");
    return 2;
}
