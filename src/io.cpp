// SPDX-License-Identifier: MIT
// The valence::compiled library, io: the file readers and writers.
// Instantiated once here; the headers declare these instantiations extern under VALENCE_COMPILED_LIB.
#include <valence/io/biologic.hpp>
#include <valence/io/columns.hpp>
#include <valence/io/dm.hpp>
#include <valence/io/msa.hpp>
#include <valence/io/xdi.hpp>

namespace valence::io {

template biologic_file read_biologic_mpt<>(std::istream&, const std::string&);
template biologic_file read_biologic_mpt<>(const std::string&);
template column_table read_columns<>(std::istream&, const std::string&, const column_options&);
template column_table read_columns<>(const std::string&, const column_options&);
template dm_file read_dm<>(std::istream&, const std::string&);
template dm_file read_dm<>(const std::string&);
template msa_spectrum read_msa<>(std::istream&, const std::string&);
template msa_spectrum read_msa<>(const std::string&);
template void write_msa<>(std::ostream&, const msa_spectrum&);
template void write_msa<>(const std::string&, const msa_spectrum&);
template xdi_file read_xdi<>(std::istream&, const std::string&);
template xdi_file read_xdi<>(const std::string&);
template void write_xdi<>(std::ostream&, const xdi_file&);
template void write_xdi<>(const std::string&, const xdi_file&);
template vector_d derive_mu<>(const xdi_file&, xdi_mu);

}  // namespace valence::io
