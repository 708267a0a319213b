#!/bin/bash
# render_bench.sh RELAX WORKDIR - times `relax render` on 10-, 60- and
# 180-minute sessions (cold cache, then warm) and sox and ffmpeg
# (`-threads 1`) doing the equivalent mix from the same input files (10 and
# 60 minutes), and checks the floors:
#   warm render at least 1000x real time by CPU (60 min) and no slower than sox;
#   cold render at least 2x faster than sox by wall clock (60 min; meaningful
#   on an otherwise idle machine only);
#   peak RSS < 32 MB, and flat from 10 to 180 minutes (within 10%).
# Inputs are generated here: four voice clips (FLAC, 44.1 kHz mono, ~25 s)
# and an ambient bed (Ogg Vorbis, 44.1 kHz stereo, 60 s).
# BENCH_SCALING="10 60 180" and BENCH_COMPARE="10 60" choose the lengths.
set -eu
RELAX=$(readlink -f "$1")
W=$2
SCALING=${BENCH_SCALING:-10 60 180}
COMPARE=${BENCH_COMPARE:-10 60}
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
            printf '%d:%02d:05 play voice%d.flac gain %s dB\n' $(((t - 1) / 60)) $(((t - 1) % 60)) \
                $(((t - 1) % 4 + 1)) $VOICE_GAIN
        done
        printf '%d:%02d:30 fade-out 30 s\n%d:%02d:00 end\n' $(((m - 1) / 60)) $(((m - 1) % 60)) \
            $((m / 60)) $((m % 60))
    } > "$f"
}
for m in $SCALING $COMPARE; do
    [ -f "in/s$m.session" ] || make_session "$m" "in/s$m.session"
done

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
    rm -f "$W/out/voice-track-$m.wav"
}

# ---- the same mix in one ffmpeg filter graph, one thread ------------------------------
# Each clip delayed 5 s and padded to its 60 s slot, the slots concatenated
# (the last minute silent), the bed looped, a 174 Hz tone (full scale: ffmpeg's sine is 1/8) with a slow
# tremolo, gains, fades, resampled to 48 kHz, 24-bit WAV.
ffmpeg_mix() {  # minutes out
    local m=$1 out=$2 len=$(($1 * 60)) t i g="" uses
    for i in 1 2 3 4; do
        uses=0
        for ((t = 1; t < m; t++)); do [ $(((t - 1) % 4 + 1)) = $i ] && uses=$((uses + 1)); done
        [ $uses = 0 ] && continue
        g+="[$((i - 1)):a]pan=stereo|c0=c0|c1=c0,asplit=$uses"
        for ((t = 1; t < m; t++)); do [ $(((t - 1) % 4 + 1)) = $i ] && g+="[u$t]"; done
        g+=";"
    done
    for ((t = 1; t < m; t++)); do
        g+="[u$t]adelay=5000:all=1,apad=whole_dur=60,atrim=0:60[s$t];"
    done
    g+="anullsrc=r=44100:cl=stereo:d=60[s$m];"
    for ((t = 1; t <= m; t++)); do g+="[s$t]"; done
    g+="concat=n=$m:v=0:a=1,volume=${VOICE_GAIN}dB[voice];"
    g+="[4:a]aloop=loop=-1:size=$((60 * 44100)),atrim=0:$len,volume=${AMB_DB}dB[amb];"
    g+="sine=f=174:r=44100:d=$len,pan=stereo|c0=c0|c1=c0,volume=8,tremolo=f=0.1:d=0.6,volume=${BREATH_DB}dB[tone];"
    g+="[voice][amb][tone]amix=inputs=3:normalize=0,afade=t=in:d=10,afade=t=out:st=$((len - 30)):d=30,aresample=48000[out]"
    ffmpeg -nostdin -hide_banner -loglevel error -threads 1 -filter_complex_threads 1 \
        -i in/voice1.flac -i in/voice2.flac -i in/voice3.flac -i in/voice4.flac -i in/bed.ogg \
        -filter_complex "$g" -map "[out]" -c:a pcm_s24le -threads 1 -y "$out"
}

timeit() {  # cmd...: prints "wall_s cpu_s rss_kb" (cpu = user + sys, children included)
    /usr/bin/time -f "%e %U %S %M" -o "$W/time.txt" "$@" >/dev/null 2>"$W/stderr.txt" || {
        echo "FAILED: $*" >&2; cat "$W/stderr.txt" >&2; exit 1; }
    awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$W/time.txt"
}
export -f sox_mix ffmpeg_mix
export W VOICE_S AMB_DB BREATH_DB VOICE_GAIN

xrt() { awk -v s=$1 -v m=$2 'BEGIN{printf "%.0fx", m*60/(s>0?s:0.01)}'; }
ratio() { awk -v a=$1 -v b=$2 'BEGIN{printf "%.2fx", a/(b>0?b:0.01)}'; }
mb() { awk -v k=$1 'BEGIN{printf "%.1f MB", k/1024}'; }
row() {  # label wall cpu minutes rss_kb|-
    printf '%-30s %8.2f %8.2f %10s %10s\n' "$1" "$2" "$3" "$(xrt $3 $4)" \
        "$([ "$5" = - ] && echo - || mb $5)"
}
echo "cores: $(nproc), load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-30s %8s %8s %10s %10s\n' "run" "wall s" "cpu s" "x-realtime" "peak RSS"
declare -A SEC CPU RSS
for m in $SCALING; do
    export XDG_CACHE_HOME="$W/cache-$m"
    for mode in cold warm; do
        # a fresh output name each time: replacing a file of 1 GB makes the
        # kernel free its cached pages, a second of system time that is no
        # part of rendering (and sox and ffmpeg write fresh files too)
        rm -f "out/relax-$m.wav"
        read -r s c k < <(timeit "$RELAX" render "in/s$m.session" -o "out/relax-$m.wav")
        SEC[$m-$mode]=$s; CPU[$m-$mode]=$c; RSS[$m-$mode]=$k
        row "relax render $m min ($mode)" "$s" "$c" "$m" "$k"
    done
    rm -f "out/relax-$m.wav"
done
for m in $COMPARE; do
    if [ -z "${SEC[$m-warm]:-}" ]; then
        echo "BENCH_COMPARE: $m is not in BENCH_SCALING" >&2; exit 2
    fi
    read -r s c k < <(timeit bash -c "sox_mix $m out/sox-$m.wav")
    SEC[$m-sox]=$s; CPU[$m-sox]=$c
    row "sox equivalent $m min" "$s" "$c" "$m" "$k"
    rm -f "out/sox-$m.wav"
    read -r s c k < <(timeit bash -c "ffmpeg_mix $m out/ffmpeg-$m.wav")
    SEC[$m-ffmpeg]=$s; CPU[$m-ffmpeg]=$c
    row "ffmpeg -threads 1 $m min" "$s" "$c" "$m" "$k"
    rm -f "out/ffmpeg-$m.wav"
    for other in sox ffmpeg; do
        for mode in cold warm; do
            printf '%-30s %8s %8s   (%s / relax %s, %s min)\n' "  $other / relax $mode" \
                "$(ratio ${SEC[$m-$other]} ${SEC[$m-$mode]})" "$(ratio ${CPU[$m-$other]} ${CPU[$m-$mode]})" \
                "$other" "$mode" "$m"
        done
    done
done
echo "(x-realtime from CPU time: the machine may be shared; wall time is also shown;"
echo " ratios above 1 mean relax is faster, by wall clock and by CPU time)"

ok=1
miss() { echo "FLOOR MISSED: $*"; ok=0; }
for m in $COMPARE; do
    awk -v a=${CPU[$m-warm]} -v b=${CPU[$m-sox]} 'BEGIN{exit !(a <= b)}' ||
        miss "warm $m min render (${CPU[$m-warm]} cpu s) slower than sox (${CPU[$m-sox]} cpu s)"
done
if [ -n "${CPU[60-warm]:-}" ]; then
    awk -v c=${CPU[60-warm]} 'BEGIN{exit !(3600 / (c > 0 ? c : 0.01) >= 1000)}' ||
        miss "warm 60 min render at $(xrt ${CPU[60-warm]} 60) real time by CPU, below 1000x"
fi
if [ -n "${SEC[60-sox]:-}" ]; then
    awk -v a=${SEC[60-cold]} -v b=${SEC[60-sox]} 'BEGIN{exit !(2 * a <= b)}' ||
        miss "cold 60 min render ${SEC[60-cold]} s wall, not 2x faster than sox (${SEC[60-sox]} s)" \
             "(by wall clock: compare on an idle machine)"
fi
for m in $SCALING; do
    for mode in cold warm; do
        [ "${RSS[$m-$mode]}" -lt 32768 ] || miss "$m min $mode peak RSS ${RSS[$m-$mode]} kB >= 32 MB"
    done
done
set -- $SCALING
lo=$1; hi=${!#}
for mode in cold warm; do
    awk -v a=${RSS[$lo-$mode]} -v b=${RSS[$hi-$mode]} 'BEGIN{r=b/a; exit !(r <= 1.10 && r >= 0.90)}' ||
        miss "$mode peak RSS $lo min ${RSS[$lo-$mode]} kB vs $hi min ${RSS[$hi-$mode]} kB (> 10%)"
done
[ $ok = 1 ] && echo "all floors met" || exit 1
