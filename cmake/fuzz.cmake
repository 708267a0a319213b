# fuzz.cmake - libFuzzer targets for the session and program parsers.
# The main build may use gcc, so the fuzzers are compiled by a custom command
# that runs clang directly on the few sources they need. They are only made
# when RLX_FUZZ is ON and clang can link a -fsanitize=fuzzer probe.
if(NOT RLX_FUZZ)
  return()
endif()

find_program(RLX_CLANG NAMES clang clang-18 clang-17 clang-16 clang-15 clang-14)
if(NOT RLX_CLANG)
  message(STATUS "fuzzers: clang not found, skipped")
  return()
endif()

set(_rlx_probe_dir ${CMAKE_CURRENT_BINARY_DIR}/rlx_fuzz_probe)
file(MAKE_DIRECTORY ${_rlx_probe_dir})
file(WRITE ${_rlx_probe_dir}/probe.c
  "#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n")
execute_process(
  COMMAND ${RLX_CLANG} -fsanitize=fuzzer,address,undefined probe.c -o probe
  WORKING_DIRECTORY ${_rlx_probe_dir}
  RESULT_VARIABLE _rlx_probe_rc OUTPUT_QUIET ERROR_QUIET)
if(NOT _rlx_probe_rc EQUAL 0)
  message(STATUS "fuzzers: ${RLX_CLANG} cannot build libFuzzer targets, skipped")
  return()
endif()
message(STATUS "fuzzers: building fuzz_session, fuzz_program, fuzz_writers, fuzz_duration, fuzz_decode, fuzz_cache and fuzz_store with ${RLX_CLANG}")

set(RLX_FUZZ_LIB_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/player/core/err.c
  ${CMAKE_CURRENT_SOURCE_DIR}/player/session/lex.c
  ${CMAKE_CURRENT_SOURCE_DIR}/player/session/session_parse.c
  ${CMAKE_CURRENT_SOURCE_DIR}/player/session/program_parse.c
  ${CMAKE_CURRENT_SOURCE_DIR}/player/session/timeline.c
  ${CMAKE_CURRENT_SOURCE_DIR}/player/session/recording.c
  ${CMAKE_CURRENT_SOURCE_DIR}/player/session/breath.c
  ${CMAKE_CURRENT_SOURCE_DIR}/player/session/shape.c)
file(GLOB RLX_FUZZ_HEADERS CONFIGURE_DEPENDS
  ${CMAKE_CURRENT_SOURCE_DIR}/player/core/*.h
  ${CMAKE_CURRENT_SOURCE_DIR}/player/session/*.h)
set(RLX_FUZZ_FLAGS -std=c11 -g -O1 -fno-omit-frame-pointer
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
  -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE -Wall -Wextra
  -I${CMAKE_CURRENT_SOURCE_DIR}/player)

foreach(fuzzer fuzz_session fuzz_program)
  add_custom_command(
    OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/${fuzzer}
    COMMAND ${RLX_CLANG} ${RLX_FUZZ_FLAGS} ${RLX_FUZZ_LIB_SOURCES}
            ${CMAKE_CURRENT_SOURCE_DIR}/tests/fuzz/${fuzzer}.c -lm -o ${CMAKE_CURRENT_BINARY_DIR}/${fuzzer}
    DEPENDS ${RLX_FUZZ_LIB_SOURCES} ${RLX_FUZZ_HEADERS} ${CMAKE_CURRENT_SOURCE_DIR}/tests/fuzz/${fuzzer}.c
    COMMENT "Building libFuzzer target ${fuzzer}"
    VERBATIM)
  add_custom_target(${fuzzer}_bin ALL DEPENDS ${CMAKE_CURRENT_BINARY_DIR}/${fuzzer})
endforeach()

# The targets beyond the parsers: each names the few sources it needs and
# the libraries they link (pkg-config link flags of the main build).
set(_p ${CMAKE_CURRENT_SOURCE_DIR}/player)
set(RLX_FUZZ_writers_SOURCES ${RLX_FUZZ_LIB_SOURCES} ${_p}/export/timeline_svg.c ${_p}/export/captions_vtt.c ${_p}/session/automation.c
    ${_p}/cli/cli_common.c ${_p}/cli/cli_paths.c)
set(RLX_FUZZ_writers_DEFS -DRLX_BUILTIN_SESSIONS_DIR="/nonexistent" -DRLX_BUILTIN_ASSETS_DIR="/nonexistent")
set(RLX_FUZZ_writers_LIBS -lm)
set(RLX_FUZZ_duration_SOURCES ${RLX_FUZZ_LIB_SOURCES})
set(RLX_FUZZ_duration_LIBS -lm)
set(RLX_FUZZ_decode_SOURCES ${_p}/core/err.c ${_p}/audio/decode.c)
set(RLX_FUZZ_decode_LIBS ${SNDFILE_LDFLAGS} -lm)
set(RLX_FUZZ_cache_SOURCES ${_p}/core/err.c ${_p}/audio/cache.c)
set(RLX_FUZZ_cache_LIBS -lm)
set(RLX_FUZZ_store_SOURCES ${_p}/core/err.c ${_p}/store/store.c ${_p}/store/store_sqlite.c ${_p}/store/store_pg.c
    ${_p}/store/store_journal.c ${_p}/store/store_record.c)
set(RLX_FUZZ_store_DEFS ${LIBPQ_CFLAGS} ${SQLITE_CFLAGS})
set(RLX_FUZZ_store_MAX_LEN 8192)   # the seeds are whole databases of 512-byte pages
set(RLX_FUZZ_store_LIBS ${SQLITE_LDFLAGS} ${LIBPQ_LDFLAGS} -lpthread -lm)
file(GLOB RLX_FUZZ_MORE_HEADERS CONFIGURE_DEPENDS ${_p}/audio/*.h ${_p}/cli/*.h ${_p}/export/*.h ${_p}/store/*.h)
foreach(t writers duration decode cache store)
  set(fuzzer fuzz_${t})
  add_custom_command(
    OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/${fuzzer}
    COMMAND ${RLX_CLANG} ${RLX_FUZZ_FLAGS} ${SNDFILE_CFLAGS} ${RLX_FUZZ_${t}_DEFS} ${RLX_FUZZ_${t}_SOURCES}
            ${CMAKE_CURRENT_SOURCE_DIR}/tests/fuzz/${fuzzer}.c ${RLX_FUZZ_${t}_LIBS}
            -o ${CMAKE_CURRENT_BINARY_DIR}/${fuzzer}
    DEPENDS ${RLX_FUZZ_${t}_SOURCES} ${RLX_FUZZ_HEADERS} ${RLX_FUZZ_MORE_HEADERS}
            ${CMAKE_CURRENT_SOURCE_DIR}/tests/fuzz/${fuzzer}.c
    COMMENT "Building libFuzzer target ${fuzzer}"
    VERBATIM)
  add_custom_target(${fuzzer}_bin ALL DEPENDS ${CMAKE_CURRENT_BINARY_DIR}/${fuzzer})
endforeach()

# ctest runs every seed once, then mutates for this long: a check that the
# targets build, run and hold their invariants on the seeds, not a campaign
# (tests/fuzz/campaign.sh is). Each costs about this many CPU seconds.
set(RLX_FUZZ_SMOKE_SECONDS 2 CACHE STRING "Seconds of mutation per fuzz_*_smoke test")
if(RLX_TESTS)
  # Short runs from the seed corpus (copied, so the source tree stays clean).
  foreach(t session program writers duration decode cache store)
    # fuzz_writers reads the session language: the session dictionary
    set(_dict ${CMAKE_CURRENT_SOURCE_DIR}/tests/fuzz/${t}.dict)
    if(t STREQUAL "writers")
      set(_dict ${CMAKE_CURRENT_SOURCE_DIR}/tests/fuzz/session.dict)
    endif()
    if(NOT EXISTS ${_dict})
      set(_dict "")
    endif()
    add_test(NAME fuzz_${t}_smoke
      COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/tests/fuzz/smoke.sh ${CMAKE_CURRENT_BINARY_DIR}/fuzz_${t}
              ${CMAKE_CURRENT_SOURCE_DIR}/tests/fuzz/corpus/${t} "${_dict}" ${RLX_FUZZ_SMOKE_SECONDS} ${RLX_FUZZ_${t}_MAX_LEN})
    set_tests_properties(fuzz_${t}_smoke PROPERTIES TIMEOUT 120)
  endforeach()
endif()

# fuzz_cli: the whole command line. The CLI's own sources are compiled here
# (instrumented), main.c with main renamed rlx_cli_main so that the fuzzer
# calls it; the layers below come from the main build's static libraries
# (not instrumented: only their parsing-free entry points are reachable
# before the rlx_cli_parsed seam). Not with RLX_SANITIZE: two sanitizer
# runtimes do not mix.
# It links every library of the program: deferred to the end of the
# configuration, once the other parts (remote.cmake: sd-bus, libmicrohttpd,
# jansson, libqrencode) have found theirs.
function(rlx_add_fuzz_cli)
  file(GLOB RLX_FUZZ_CLI_SOURCES CONFIGURE_DEPENDS ${_p}/cli/*.c)
  list(FILTER RLX_FUZZ_CLI_SOURCES EXCLUDE REGEX "/main\\.c$")
  set(_cli_defs -DRLX_VERSION="${PROJECT_VERSION}" -DRLX_DATA_FROM_BIN="${RLX_DATA_FROM_BIN}"
      -DRLX_BUILD_MARKER="${RLX_BUILD_MARKER}" -I${FLITE_INCLUDE_DIR})
  set(_cli_main_o ${CMAKE_CURRENT_BINARY_DIR}/fuzz_cli_main.o)
  add_custom_command(
    OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/fuzz_cli
    COMMAND ${RLX_CLANG} ${RLX_FUZZ_FLAGS} ${_cli_defs} -Dmain=rlx_cli_main -c ${_p}/cli/main.c -o ${_cli_main_o}
    COMMAND ${RLX_CLANG} ${RLX_FUZZ_FLAGS} ${_cli_defs} ${RLX_FUZZ_CLI_SOURCES} ${_cli_main_o}
            ${CMAKE_CURRENT_SOURCE_DIR}/tests/fuzz/fuzz_cli.c
            $<TARGET_FILE:relax_device> $<TARGET_FILE:relax_remote> $<TARGET_FILE:relax_core> $<TARGET_FILE:relax_device>
            ${PORTAUDIO_LDFLAGS} ${SNDFILE_LDFLAGS} ${SAMPLERATE_LDFLAGS} ${SQLITE_LDFLAGS} ${LIBPQ_LDFLAGS}
            ${EBUR128_LDFLAGS} ${FLITE_LIBS} ${MHD_LDFLAGS} ${JANSSON_LDFLAGS}
            ${QRENCODE_LDFLAGS} ${SYSTEMD_LDFLAGS} ${RLX_TINFO_LIB} -lpthread -lm
            -o ${CMAKE_CURRENT_BINARY_DIR}/fuzz_cli
    DEPENDS ${RLX_FUZZ_CLI_SOURCES} ${_p}/cli/main.c ${RLX_FUZZ_HEADERS} ${RLX_FUZZ_MORE_HEADERS}
            ${CMAKE_CURRENT_SOURCE_DIR}/tests/fuzz/fuzz_cli.c relax_core relax_device relax_remote
    COMMENT "Building libFuzzer target fuzz_cli"
    VERBATIM)
  add_custom_target(fuzz_cli_bin ALL DEPENDS ${CMAKE_CURRENT_BINARY_DIR}/fuzz_cli)
  if(RLX_TESTS)
    add_test(NAME fuzz_cli_smoke
      COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/tests/fuzz/smoke.sh ${CMAKE_CURRENT_BINARY_DIR}/fuzz_cli
              ${CMAKE_CURRENT_SOURCE_DIR}/tests/fuzz/corpus/cli ${CMAKE_CURRENT_SOURCE_DIR}/tests/fuzz/cli.dict
              ${RLX_FUZZ_SMOKE_SECONDS} 512)
    set_tests_properties(fuzz_cli_smoke PROPERTIES TIMEOUT 120)
  endif()
endfunction()
if(NOT RLX_SANITIZE)
  cmake_language(DEFER CALL rlx_add_fuzz_cli)
endif()
