# The content tests speak every line of the ten sessions (the program's voice
# is Festival's slt-hts; cached in <build>/content-test-cache). A fixture
# speaks them first, two weeks at a time, so the tests that need them find
# the cache warm and never speak the same line twice at once; allow for a
# cold cache on a busy machine.
if(RLX_TESTS)
  add_test(NAME content_cache_warm COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/tests/content_cache.sh)
  set_tests_properties(content_cache_warm PROPERTIES
    FIXTURES_SETUP content_cache
    ENVIRONMENT "RELAX=$<TARGET_FILE:relax>;RLX_SOURCE_DIR=${CMAKE_CURRENT_SOURCE_DIR};RLX_BUILD_DIR=${CMAKE_CURRENT_BINARY_DIR}"
    TIMEOUT 1200)
endif()
foreach(t unit_test_content e2e_content_check e2e_content_render)
  if(TEST ${t})
    set_tests_properties(${t} PROPERTIES TIMEOUT 900 FIXTURES_REQUIRED content_cache)
  endif()
endforeach()
