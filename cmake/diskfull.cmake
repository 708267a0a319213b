# A full disk without root or tmpfs: an LD_PRELOAD shim (tests/preload/enospc.c)
# makes writes under $RLX_ENOSPC_DIR fail with ENOSPC after $RLX_ENOSPC_AFTER
# bytes. The e2e scripts preload it themselves (render_diskfull, store_errors);
# test_sink_file gets it from ctest. Built without sanitizers: it is preloaded
# ahead of everything, the ASan runtime included.
if(RLX_TESTS)
  add_library(rlx_enospc SHARED tests/preload/enospc.c)
  target_compile_options(rlx_enospc PRIVATE -fno-sanitize=all)
  target_link_options(rlx_enospc PRIVATE -fno-sanitize=all)
  target_link_libraries(rlx_enospc PRIVATE dl)
  set_target_properties(rlx_enospc PROPERTIES PREFIX "")
  # keep the caller's ASAN_OPTIONS (CI's detect_leaks, abort_on_error) and add one
  set_property(TEST unit_test_sink_file APPEND PROPERTY ENVIRONMENT_MODIFICATION
    "LD_PRELOAD=set:$<TARGET_FILE:rlx_enospc>"
    "ASAN_OPTIONS=path_list_append:verify_asan_link_order=0")
endif()
