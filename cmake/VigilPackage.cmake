# `cpack -G DEB` in a build directory makes vigil_VERSION_amd64.deb from the install rules of
# VigilInstall.cmake. Its Depends line is computed by dpkg-shlibdeps from what the binary links,
# never listed by hand. tests/package/deb_test.sh builds it, runs lintian, and installs it into a
# throwaway root.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME vigil)
set(CPACK_PACKAGE_VENDOR "The vigil authors")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "process supervisor with a health-check watchdog")
set(CPACK_PACKAGE_DESCRIPTION "vigil starts, restarts and stops long-running daemons and jobs for one
user, without root, as a systemd user service. It captures their output into
rotating logs and the journal, and watches liveness, process-tree CPU and
memory, output silence, sd_notify heartbeats, HTTP/TCP/exec probes and data
freshness in Redis. Hot-reloaded rules restart or stop services and alert
through commands, webhooks, Alertmanager and the journal. Each vigil serves
Prometheus metrics and a read-only dashboard.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)

set(VIGIL_PACKAGE_MAINTAINER "The vigil authors <maintainers@vigil.example.org>" CACHE STRING
  "Maintainer field of the .deb (a packager puts their own address here)")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${VIGIL_PACKAGE_MAINTAINER})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Loaded with dlopen only when the first webhook is sent, so dpkg-shlibdeps cannot see it.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libcurl4")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "redis-server, prometheus, prometheus-alertmanager")
include(CPack)
