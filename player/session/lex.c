/* lex.c - scanning helpers shared by session_parse.c and program_parse.c.
 * Everything here is bounded: one pass over a line, no recursion, numbers
 * limited in length before they are converted. */
#include "session/lex.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

rlx_err rlx_lex_read_file(const char *path, const char *diag_name, char **data,
                          size_t *len, uint64_t *dev, uint64_t *ino, rlx_diags *diags)
{
    *data = NULL;
    *len = 0;
    /* O_NONBLOCK: opening a FIFO with no writer must not hang. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        int e = errno;
        rlx_diags_add(diags, RLX_DIAG_ERROR, diag_name, 0, 0, NULL, "cannot open: %s", strerror(e));
        return RLX_ERR_IO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        rlx_diags_add(diags, RLX_DIAG_ERROR, diag_name, 0, 0, NULL, "cannot read: %s", strerror(e));
        return RLX_ERR_IO;
    }
    if (S_ISDIR(st.st_mode) || !S_ISREG(st.st_mode)) {
        close(fd);
        rlx_diags_add(diags, RLX_DIAG_ERROR, diag_name, 0, 0, NULL, "%s",
                      S_ISDIR(st.st_mode) ? "is a directory" : "is not a regular file");
        return RLX_ERR_IO;
    }
    if (st.st_size < 0 || (uint64_t)st.st_size > RLX_LEX_MAX_BYTES) {
        close(fd);
        rlx_diags_add(diags, RLX_DIAG_ERROR, diag_name, 0, 0, NULL,
                      "file too large (%lld bytes; session and program files are at most 4 MB)",
                      (long long)st.st_size);
        return RLX_ERR_IO;
    }
    if (dev)
        *dev = (uint64_t)st.st_dev;
    if (ino)
        *ino = (uint64_t)st.st_ino;
    /* The file may change while we read it: never read more than the limit. */
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf) {
        close(fd);
        return RLX_ERR_NOMEM;
    }
    for (;;) {
        if (n == cap) {
            if (cap > RLX_LEX_MAX_BYTES)
                break;
            size_t ncap = cap * 2 > RLX_LEX_MAX_BYTES + 1 ? RLX_LEX_MAX_BYTES + 1 : cap * 2;
            char *nb = realloc(buf, ncap + 1);
            if (!nb) {
                free(buf);
                close(fd);
                return RLX_ERR_NOMEM;
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            free(buf);
            close(fd);
            rlx_diags_add(diags, RLX_DIAG_ERROR, diag_name, 0, 0, NULL, "cannot read: %s", strerror(e));
            return RLX_ERR_IO;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    if (n > RLX_LEX_MAX_BYTES) {
        free(buf);
        rlx_diags_add(diags, RLX_DIAG_ERROR, diag_name, 0, 0, NULL,
                      "file too large (more than 4 MB; session and program files are at most 4 MB)");
        return RLX_ERR_IO;
    }
    buf[n] = 0;
    *data = buf;
    *len = n;
    return RLX_OK;
}

char *rlx_lex_dirname(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    size_t n = (size_t)(slash - path);
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, path, n);
        d[n] = 0;
    }
    return d;
}

char *rlx_lex_join(const char *dir, const char *rel)
{
    if (!dir || rel[0] == '/')
        return strdup(rel);
    size_t a = strlen(dir), b = strlen(rel);
    char *p = malloc(a + b + 2);
    if (!p)
        return NULL;
    memcpy(p, dir, a);
    size_t k = a;
    if (a && dir[a - 1] != '/')
        p[k++] = '/';
    memcpy(p + k, rel, b + 1);
    return p;
}

bool rlx_lex_is_regular(const char *path)
{
    struct stat st;
    return path && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

uint64_t rlx_lex_fnv1a(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* ---- lines ------------------------------------------------------------- */

void rlx_lines_init(rlx_lines *it, const char *data, size_t len)
{
    it->data = data;
    it->len = len;
    it->pos = 0;
    it->lineno = 0;
    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
        it->pos = 3;
}

bool rlx_lines_next(rlx_lines *it, rlx_line *L, const char *file, rlx_diags *diags)
{
    if (it->pos >= it->len)
        return false;
    const char *start = it->data + it->pos;
    const char *nl = memchr(start, '\n', it->len - it->pos);
    size_t n = nl ? (size_t)(nl - start) : it->len - it->pos;
    it->pos += n + (nl ? 1 : 0);
    if (n && start[n - 1] == '\r')
        n--;
    memset(L, 0, sizeof *L);
    L->file = file;
    L->diags = diags;
    L->s = (const unsigned char *)start;
    L->n = n;
    L->lineno = ++it->lineno;
    return true;
}

/* ---- UTF-8 and columns ------------------------------------------------- */

size_t rlx_utf8_seq(const unsigned char *s, size_t n)
{
    if (n == 0)
        return 0;
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[k] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* One character: its byte length (invalid bytes count as one character each). */
static size_t char_len(const unsigned char *s, size_t n, bool *valid)
{
    size_t k = rlx_utf8_seq(s, n);
    if (valid)
        *valid = k != 0;
    return k ? k : 1;
}

int rlx_line_col(const rlx_line *L, size_t off)
{
    if (off > L->n)
        off = L->n;
    size_t i = 0;
    int col = 1;
    while (i < off) {
        i += char_len(L->s + i, L->n - i, NULL);
        if (col < 0x7FFFFFFF)
            col++;
    }
    return col;
}

/* Appends the sanitised character at s[0..] to out; returns its byte length. */
static size_t put_char(const unsigned char *s, size_t n, char *out, size_t *k)
{
    bool valid;
    size_t len = char_len(s, n, &valid);
    unsigned char c = s[0];
    bool c1 = len == 2 && c == 0xC2 && s[1] < 0xA0; /* U+0080..U+009F controls */
    if (!valid || c1 || (c < 0x20 && c != '\t') || c == 0x7F) {
        out[(*k)++] = '?';
    } else {
        memcpy(out + *k, s, len);
        *k += len;
    }
    return len;
}

/* The source excerpt for a diagnostic at column col; adjusts *col so that the
 * caret still points at the same character when the line is cut. */
static char *make_source(const rlx_line *L, int *col)
{
    const int max = RLX_LEX_SOURCE_MAX;
    int skip = 0; /* characters left out at the start */
    if (*col > max - 50)
        skip = *col - (max / 2);
    char *out = malloc((size_t)max * 4 + 16);
    if (!out)
        return NULL;
    size_t i = 0, k = 0;
    for (int c = 0; c < skip && i < L->n; c++)
        i += char_len(L->s + i, L->n - i, NULL);
    if (skip) {
        memcpy(out, "...", 3);
        k = 3;
        *col = *col - skip + 3;
    }
    int shown = 0;
    while (i < L->n && shown < max) {
        i += put_char(L->s + i, L->n - i, out, &k);
        shown++;
    }
    if (i < L->n) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = 0;
    return out;
}

void rlx_line_diag(rlx_line *L, rlx_diag_severity sev, size_t off, const char *fmt, va_list ap)
{
    if (sev == RLX_DIAG_ERROR)
        L->failed = true;
    int col = rlx_line_col(L, off);
    char *src = NULL;
    /* Past the storage cap only the counts grow: skip building the excerpt. */
    if (L->diags->count < RLX_DIAGS_MAX)
        src = make_source(L, &col);
    rlx_diags_vadd(L->diags, sev, L->file, L->lineno, col, src, fmt, ap);
    free(src);
}

void rlx_line_error(rlx_line *L, size_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rlx_line_diag(L, RLX_DIAG_ERROR, off, fmt, ap);
    va_end(ap);
}

void rlx_line_warning(rlx_line *L, size_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rlx_line_diag(L, RLX_DIAG_WARNING, off, fmt, ap);
    va_end(ap);
}

/* ---- tokens ------------------------------------------------------------- */

void rlx_line_ws(rlx_line *L)
{
    while (L->i < L->n && (L->s[L->i] == ' ' || L->s[L->i] == '\t'))
        L->i++;
}

bool rlx_line_at_end(rlx_line *L)
{
    rlx_line_ws(L);
    return L->i >= L->n || L->s[L->i] == '#';
}

bool rlx_line_expect_end(rlx_line *L, const char *after)
{
    if (rlx_line_at_end(L))
        return true;
    char buf[64];
    rlx_line_error(L, L->i, "unexpected '%s' after %s", rlx_line_peek_excerpt(L, buf, sizeof buf), after);
    return false;
}

bool rlx_is_word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.' || c == '/' || c >= 0x80;
}

size_t rlx_line_word(rlx_line *L, size_t *start)
{
    rlx_line_ws(L);
    *start = L->i;
    while (L->i < L->n && rlx_is_word_byte(L->s[L->i]))
        L->i++;
    return L->i - *start;
}

bool rlx_word_is(const rlx_line *L, size_t start, size_t len, const char *w)
{
    return strlen(w) == len && !memcmp(L->s + start, w, len);
}

char *rlx_line_dup(const rlx_line *L, size_t start, size_t len)
{
    char *p = malloc(len + 1);
    if (p) {
        memcpy(p, L->s + start, len);
        p[len] = 0;
    }
    return p;
}

const char *rlx_line_excerpt(const rlx_line *L, size_t start, size_t len, char *buf, size_t cap)
{
    /* at most 24 characters, each up to 4 bytes, plus "..." */
    size_t k = 0, i = start, end = start + len;
    int shown = 0;
    if (end > L->n)
        end = L->n;
    while (i < end && shown < 24 && k + 8 < cap) {
        i += put_char(L->s + i, end - i, buf, &k);
        shown++;
    }
    if (i < end && k + 4 <= cap) {
        memcpy(buf + k, "...", 3);
        k += 3;
    }
    buf[k] = 0;
    return buf;
}

const char *rlx_line_peek_excerpt(rlx_line *L, char *buf, size_t cap)
{
    rlx_line_ws(L);
    size_t j = L->i;
    if (j < L->n && L->s[j] == '"') {
        j++;
        while (j < L->n && L->s[j] != '"')
            j++;
        if (j < L->n)
            j++;
    } else if (j < L->n && rlx_is_word_byte(L->s[j])) {
        while (j < L->n && rlx_is_word_byte(L->s[j]))
            j++;
    } else if (j < L->n) {
        j += char_len(L->s + j, L->n - j, NULL);
    }
    return rlx_line_excerpt(L, L->i, j - L->i, buf, cap);
}

bool rlx_line_string(rlx_line *L, char **out)
{
    *out = NULL;
    size_t open = L->i;
    L->i++; /* the opening quote */
    size_t cap = 0, k = 0;
    /* the result is never longer than the rest of the line */
    for (size_t j = L->i; j < L->n && L->s[j] != '"'; j++) {
        if (L->s[j] == '\\' && j + 1 < L->n)
            j++;
        cap = j - L->i + 1;
    }
    char *buf = malloc(cap + 1);
    if (!buf) {
        L->failed = true;
        return false;
    }
    while (L->i < L->n) {
        unsigned char c = L->s[L->i];
        if (c == '"') {
            L->i++;
            buf[k] = 0;
            *out = buf;
            return true;
        }
        if (c == '\\') {
            if (L->i + 1 < L->n && (L->s[L->i + 1] == '"' || L->s[L->i + 1] == '\\')) {
                buf[k++] = (char)L->s[L->i + 1];
                L->i += 2;
                continue;
            }
            if (L->i + 1 >= L->n)
                break;
            char ex[16];
            rlx_line_error(L, L->i, "unknown escape '\\%s' (only \\\" and \\\\ are escapes)",
                           rlx_line_excerpt(L, L->i + 1, 1, ex, sizeof ex));
            free(buf);
            return false;
        }
        bool valid;
        size_t len = char_len(L->s + L->i, L->n - L->i, &valid);
        if (!valid) {
            rlx_line_error(L, L->i, "invalid UTF-8 in string");
            free(buf);
            return false;
        }
        if (c < 0x20 && c != '\t') {
            rlx_line_error(L, L->i, "control character in string");
            free(buf);
            return false;
        }
        memcpy(buf + k, L->s + L->i, len);
        k += len;
        L->i += len;
    }
    free(buf);
    rlx_line_error(L, open, "unterminated string");
    return false;
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

rlx_num_result rlx_line_number(rlx_line *L, double *v, size_t *start)
{
    rlx_line_ws(L);
    size_t i = L->i;
    *start = i;
    bool neg = false;
    if (i < L->n && (L->s[i] == '-' || L->s[i] == '+')) {
        neg = L->s[i] == '-';
        i++;
    }
    if (i >= L->n || !is_digit(L->s[i]))
        return RLX_NUM_NONE;
    int64_t ip = 0;
    int sig = 0;
    for (; i < L->n && is_digit(L->s[i]); i++) {
        if (ip == 0 && L->s[i] == '0')
            continue;
        if (++sig > 12) {
            while (i < L->n && (is_digit(L->s[i]) || L->s[i] == '.'))
                i++;
            L->i = i;
            rlx_line_error(L, *start, "number too large");
            return RLX_NUM_BAD;
        }
        ip = ip * 10 + (L->s[i] - '0');
    }
    double frac = 0, scale = 1;
    if (i + 1 < L->n && L->s[i] == '.' && is_digit(L->s[i + 1])) {
        i++;
        int fd = 0;
        for (; i < L->n && is_digit(L->s[i]); i++) {
            if (fd < 9) {
                frac = frac * 10 + (L->s[i] - '0');
                scale *= 10;
                fd++;
            }
        }
    }
    if (i < L->n && (L->s[i] == 'e' || L->s[i] == 'E')) {
        size_t j = i + 1;
        if (j < L->n && (L->s[j] == '+' || L->s[j] == '-'))
            j++;
        if (j < L->n && is_digit(L->s[j])) {
            L->i = j;
            while (L->i < L->n && is_digit(L->s[L->i]))
                L->i++;
            rlx_line_error(L, *start, "numbers are written without exponents (like '-12' or '0.5')");
            return RLX_NUM_BAD;
        }
    }
    L->i = i;
    double val = (double)ip + frac / scale;
    *v = neg ? -val : val;
    return RLX_NUM_OK;
}

size_t rlx_line_unit(rlx_line *L, size_t *start)
{
    rlx_line_ws(L);
    *start = L->i;
    size_t j = L->i;
    while (j < L->n && ((L->s[j] >= 'a' && L->s[j] <= 'z') || (L->s[j] >= 'A' && L->s[j] <= 'Z')))
        j++;
    /* a unit is a whole word: "sync" is not "s" + "ync" but neither is "s.flac" a unit */
    bool range_op = j + 1 < L->n && L->s[j] == '.' && L->s[j + 1] == '.';
    if (j < L->n && rlx_is_word_byte(L->s[j]) && j > L->i && !range_op) {
        while (j < L->n && rlx_is_word_byte(L->s[j]))
            j++;
    }
    L->i = j;
    return j - *start;
}

bool rlx_unit_is(const rlx_line *L, size_t start, size_t len, const char *unit)
{
    if (strlen(unit) != len)
        return false;
    for (size_t k = 0; k < len; k++) {
        unsigned char a = L->s[start + k], b = (unsigned char)unit[k];
        if (a >= 'A' && a <= 'Z')
            a = (unsigned char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
            b = (unsigned char)(b - 'A' + 'a');
        if (a != b)
            return false;
    }
    return true;
}

/* ---- suggestions, formatting ------------------------------------------- */

static size_t edit_distance(const char *a, size_t n, const char *b, size_t m)
{
    size_t row[65];
    for (size_t j = 0; j <= m; j++)
        row[j] = j;
    for (size_t i = 1; i <= n; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t up = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = diag + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[m];
}

static bool transposed(const char *a, size_t n, const char *b, size_t m)
{
    if (n != m)
        return false;
    size_t k = 0;
    while (k < n && a[k] == b[k])
        k++;
    return k + 1 < n && a[k] == b[k + 1] && a[k + 1] == b[k] && !memcmp(a + k + 2, b + k + 2, n - k - 2);
}

const char *rlx_did_you_mean(const char *word, size_t len, const char *const *candidates)
{
    if (len == 0 || len > 64)
        return NULL;
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t c = 0; candidates[c]; c++) {
        size_t m = strlen(candidates[c]);
        if (m > 64)
            continue;
        size_t d = transposed(word, len, candidates[c], m) ? 1 : edit_distance(word, len, candidates[c], m);
        size_t limit = m <= 3 ? 1 : 2;
        if (d <= limit && d < best_d) {
            best = candidates[c];
            best_d = d;
        }
    }
    return best;
}

const char *rlx_fmt_ms(int64_t ms, char *buf, size_t cap)
{
    const char *sign = "";
    if (ms < 0) {
        sign = "-";
        ms = ms == INT64_MIN ? INT64_MAX : -ms;
    }
    int64_t s = ms / 1000, f = ms % 1000;
    char fr[8] = "";
    if (f) {
        snprintf(fr, sizeof fr, ".%03d", (int)f);
        size_t k = strlen(fr);
        while (fr[k - 1] == '0')
            fr[--k] = 0;
    }
    if (s >= 3600)
        snprintf(buf, cap, "%s%lld:%02d:%02d%s", sign, (long long)(s / 3600), (int)(s / 60 % 60),
                 (int)(s % 60), fr);
    else
        snprintf(buf, cap, "%s%d:%02d%s", sign, (int)(s / 60), (int)(s % 60), fr);
    return buf;
}

bool rlx_line_file_name(rlx_line *L, const char *expected, char **out, size_t *at)
{
    rlx_line_ws(L);
    *at = L->i;
    *out = NULL;
    if (L->i < L->n && L->s[L->i] == '"') {
        if (!rlx_line_string(L, out))
            return false;
        if (!**out) {
            rlx_line_error(L, *at, "empty file name");
            free(*out);
            *out = NULL;
            return false;
        }
        return true;
    }
    size_t st, n = rlx_line_word(L, &st);
    if (!n) {
        char buf[64];
        rlx_line_error(L, st, "expected %s, found '%s'", expected,
                       rlx_line_peek_excerpt(L, buf, sizeof buf));
        return false;
    }
    for (size_t k = st; k < st + n;) {
        size_t c = rlx_utf8_seq(L->s + k, st + n - k);
        if (!c) {
            rlx_line_error(L, k, "invalid UTF-8 in file name");
            return false;
        }
        k += c;
    }
    *out = rlx_line_dup(L, st, n);
    return *out != NULL;
}

bool rlx_line_assign(rlx_line *L, const char *key, size_t *vat)
{
    rlx_line_ws(L);
    if (L->i >= L->n || L->s[L->i] != '=') {
        rlx_line_error(L, L->i, "expected '=' after '%s'", key);
        return false;
    }
    L->i++;
    rlx_line_ws(L);
    *vat = L->i;
    if (rlx_line_at_end(L)) {
        rlx_line_error(L, *vat, "missing value for '%s'", key);
        return false;
    }
    return true;
}
