# voicefig.cmake - `cmake --build build --target voice-figures`: the voice
# and breath figures of the ten weeks (bench/voice_figures.c), with the
# content tests' cache of spoken lines. Not a test: it prints figures.
add_executable(voice_figures bench/voice_figures.c)
target_link_libraries(voice_figures PRIVATE relax_core)
add_custom_target(voice-figures
  COMMAND nice -n 10 $<TARGET_FILE:voice_figures>
          ${CMAKE_CURRENT_BINARY_DIR}/content-test-cache/relax
          ${CMAKE_CURRENT_SOURCE_DIR}/sessions/week-01.session
          ${CMAKE_CURRENT_SOURCE_DIR}/sessions/week-02.session
          ${CMAKE_CURRENT_SOURCE_DIR}/sessions/week-03.session
          ${CMAKE_CURRENT_SOURCE_DIR}/sessions/week-04.session
          ${CMAKE_CURRENT_SOURCE_DIR}/sessions/week-05.session
          ${CMAKE_CURRENT_SOURCE_DIR}/sessions/week-06.session
          ${CMAKE_CURRENT_SOURCE_DIR}/sessions/week-07.session
          ${CMAKE_CURRENT_SOURCE_DIR}/sessions/week-08.session
          ${CMAKE_CURRENT_SOURCE_DIR}/sessions/week-09.session
          ${CMAKE_CURRENT_SOURCE_DIR}/sessions/week-10.session
  DEPENDS voice_figures
  USES_TERMINAL
  COMMENT "Voice and breath figures of the ten weeks")
