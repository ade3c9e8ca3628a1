# Overlay port that packages this checkout: vcpkg install valence --overlay-ports=ports
set(VCPKG_BUILD_TYPE release)  # header-only: one configuration is enough
get_filename_component(SOURCE_PATH "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
vcpkg_cmake_configure(
  SOURCE_PATH "${SOURCE_PATH}"
  OPTIONS -DVALENCE_BUILD_TESTS=OFF -DVALENCE_BUILD_EXAMPLES=OFF -DVALENCE_BUILD_BENCHMARKS=OFF
          -DVALENCE_BUILD_DOCS=OFF -DVALENCE_INSTALL=ON
          -DVALENCE_BUILD_COMPILED=OFF)  # the port stays header-only
vcpkg_cmake_install()
vcpkg_cmake_config_fixup(CONFIG_PATH share/valence)
file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/lib" "${CURRENT_PACKAGES_DIR}/debug")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
