# speed.cmake - the per-sample loops of the mix are built with -O3: GCC then
# vectorises loops of any length (at -O2 only those with fixed trip counts).
# The same IEEE operations run per lane and nothing is reassociated (no
# -ffast-math), so the output is the same bit for bit.
set_source_files_properties(
  player/audio/source_bed.c player/audio/source_tone.c player/audio/source_clips.c
  player/audio/render.c player/audio/clip.c
  DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}
  PROPERTIES COMPILE_OPTIONS "-O3")
