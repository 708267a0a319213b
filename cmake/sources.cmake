# Benchmark of clip preparation with a cold and a warm cache (not a test:
# run build/rlx_bench_prepare [AMBIENT_FILE] by hand).
if(RLX_TESTS)
  add_executable(rlx_bench_prepare tests/sources/bench_prepare.c)
  target_link_libraries(rlx_bench_prepare PRIVATE relax_core)
endif()
