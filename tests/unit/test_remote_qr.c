/* test_remote_qr.c - the terminal QR code: both drawings carry exactly the
 * modules libqrencode made, inside a light quiet zone. */
#include "rlx_test.h"

#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#include "remote/remote_qr.h"

#define URL "http://192.168.1.20:8787/?key=0123456789abcdef0123456789abcdef"

static void test_ascii_matches_modules(void **state)
{
    (void)state;
    char *txt = NULL;
    assert_int_equal(rlx_remote_qr_text(URL, false, &txt), RLX_OK);
    QRcode *qr = QRcode_encodeString(URL, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    assert_non_null(qr);
    int w = qr->width, full = w + 4;
    /* full rows of 2*full characters */
    const char *p = txt;
    for (int y = 0; y < full; y++) {
        const char *nl = strchr(p, '\n');
        assert_non_null(nl);
        assert_int_equal(nl - p, 2 * full);
        for (int x = 0; x < full; x++) {
            bool inside = x >= 2 && y >= 2 && x < 2 + w && y < 2 + w;
            bool dark = inside && (qr->data[(y - 2) * w + (x - 2)] & 1);
            assert_int_equal(p[2 * x], dark ? ' ' : '#');
            assert_int_equal(p[2 * x + 1], p[2 * x]);
        }
        p = nl + 1;
    }
    assert_int_equal(*p, '\0');
    /* the top-left finder pattern: a dark 7x7 ring starts at the quiet zone's edge */
    assert_int_equal(txt[0], '#');
    assert_int_equal(txt[(2 * full + 1) * 2 + 4], ' ');
    QRcode_free(qr);
    free(txt);
}

static void test_utf8_half_blocks(void **state)
{
    (void)state;
    char *u = NULL, *a = NULL;
    assert_int_equal(rlx_remote_qr_text(URL, true, &u), RLX_OK);
    assert_int_equal(rlx_remote_qr_text(URL, false, &a), RLX_OK);
    /* rebuild the module grid from the half blocks and compare with ASCII */
    size_t rows_a = 0;
    for (const char *q = a; *q; q++)
        rows_a += *q == '\n';
    size_t full = rows_a;
    size_t rows_u = 0;
    const char *p = u;
    for (size_t y = 0; y < full; y += 2, rows_u++) {
        for (size_t x = 0; x < full; x++) {
            bool top, bottom;
            if (!strncmp(p, "\u2588", 3)) {
                top = bottom = true;
                p += 3;
            } else if (!strncmp(p, "\u2580", 3)) {
                top = true, bottom = false;
                p += 3;
            } else if (!strncmp(p, "\u2584", 3)) {
                top = false, bottom = true;
                p += 3;
            } else {
                assert_int_equal(*p, ' ');
                top = bottom = false;
                p++;
            }
            assert_int_equal(top, a[y * (2 * full + 1) + 2 * x] == '#');
            if (y + 1 < full)
                assert_int_equal(bottom, a[(y + 1) * (2 * full + 1) + 2 * x] == '#');
            else
                assert_false(bottom);
        }
        assert_int_equal(*p++, '\n');
    }
    assert_int_equal(*p, '\0');
    assert_int_equal(rows_u, (full + 1) / 2);
    free(u);
    free(a);
}

static void test_too_long(void **state)
{
    (void)state;
    size_t n = 8000;
    char *big = malloc(n + 1);
    memset(big, 'x', n);
    big[n] = '\0';
    char *out = (char *)1;
    assert_int_equal(rlx_remote_qr_text(big, true, &out), RLX_ERR_USAGE);
    assert_null(out);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ascii_matches_modules),
        cmocka_unit_test(test_utf8_half_blocks),
        cmocka_unit_test(test_too_long),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
