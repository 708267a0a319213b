# live.cmake - live playback harness: a JACK dummy server stands in for a
# sound card, a small JACK client records what `relax play` outputs, and
# scripts compare it with `relax render`. Also the `bench-play` target.
# Needs libjack (Debian: libjack-jackd2-dev) and jackd (jackd2) to run.
if(NOT RLX_TESTS)
  return()
endif()
pkg_check_modules(JACK IMPORTED_TARGET jack)
if(NOT JACK_FOUND)
  message(WARNING "libjack not found: live playback tests disabled (install 'libjack-jackd2-dev' and 'jackd2')")
  return()
endif()

add_executable(jack_capture tests/live/jack_capture.c)
target_link_libraries(jack_capture PRIVATE PkgConfig::JACK PkgConfig::SNDFILE)
add_executable(jack_feed tests/live/jack_feed.c)
target_link_libraries(jack_feed PRIVATE PkgConfig::JACK PkgConfig::SNDFILE)
add_executable(take_check tests/live/take_check.c)
target_link_libraries(take_check PRIVATE PkgConfig::SNDFILE PkgConfig::EBUR128 m)
add_executable(wav_check tests/live/wav_check.c)
target_link_libraries(wav_check PRIVATE PkgConfig::SNDFILE m)
add_executable(pty_drive tests/live/pty_drive.c)
target_link_libraries(pty_drive PRIVATE util)

find_program(RLX_JACKD jackd)
if(NOT RLX_JACKD)
  message(WARNING "jackd not found: live playback tests disabled (install 'jackd2')")
  return()
endif()

set(RLX_LIVE_ENV
  "RELAX=$<TARGET_FILE:relax>"
  "RLX_LIVE_BIN=${CMAKE_CURRENT_BINARY_DIR}"
  "RLX_SOURCE_DIR=${CMAKE_CURRENT_SOURCE_DIR}"
  "RLX_BUILD_DIR=${CMAKE_CURRENT_BINARY_DIR}"
  "RLX_SANITIZE=$<IF:$<BOOL:${RLX_SANITIZE}>,ON,OFF>")
file(GLOB RLX_LIVE_TESTS CONFIGURE_DEPENDS tests/live/test_*.sh)
# Three of these at a time, each on its own JACK server, beside the other
# tests. They spend their time waiting on the audio clock, not the CPU: one
# at a time (a single lock) they were a chain of about 290 s, longer than
# all the rest of the suite. Three locks, the tests shared out by their
# measured length (seconds on the shared 2-core machine) so that each chain
# is about as long; a new test goes on the third. They assert no underruns
# and pass with the suite beside them at loads of 16 to 18.
set(RLX_LIVE_LOCK_jack1 tui record remote_hostile mpris device_lost no_device length_keys)
set(RLX_LIVE_LOCK_jack2 first_run remote_serve footprint signal voice_sample)
foreach(script ${RLX_LIVE_TESTS})
  get_filename_component(name ${script} NAME_WE)
  string(REGEX REPLACE "^test_" "" name ${name})
  add_test(NAME live_${name} COMMAND bash ${script})
  set(_lock jack3)
  foreach(l jack1 jack2)
    if(name IN_LIST RLX_LIVE_LOCK_${l})
      set(_lock ${l})
    endif()
  endforeach()
  set_tests_properties(live_${name} PROPERTIES
    ENVIRONMENT "${RLX_LIVE_ENV}"
    RESOURCE_LOCK ${_lock}
    COST 500
    TIMEOUT 180)
endforeach()

# Benchmark: prints figures (CPU per minute of audio, underruns idle and under
# stress-ng, time to first audio, pause-to-silence latency). Not a test.
add_custom_target(bench-play
  COMMAND ${CMAKE_COMMAND} -E env ${RLX_LIVE_ENV} bash ${CMAKE_CURRENT_SOURCE_DIR}/bench/play_bench.sh
  DEPENDS relax jack_capture wav_check pty_drive
  USES_TERMINAL
  VERBATIM)

# The live part of `cmake --build build --target bench` (also alone:
# --target bench-live): relax play's CPU and memory over 60 s and its time to
# first audio cold and warm, beside sndfile-jackplay on the same server
# (bench/live_bench.sh). Not a test.
add_custom_target(bench-live
  COMMAND ${CMAKE_COMMAND} -E env ${RLX_LIVE_ENV} nice -n 10 bash ${CMAKE_CURRENT_SOURCE_DIR}/bench/live_bench.sh
  DEPENDS relax jack_capture
  USES_TERMINAL
  VERBATIM)
if(TARGET bench)
  add_dependencies(bench bench-live)
endif()

# Other tests that start a JACK server of their own (a private name each).
# These check saved positions and arrivals (with margins for a loaded
# machine), not underruns, and spend most of their time waiting on the audio
# clock: they run beside the other tests, the live ones too, started early
# (COST) so they overlap them.
foreach(t e2e_store_live e2e_store_pg_live)
  if(TEST ${t})
    set_tests_properties(${t} PROPERTIES COST 1000)
  endif()
endforeach()
