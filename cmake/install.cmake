# install.cmake - what `cmake --install` puts where, the man pages (made from
# README.md with pandoc, so they never disagree with it), the shell
# completions and the Debian package (`cpack -G DEB` in the build folder).
#
#   bin/relax
#   share/relax/sessions/, share/relax/assets/    found from bin/ at run time
#   share/man/man1/relax.1.gz, man5/relax-session.5.gz
#   share/bash-completion/completions/relax, share/zsh/vendor-completions/_relax
#   share/doc/relax/README.md, copyright
option(RLX_MAN "Build the man pages from README.md (needs pandoc)" ON)

install(TARGETS relax DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY sessions/ DESTINATION ${CMAKE_INSTALL_DATADIR}/relax/sessions)
install(DIRECTORY assets/ DESTINATION ${CMAKE_INSTALL_DATADIR}/relax/assets
  PATTERN gen EXCLUDE)   # the generator's source is not data
install(FILES cmake/completion/relax.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
  RENAME relax)
install(FILES cmake/completion/_relax DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES README.md cmake/debian/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})

if(RLX_MAN)
  find_program(RLX_PANDOC pandoc)
  find_program(RLX_GZIP gzip)
  if(NOT RLX_PANDOC)
    message(FATAL_ERROR "pandoc not found (it makes the man pages from README.md): install the Debian "
                        "package 'pandoc' (or run .ci/install-deps), or configure with -DRLX_MAN=OFF")
  endif()
  set(RLX_MAN_PAGES)
  foreach(page relax.1 relax-session.5)
    string(REGEX REPLACE ".*\\.([0-9])$" "\\1" sect ${page})
    set(out ${CMAKE_CURRENT_BINARY_DIR}/man/${page})
    # SOURCE_DATE_EPOCH and gzip -n: the same sources give the same bytes
    add_custom_command(OUTPUT ${out} ${out}.gz
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/man
      COMMAND ${CMAKE_COMMAND} -E env SOURCE_DATE_EPOCH=0
              ${RLX_PANDOC} -s -t man -M date=${PROJECT_VERSION} -M footer=relax\ ${PROJECT_VERSION}
              --lua-filter ${CMAKE_CURRENT_SOURCE_DIR}/cmake/man/sections.lua
              ${CMAKE_CURRENT_SOURCE_DIR}/cmake/man/${page}.md ${CMAKE_CURRENT_SOURCE_DIR}/README.md
              ${CMAKE_CURRENT_SOURCE_DIR}/cmake/man/tail.md -o ${out}
      COMMAND ${RLX_GZIP} -9nkf ${out}
      DEPENDS cmake/man/${page}.md cmake/man/sections.lua cmake/man/tail.md README.md
      COMMENT "Making the man page ${page} from README.md"
      VERBATIM)
    list(APPEND RLX_MAN_PAGES ${out})
    install(FILES ${out}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man${sect})
  endforeach()
  add_custom_target(man ALL DEPENDS ${RLX_MAN_PAGES})
endif()

# --- the Debian package: cpack -G DEB (run in the build folder) --------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME relax)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "Relax developers <relax@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "guided relaxation sessions and a ten-week program")
set(CPACK_PACKAGE_DESCRIPTION "Relax plays guided relaxation sessions: a calm voice leads a body scan
while a soft tone rises and falls with the breath, over a quiet ambient bed.
A ten-week program is played in order, and Relax remembers what each person
has completed and where they stopped. Sessions render to audio files too.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION sound)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# runtime libraries found by dpkg-shlibdeps (package dpkg-dev) from the binary
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
set(CPACK_STRIP_FILES ON)
# The program voice (festival:slt-hts) runs text2wave; without it flite speaks, with a notice
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "festival, festvox-us-slt-hts")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "man-db, bash-completion")
set(CPACK_PACKAGE_CHECKSUM SHA256)
include(CPack)

# The installed relax renders week 1 with the shared voice cache; in a fresh
# sanitizer build that cache may still be cold when this test runs first
# (ctest -j), and speaking the whole week under ASan takes minutes.
if(RLX_TESTS AND TEST e2e_install_tree)
  set_tests_properties(e2e_install_tree PROPERTIES TIMEOUT 1800)
endif()
