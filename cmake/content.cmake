# The content tests speak every line of the ten sessions (the program's voice,
# Festival's slt-hts, then cached in <build>/content-test-cache). One fixture prepares that cache first, in
# parallel (tests/fixtures/content_cache.sh), and the tests that read it wait
# for it instead of each speaking the same lines on a cold cache. Allow for a
# cold cache on a busy machine.
if(NOT RLX_TESTS)
  return()
endif()
add_test(NAME fixture_content_cache COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/tests/fixtures/content_cache.sh)
set_tests_properties(fixture_content_cache PROPERTIES
  ENVIRONMENT "RELAX=$<TARGET_FILE:relax>;RLX_SOURCE_DIR=${CMAKE_CURRENT_SOURCE_DIR};RLX_BUILD_DIR=${CMAKE_CURRENT_BINARY_DIR}"
  FIXTURES_SETUP content_cache
  COST 2000   # the longest: start it first
  PROCESSORS 2   # one worker per core: two of ctest's slots
  TIMEOUT 900)
foreach(t unit_test_content e2e_content_check e2e_content_render)
  if(TEST ${t})
    set_tests_properties(${t} PROPERTIES TIMEOUT 900 FIXTURES_REQUIRED content_cache)
  endif()
endforeach()
# These read the same cache (relax list measures every week); started beside
# the fixture on a cold cache, each spoke all the lines a second time.
foreach(t e2e_install_tree e2e_user_sessions)
  if(TEST ${t})
    set_tests_properties(${t} PROPERTIES FIXTURES_REQUIRED content_cache)
  endif()
endforeach()
