# Optional target `assets`: rebuilds assets/ambient/*.ogg and assets/chime.flac
# from assets/gen/make_assets.c (not part of the default build; the generated
# files are committed). Usage: cmake --build build --target assets
add_executable(make_assets EXCLUDE_FROM_ALL assets/gen/make_assets.c)
target_link_libraries(make_assets PRIVATE PkgConfig::SNDFILE m)
add_custom_target(assets
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_SOURCE_DIR}/assets/ambient
  COMMAND make_assets ${CMAKE_CURRENT_SOURCE_DIR}/assets
  DEPENDS make_assets
  COMMENT "Synthesising the ambient beds and the chime into assets/"
  VERBATIM)
