// SPDX-License-Identifier: MIT
// Every public header of valence, nothing called.
#include <valence/valence.hpp>

int main() {}
