# The content tests speak every line of the ten sessions once (flite, then
# cached in <build>/content-test-cache): allow for a cold cache on a busy machine.
foreach(t unit_test_content e2e_content_check e2e_content_render)
  if(TEST ${t})
    set_tests_properties(${t} PROPERTIES TIMEOUT 900)
  endif()
endforeach()
