// SPDX-License-Identifier: MIT
/// \file
/// \brief Language checks and the dependency version checks every header relies on.
#ifndef VALENCE_CONFIG_HPP
#define VALENCE_CONFIG_HPP

#include <Eigen/Core>

#include <boost/version.hpp>

#if defined(_MSVC_LANG)
#if _MSVC_LANG < 201703L
#error "valence requires C++17 or later"
#endif
#elif __cplusplus < 201703L
#error "valence requires C++17 or later"
#endif

#if !EIGEN_VERSION_AT_LEAST(3, 4, 0)
#error "valence requires Eigen 3.4 or later"
#endif

#if BOOST_VERSION < 107400
#error "valence requires Boost 1.74 or later"
#endif

#endif  // VALENCE_CONFIG_HPP
