# Test helper for the progress-store end-to-end tests (tests/e2e/store_*.sh).
if(RLX_TESTS)
  add_executable(rlx_store_tool tests/store/store_tool.c)
  target_link_libraries(rlx_store_tool PRIVATE relax_core)
endif()

