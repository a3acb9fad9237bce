# Where everything goes on `cmake --install` and in the .deb (cpack -G DEB), laid out as the FHS
# and systemd expect:
#   bin/vigil                                   stripped in Release (linked with -s)
#   share/man/man1/vigil.1(.gz)                 the reference
#   lib/systemd/user/vigil.service              the user unit, ExecStart pointing into this prefix
#   share/doc/vigil/*.md, examples/, copyright   the guides and the example tree
# scripts/install-user.sh uses exactly these rules with the prefix ~/.local.
include(GNUInstallDirs)

install(TARGETS vigil RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
target_link_options(vigil PRIVATE $<$<CONFIG:Release,MinSizeRel>:-s>)

# The unit's ExecStart names the binary in the prefix it is installed into (/usr/bin/vigil from the
# package, ~/.local/bin/vigil from install-user.sh). The prefix is only known at install time
# (`cmake --install --prefix`), so the unit is configured then.
install(CODE "
  set(VIGIL_INSTALL_FULL_BINDIR \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}\")
  configure_file(\"${PROJECT_SOURCE_DIR}/units/vigil.service.in\" \"${PROJECT_BINARY_DIR}/install/vigil.service\" @ONLY)
")
install(FILES ${PROJECT_BINARY_DIR}/install/vigil.service DESTINATION lib/systemd/user)

# Debian policy wants man pages and changelogs compressed (gzip -n: no timestamp, reproducible).
find_program(VIGIL_GZIP gzip REQUIRED)
set(VIGIL_MAN_GZ ${PROJECT_BINARY_DIR}/vigil.1.gz)
add_custom_command(OUTPUT ${VIGIL_MAN_GZ}
  COMMAND ${VIGIL_GZIP} -9 -n -c ${PROJECT_SOURCE_DIR}/docs/vigil.1 > ${VIGIL_MAN_GZ}
  DEPENDS ${PROJECT_SOURCE_DIR}/docs/vigil.1 VERBATIM)
set(VIGIL_CHANGELOG_GZ ${PROJECT_BINARY_DIR}/changelog.gz)
add_custom_command(OUTPUT ${VIGIL_CHANGELOG_GZ}
  COMMAND ${VIGIL_GZIP} -9 -n -c ${PROJECT_SOURCE_DIR}/packaging/changelog > ${VIGIL_CHANGELOG_GZ}
  DEPENDS ${PROJECT_SOURCE_DIR}/packaging/changelog VERBATIM)
add_custom_target(vigil_install_files ALL DEPENDS ${VIGIL_MAN_GZ} ${VIGIL_CHANGELOG_GZ})
install(FILES ${VIGIL_MAN_GZ} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

set(VIGIL_DOCDIR ${CMAKE_INSTALL_DATADIR}/doc/vigil)
file(GLOB VIGIL_GUIDES ${PROJECT_SOURCE_DIR}/docs/*.md)
list(FILTER VIGIL_GUIDES EXCLUDE REGEX "/HACKING\\.md$")  # for people changing vigil, not running it
install(FILES ${VIGIL_GUIDES} ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${VIGIL_DOCDIR})
install(FILES ${VIGIL_CHANGELOG_GZ} DESTINATION ${VIGIL_DOCDIR})
# The copyright file in Debian's machine-readable form, made from LICENSE so there is one text.
file(STRINGS ${PROJECT_SOURCE_DIR}/LICENSE VIGIL_LICENSE_LINES)
list(POP_FRONT VIGIL_LICENSE_LINES)  # the title line ("MIT License"): Debian calls it Expat
list(POP_FRONT VIGIL_LICENSE_LINES)  # and the blank line after it
set(VIGIL_COPYRIGHT "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: vigil\n\nFiles: *\nCopyright: 2026 The vigil authors\nLicense: Expat\n")
foreach(line IN LISTS VIGIL_LICENSE_LINES)
  if(line STREQUAL "")
    string(APPEND VIGIL_COPYRIGHT " .\n")
  else()
    string(APPEND VIGIL_COPYRIGHT " ${line}\n")
  endif()
endforeach()
file(CONFIGURE OUTPUT ${PROJECT_BINARY_DIR}/install/copyright CONTENT "${VIGIL_COPYRIGHT}")
install(FILES ${PROJECT_BINARY_DIR}/install/copyright DESTINATION ${VIGIL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/examples/ DESTINATION ${VIGIL_DOCDIR}/examples
  PATTERN "run" EXCLUDE PATTERN "__pycache__" EXCLUDE)
