/* cmd_new.c - `relax new NAME [-o FILE]`: writes a commented template
 * session that passes `relax check`, as a starting point for authors. */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RLX_NEW_ID_MAX 64

static void new_usage(FILE *f)
{
    fprintf(f,
            "Usage: relax new NAME [-o FILE]\n"
            "\n"
            "Writes a commented template session with the id NAME to FILE\n"
            "(default: NAME.session in the current folder). NAME uses a-z, 0-9\n"
            "and '-', e.g. evening-wind-down. An existing file is never overwritten.\n"
            "\n"
            "Options:\n"
            "  -o, --output FILE   where to write the template\n"
            "  -h, --help          show this help\n");
}

/* Same rule as the [session] id: a word of a-z 0-9 and '-'. We also refuse a
 * leading or trailing '-' so the default file name never looks like an option. */
static bool valid_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > RLX_NEW_ID_MAX || s[0] == '-' || s[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return true;
}

/* The template: every setting with its default spelled out and explained,
 * and a short timeline showing each kind of cue. Natural length about
 * 2 minutes, longest about 12. %1$s is the id. */
static const char template_head[] =
    "# %s.session - a Relax session. Check it with:  relax check %s.session\n"
    "# Listen with:  relax play %s.session   (or render it: relax render %s.session -o %s.wav)\n"
    "#\n"
    "# '#' starts a comment. Sections hold 'key = value' settings; the [timeline]\n"
    "# holds one cue per line: TIME CUE ARGUMENTS. See README.md, \"The session\n"
    "# language\", for every setting and cue.\n"
    "\n"
    "[session]\n"
    "id      = %s                # a-z, 0-9 and '-'; also the name to play it by\n"
    "title   = \"%s\"\n"
    "summary = \"One sentence that tells the listener what this session is about.\"\n"
    "# week  = 11               # only for sessions that belong to a program\n"
    "\n";

static const char template_body[] =
    "[voice]\n"
    "level     = -18 LUFS       # every spoken line is brought to this loudness\n"
    "tts-voice = festival:slt-hts  # the program's voice; 'relax voices' lists all\n"
    "pace      = 1.25           # 0.5 (fast) to 2 (slow); 1.25 is calm\n"
    "\n"
    "[breath]\n"
    "pattern = 4 0 6 0          # seconds: inhale, hold, exhale, hold\n"
    "pitch   = 174 Hz           # the tone at empty lungs\n"
    "glide   = 3 st             # how far it rises at full inhale\n"
    "level   = -30 dB           # or 'off' for no breathing tone\n"
    "duck    = 10 dB            # how far it dips while the voice speaks\n"
    "\n"
    "[ambient]\n"
    "file  = ambient/shore.ogg  # or ambient/rain.ogg; looped under the session\n"
    "level = -34 dB\n"
    "duck  = 6 dB\n"
    "\n"
    "[chime]\n"
    "file  = chime.flac\n"
    "level = -20 dB\n"
    "\n"
    "[timeline]\n"
    "# Absolute times (m:ss) are fixed points. Relative times (+N s) count from\n"
    "# the END of the previous 'say', 'play' or 'silence', so spoken lines never\n"
    "# overlap however long the voice takes to say them.\n"
    "0:00   fade-in 8 s\n"
    "0:05   say \"Welcome. Find a position that feels comfortable for you.\"\n"
    "+3 s   say \"You are in charge here. Your eyes can be open or closed, and you can move or stop at any time.\"\n"
    "\n"
    "# A stretchable silence: its minimum counts towards the natural length; a\n"
    "# longer rendering (relax play ... --length 10 min) stretches it up to the\n"
    "# maximum.\n"
    "+0 s   silence 20 s .. 3 min\n"
    "\n"
    "# A new breathing pattern starts at the next breath; 'breath sync' starts a\n"
    "# fresh inhale exactly where the voice invites one.\n"
    "+2 s   breath 4 1 6 1\n"
    "+2 s   breath sync\n"
    "+2 s   say \"If you like, breathe in as the tone rises, and out as it falls. Or simply breathe in your own way.\"\n"
    "+0 s   silence 40 s .. 8 min\n"
    "\n"
    "# Always offer a way back to the room at the end.\n"
    "+2 s   say \"Now feel the surface beneath you, and wiggle your fingers and toes.\"\n"
    "+3 s   say \"And when you are ready, open your eyes.\"\n"
    "\n"
    "# These three count from the end of the last 'say' as well.\n"
    "+3 s   chime\n"
    "+5 s   fade-out 15 s\n"
    "+22 s  end\n";

int rlx_cmd_new(int argc, char **argv)
{
    const char *name = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            new_usage(stdout);
            return RLX_EXIT_OK;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            if (i + 1 >= argc) {
                rlx_cli_error("new: %s needs a file name", a);
                return RLX_EXIT_USAGE;
            }
            if (out) {
                rlx_cli_error("new: -o given twice");
                return RLX_EXIT_USAGE;
            }
            out = argv[++i];
        } else if (a[0] == '-' && a[1] != '\0') {
            rlx_cli_error("new: unknown option '%s' (try 'relax new --help')", a);
            return RLX_EXIT_USAGE;
        } else if (!name) {
            name = a;
        } else {
            rlx_cli_error("new: unexpected argument '%s' (try 'relax new --help')", a);
            return RLX_EXIT_USAGE;
        }
    }
    if (!name) {
        rlx_cli_error("new: missing NAME (try 'relax new --help')");
        return RLX_EXIT_USAGE;
    }
    if (!valid_id(name)) {
        rlx_cli_error("new: '%s' is not a valid session id: use a-z, 0-9 and '-' "
                      "(at most %d characters, not starting or ending with '-')",
                      name, RLX_NEW_ID_MAX);
        return RLX_EXIT_USAGE;
    }
    int prc = rlx_cli_parsed(argv[0]);
    if (prc)
        return prc;
    char defpath[RLX_NEW_ID_MAX + sizeof ".session"];
    if (!out) {
        snprintf(defpath, sizeof defpath, "%s.session", name);
        out = defpath;
    }

    /* O_EXCL: refuse to overwrite, with no window between checking and creating. */
    int fd = open(out, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) {
        if (errno == EEXIST) {
            rlx_cli_error("new: '%s' already exists; not overwriting it (choose another name or -o FILE)", out);
            return RLX_EXIT_USAGE;
        }
        rlx_cli_error("new: cannot create '%s': %s", out, strerror(errno));
        return RLX_EXIT_OUTPUT;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        int e = errno;
        close(fd);
        unlink(out);
        rlx_cli_error("new: cannot write '%s': %s", out, strerror(e));
        return RLX_EXIT_OUTPUT;
    }
    /* a readable first title from the id: evening-wind-down -> Evening wind down */
    char title[128];
    snprintf(title, sizeof title, "%s", name);
    for (char *c = title; *c; c++)
        *c = *c == '-' ? ' ' : *c;
    title[0] = (char)toupper((unsigned char)title[0]);
    fprintf(f, template_head, name, name, name, name, name, name, title);
    fputs(template_body, f);
    bool failed = ferror(f) != 0;
    int e = errno;
    if (fclose(f) != 0 && !failed) {
        failed = true;
        e = errno;
    }
    if (failed) {
        unlink(out);
        rlx_cli_error("new: cannot write '%s': %s", out, strerror(e));
        return RLX_EXIT_OUTPUT;
    }
    printf("wrote %s\n", out);
    return RLX_EXIT_OK;
}
