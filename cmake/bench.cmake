# bench.cmake - `cmake --build build --target bench`: renders a 20- and a
# 60-minute session cold and warm, and times sox doing the same mix.
# Not a test: it prints figures and fails only when a floor is missed.
add_custom_target(bench
  COMMAND nice -n 10 bash ${CMAKE_CURRENT_SOURCE_DIR}/bench/render_bench.sh
          $<TARGET_FILE:relax> ${CMAKE_CURRENT_BINARY_DIR}/bench-work
  DEPENDS relax
  USES_TERMINAL
  COMMENT "Benchmark: relax render vs sox (20 and 60 min sessions)")
