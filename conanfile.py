# SPDX-License-Identifier: MIT
# Conan 2 recipe that packages this checkout (`conan create .`). The version is read from
# include/valence/version.hpp, the single source CMake also reads.
import os
import re

from conan import ConanFile
from conan.tools.build import check_min_cppstd
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout
from conan.tools.files import copy, load

required_conan_version = ">=2.0"


class ValenceConan(ConanFile):
    name = "valence"
    description = "Header-only C++17 library for quantitative battery-cathode spectroscopy and electrochemistry"
    license = "MIT"
    topics = ("xas", "eels", "spectroscopy", "battery", "least-squares", "header-only")
    package_type = "header-library"
    settings = "os", "arch", "compiler", "build_type"
    exports_sources = (
        "CMakeLists.txt", "LICENSE", "README.md", "cmake/*", "include/*", "src/*", "tests/*", "examples/*")
    no_copy_source = True

    def set_version(self):
        text = load(self, os.path.join(self.recipe_folder, "include", "valence", "version.hpp"))
        self.version = ".".join(
            re.search(rf"#define VALENCE_VERSION_{part} (\d+)", text).group(1) for part in ("MAJOR", "MINOR", "PATCH"))

    def layout(self):
        cmake_layout(self)

    def requirements(self):
        self.requires("eigen/[>=3.4.0 <6]", transitive_headers=True)
        self.requires("boost/[>=1.74.0 <2]", transitive_headers=True, options={"header_only": True})

    def build_requirements(self):
        self.test_requires("doctest/[>=2.4.9 <3]")

    def validate(self):
        check_min_cppstd(self, 17)

    def package_id(self):
        self.info.clear()

    def generate(self):
        tc = CMakeToolchain(self)
        tc.cache_variables["VALENCE_BUILD_TESTS"] = not self.conf.get("tools.build:skip_test", default=False,
                                                                      check_type=bool)
        tc.cache_variables["VALENCE_BUILD_EXAMPLES"] = False
        tc.cache_variables["VALENCE_INSTALL"] = False
        # The package is header-only; the tests still build against the compiled solver library.
        tc.cache_variables["VALENCE_BUILD_COMPILED"] = True
        tc.generate()
        CMakeDeps(self).generate()

    def build(self):
        if not self.conf.get("tools.build:skip_test", default=False, check_type=bool):
            cmake = CMake(self)
            cmake.configure()
            cmake.build()
            cmake.test()

    def package(self):
        copy(self, "LICENSE", self.source_folder, os.path.join(self.package_folder, "licenses"))
        copy(self, "*.hpp", os.path.join(self.source_folder, "include"), os.path.join(self.package_folder, "include"))

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "valence")
        self.cpp_info.set_property("cmake_target_name", "valence::valence")
        self.cpp_info.bindirs = []
        self.cpp_info.libdirs = []
