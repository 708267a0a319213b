/* pcm24.c - float to 24-bit PCM for the WAV sink. */
#include "sink/pcm24.h"

#include <math.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* 8 samples, already scaled and rounded to 32 bits, into 24 bytes: the top
 * 3 bytes of each, packed with 64-bit stores (byte stores cost 3 times as
 * many instructions). */
static inline void pack8(uint8_t *out, const int32_t *v)
{
    uint64_t u[8];
    for (int k = 0; k < 8; k++)
        u[k] = ((uint32_t)v[k] >> 8) & 0xffffffu;
    uint64_t q[3] = {
        u[0] | u[1] << 24 | u[2] << 48,
        u[2] >> 16 | u[3] << 8 | u[4] << 32 | u[5] << 56,
        u[5] >> 8 | u[6] << 16 | u[7] << 40,
    };
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(out, q, 24);
#else
    for (int k = 0; k < 24; k++)
        out[k] = (uint8_t)(q[k / 8] >> (8 * (k % 8)));
#endif
}

static inline int32_t scaled_round(float f)
{
    float x = f * 2147483648.0f;
    return x >= 2147483520.0f ? 0x7fffff80 : !(x > -2147483648.0f) ? INT32_MIN : (int32_t)lrintf(x);
}

#if defined(__x86_64__) && defined(__GNUC__)
#define RLX_PCM24_SSSE3 1
#include <tmmintrin.h>

/* SSSE3 (every x86-64 CPU since about 2006, checked at run time): one byte
 * shuffle packs 4 samples into 12 bytes. Each 16-byte store writes 4 bytes
 * past its 12, which the next one overwrites; the loop stops early enough
 * for the last one to stay inside out. Returns the samples done. */
__attribute__((target("ssse3")))
static size_t pcm24_ssse3(uint8_t *out, const float *in, size_t n)
{
    const __m128 scale = _mm_set1_ps(2147483648.0f);
    const __m128 top = _mm_set1_ps(2147483520.0f);
    const __m128i pick = _mm_setr_epi8(1, 2, 3, 5, 6, 7, 9, 10, 11, 13, 14, 15, -1, -1, -1, -1);
    size_t i = 0;
    for (; i + 8 <= n; i += 4) {
        __m128 x = _mm_min_ps(top, _mm_mul_ps(_mm_loadu_ps(in + i), scale));
        _mm_storeu_si128((__m128i *)(out + 3 * i), _mm_shuffle_epi8(_mm_cvtps_epi32(x), pick));
    }
    return i;
}
#endif

/* float -> 24-bit little-endian PCM exactly as libsndfile's clipping
 * conversion does it (test_sink_file compares the two): scale by 2^31,
 * round to the nearest integer (ties to even), keep the top 3 bytes; at or
 * above +1.0 the largest value, at or below -1.0 (and NaN) the smallest. */
void rlx_pcm24_from_float(uint8_t *out, const float *in, size_t n)
{
    size_t i = 0;
#ifdef RLX_PCM24_SSSE3
    static int ssse3 = -1;   /* benign race: every thread computes the same */
    if (ssse3 < 0)
        ssse3 = __builtin_cpu_supports("ssse3") ? 1 : 0;
    if (ssse3)
        i = pcm24_ssse3(out, in, n);
#endif
    int32_t v[8];
    for (; i + 8 <= n; i += 8) {
#ifdef __SSE2__
        const __m128 scale = _mm_set1_ps(2147483648.0f);
        const __m128 top = _mm_set1_ps(2147483520.0f);  /* the largest float below 2^31 */
        /* min(top, x): a NaN x stays NaN and converts to INT32_MIN like lrintf */
        __m128 a = _mm_min_ps(top, _mm_mul_ps(_mm_loadu_ps(in + i), scale));
        __m128 b = _mm_min_ps(top, _mm_mul_ps(_mm_loadu_ps(in + i + 4), scale));
        _mm_storeu_si128((__m128i *)v, _mm_cvtps_epi32(a));
        _mm_storeu_si128((__m128i *)(v + 4), _mm_cvtps_epi32(b));
#else
        for (int k = 0; k < 8; k++)
            v[k] = scaled_round(in[i + (size_t)k]);
#endif
        pack8(out + 3 * i, v);
    }
    for (; i < n; i++) {
        uint32_t w = (uint32_t)scaled_round(in[i]);
        out[3 * i] = (uint8_t)(w >> 8);
        out[3 * i + 1] = (uint8_t)(w >> 16);
        out[3 * i + 2] = (uint8_t)(w >> 24);
    }
}
