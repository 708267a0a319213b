# remote.cmake - the phone remote (player/remote/): an embedded web server
# (libmicrohttpd), JSON bodies (jansson), the terminal QR code (libqrencode)
# and the page, compiled into the binary from remote_page.html; and MPRIS
# on the D-Bus session bus (sd-bus from libsystemd).
rlx_require_pkg(MHD libmicrohttpd libmicrohttpd-dev)
rlx_require_pkg(JANSSON jansson libjansson-dev)
rlx_require_pkg(QRENCODE libqrencode libqrencode-dev)
rlx_require_pkg(SYSTEMD libsystemd libsystemd-dev)   # sd-bus, for MPRIS

set(RLX_REMOTE_PAGE ${CMAKE_CURRENT_SOURCE_DIR}/player/remote/remote_page.html)
set(RLX_REMOTE_PAGE_C ${CMAKE_CURRENT_BINARY_DIR}/generated/remote_page.c)
add_custom_command(
  OUTPUT ${RLX_REMOTE_PAGE_C}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/generated
  COMMAND ${CMAKE_COMMAND} -DIN=${RLX_REMOTE_PAGE} -DOUT=${RLX_REMOTE_PAGE_C} -DNAME=rlx_remote_page
          -P ${CMAKE_CURRENT_SOURCE_DIR}/player/remote/embed.cmake
  DEPENDS ${RLX_REMOTE_PAGE} ${CMAKE_CURRENT_SOURCE_DIR}/player/remote/embed.cmake
  COMMENT "Compiling the remote's page into the binary"
  VERBATIM)

file(GLOB RLX_REMOTE_SOURCES CONFIGURE_DEPENDS player/remote/*.c)
add_library(relax_remote STATIC ${RLX_REMOTE_SOURCES} ${RLX_REMOTE_PAGE_C})
target_link_libraries(relax_remote PUBLIC relax_core PkgConfig::MHD PkgConfig::JANSSON PkgConfig::QRENCODE
  PkgConfig::SYSTEMD)
target_link_libraries(relax PRIVATE relax_remote)

if(RLX_TESTS)
  foreach(t test_remote test_remote_api test_remote_qr test_remote_engine)
    if(TARGET ${t})
      target_link_libraries(${t} PRIVATE relax_remote)
    endif()
  endforeach()
endif()
