# The install layout (`cmake --install`) and the Debian package (`cpack -G DEB`), docs/design.md
# "Install layout": bin/pistesim and share/pistesim/, which mirrors the source tree's layout so
# the binary looks its data up the same way in both.
set(PISTESIM_DATA_DESTINATION share/pistesim)
install(DIRECTORY scenarios fixtures docs DESTINATION ${PISTESIM_DATA_DESTINATION}
        USE_SOURCE_PERMISSIONS)  # the example clients scenarios/client runs are executables
install(DIRECTORY conformance/checks conformance/profiles
        DESTINATION ${PISTESIM_DATA_DESTINATION}/conformance)
install(FILES conformance/world.toml conformance/README.md
        DESTINATION ${PISTESIM_DATA_DESTINATION}/conformance)
install(DIRECTORY loadgen/profiles DESTINATION ${PISTESIM_DATA_DESTINATION}/loadgen)
install(FILES loadgen/README.md DESTINATION ${PISTESIM_DATA_DESTINATION}/loadgen)
install(FILES README.md DESTINATION ${PISTESIM_DATA_DESTINATION})
# docs/ci-service.md's example, for pipelines to run as it is.
install(PROGRAMS scripts/ci-service-example.sh DESTINATION ${PISTESIM_DATA_DESTINATION}/examples)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME pistesim)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Simulator of PISTE, the French State's API gateway (OAuth 2.0 server, gateway, portal)")
set(CPACK_PACKAGE_CONTACT "pistesim maintainers <pistesim@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)  # the debug information names the build tree
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # pistesim_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# Depends: computed by dpkg-shlibdeps (dpkg-dev) from the libraries the binary links.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
include(CPack)
