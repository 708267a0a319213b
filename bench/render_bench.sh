#!/bin/bash
# render_bench.sh RELAX WORKDIR - times `relax render` on a 20- and a 60-minute
# session (cold cache, then warm) and sox doing the equivalent mix from the
# same input files, and checks the floors:
#   warm render at least as fast as sox; peak RSS < 32 MB; 20 vs 60 min RSS within 10%.
# Inputs are generated here: four voice clips (FLAC, 44.1 kHz mono, ~25 s)
# and an ambient bed (Ogg Vorbis, 44.1 kHz stereo, 60 s).
set -eu
RELAX=$(readlink -f "$1")
W=$2
rm -rf "$W"
mkdir -p "$W/in" "$W/out"
cd "$W"
export RELAX_SESSIONS="$W/in" XDG_DATA_HOME="$W/data" RELAX_STORE="$W/data/progress.db"

# ---- inputs -------------------------------------------------------------------
for i in 1 2 3 4; do
    # a speech-like stand-in: a gliding, syllable-modulated tone with a little noise
    sox -n -r 44100 -c 1 "in/voice$i.flac" synth 25 sine $((140 + 20 * i))-$((220 + 15 * i)) \
        synth 25 pinknoise amod 0 -30 tremolo $((3 + i)) 90 fade 0.05 25 0.3 vol 0.5
done
sox -n -r 44100 -c 2 in/bed.ogg synth 60 pinknoise lowpass 900 tremolo 0.1 30 vol 0.4
VOICE_S=25

# ---- sessions -----------------------------------------------------------------
# A voice cue every 60 s (cycling through the four clips), tone, ambient bed,
# fade-in 10 s, fade-out 30 s. Voice level off: clips play at unity + gain.
AMB_DB=-30; BREATH_DB=-28; VOICE_GAIN=-3
make_session() {  # minutes file
    local m=$1 f=$2 t
    {
        printf '[session]\nid = bench-%s\ntitle = "bench %s min"\n' "$m" "$m"
        printf '[voice]\nlevel = off\n[breath]\nlevel = %s dB\n' $BREATH_DB
        printf '[ambient]\nfile = bed.ogg\nlevel = %s dB\n' $AMB_DB
        printf '[timeline]\n0:00 fade-in 10 s\n'
        for ((t = 1; t < m; t++)); do
            printf '%d:05 play voice%d.flac gain %s dB\n' $((t - 1)) $(((t - 1) % 4 + 1)) $VOICE_GAIN
        done
        printf '%d:30 fade-out 30 s\n%d:00 end\n' $((m - 1)) $m
    } > "$f"
}
make_session 20 in/s20.session
make_session 60 in/s60.session

# ---- the equivalent sox mix -----------------------------------------------------
# Voice track: each clip padded to its 60 s slot (clips at m:05), then the
# looped bed and a 174 Hz tone, gains as in the session, fades, resampled to 48 kHz,
# written as 24-bit WAV like `relax render`.
sox_mix() {  # minutes out
    local m=$1 out=$2 len=$(($1 * 60)) t args=()
    for ((t = 1; t < m; t++)); do
        args+=("|sox in/voice$(((t - 1) % 4 + 1)).flac -p pad 5 $((60 - 5 - VOICE_S)) channels 2")
    done
    args+=("|sox -n -r 44100 -c 2 -p trim 0 60")  # the last minute: silence
    sox "${args[@]}" -c 2 "$W/out/voice-track-$m.wav"
    sox -m -v "$(awk -v g=$VOICE_GAIN 'BEGIN{print 10^(g/20)}')" "$W/out/voice-track-$m.wav" \
        -v "$(awk -v g=$AMB_DB 'BEGIN{print 10^(g/20)}')" "|sox in/bed.ogg -p repeat $((m - 1)) trim 0 $len" \
        -v "$(awk -v g=$BREATH_DB 'BEGIN{print 10^(g/20)}')" "|sox -n -r 44100 -c 2 -p synth $len sine 174 tremolo 0.1 60" \
        -b 24 "$out" fade h 10 $len 30 rate -h 48k
}

timeit() {  # cmd...: prints "wall_s cpu_s rss_kb" (cpu = user + sys, children included)
    /usr/bin/time -f "%e %U %S %M" -o "$W/time.txt" "$@" >/dev/null 2>"$W/stderr.txt" || {
        echo "FAILED: $*" >&2; cat "$W/stderr.txt" >&2; exit 1; }
    awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$W/time.txt"
}
export -f sox_mix
export W VOICE_S AMB_DB BREATH_DB VOICE_GAIN

xrt() { awk -v s=$1 -v m=$2 'BEGIN{printf "%.0fx", m*60/(s>0?s:0.01)}'; }
printf '%-28s %8s %8s %10s %10s\n' "run" "wall s" "cpu s" "x-realtime" "peak RSS"
declare -A SEC CPU RSS
for m in 20 60; do
    export XDG_CACHE_HOME="$W/cache-$m"
    for mode in cold warm; do
        read -r s c k < <(timeit "$RELAX" render "in/s$m.session" -o "out/relax-$m.wav")
        SEC[$m-$mode]=$s; CPU[$m-$mode]=$c; RSS[$m-$mode]=$k
        printf '%-28s %8.2f %8.2f %10s %7.1f MB\n' "relax render $m min ($mode)" "$s" "$c" \
            "$(xrt $c $m)" "$(awk -v k=$k 'BEGIN{print k/1024}')"
    done
    read -r s c k < <(timeit bash -c "sox_mix $m out/sox-$m.wav")
    SEC[$m-sox]=$s; CPU[$m-sox]=$c
    printf '%-28s %8.2f %8.2f %10s %10s\n' "sox equivalent $m min" "$s" "$c" "$(xrt $c $m)" "-"
    printf '%-28s %8.2fx %7.2fx\n' "  sox / relax warm" \
        "$(awk -v a=$s -v b=${SEC[$m-warm]} 'BEGIN{print a/(b>0?b:0.01)}')" \
        "$(awk -v a=$c -v b=${CPU[$m-warm]} 'BEGIN{print a/(b>0?b:0.01)}')"
done
echo "(x-realtime from CPU time: the machine may be shared; wall time is also shown)"

ok=1
for m in 20 60; do
    awk -v a=${CPU[$m-warm]} -v b=${CPU[$m-sox]} 'BEGIN{exit !(a <= b)}' ||
        { echo "FLOOR MISSED: warm $m min render (${CPU[$m-warm]} cpu s) slower than sox (${CPU[$m-sox]} cpu s)"; ok=0; }
    for mode in cold warm; do
        [ "${RSS[$m-$mode]}" -lt 32768 ] ||
            { echo "FLOOR MISSED: $m min $mode peak RSS ${RSS[$m-$mode]} kB >= 32 MB"; ok=0; }
    done
done
for mode in cold warm; do
    awk -v a=${RSS[20-$mode]} -v b=${RSS[60-$mode]} 'BEGIN{r=b/a; exit !(r <= 1.10 && r >= 0.90)}' ||
        { echo "FLOOR MISSED: $mode peak RSS 20 min ${RSS[20-$mode]} kB vs 60 min ${RSS[60-$mode]} kB (> 10%)"; ok=0; }
done
[ $ok = 1 ] && echo "all floors met" || exit 1
