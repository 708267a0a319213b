# bench.cmake - `cmake --build build --target bench`: renders 10-, 60- and
# 180-minute sessions cold and warm, and times sox and ffmpeg (one thread)
# doing the same mix at 10 and 60 minutes (bench/render_bench.sh).
# Not a test: it prints figures and fails only when a floor is missed.
# With the live-playback harness built (cmake/live.cmake: RLX_TESTS and
# JACK), bench-live runs first: relax play's CPU, memory and time to first
# audio through a JACK dummy server (bench/live_bench.sh).
add_custom_target(bench
  COMMAND nice -n 10 bash ${CMAKE_CURRENT_SOURCE_DIR}/bench/render_bench.sh
          $<TARGET_FILE:relax> ${CMAKE_CURRENT_BINARY_DIR}/bench-work
  DEPENDS relax
  USES_TERMINAL
  COMMENT "Benchmark: relax render vs sox and ffmpeg (10, 60 and 180 min sessions)")
