// SPDX-License-Identifier: MIT
/// \file
/// \brief OFF files: the photon records of one transition-edge-sensor (TES) channel as the DASTARD
/// acquisition system writes them (versions 0.2.0 and 0.3.0).
#ifndef VALENCE_IO_OFF_HPP
#define VALENCE_IO_OFF_HPP

#include <valence/core/detail/format.hpp>
#include <valence/core/error.hpp>
#include <valence/core/types.hpp>
#include <valence/io/detail/json.hpp>
#include <valence/io/detail/text.hpp>

#include <Eigen/Core>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <istream>
#include <string>
#include <vector>

namespace valence::io {

/// \brief Options of read_off().
/// \ingroup io
struct off_options {
  /// Accept a last record cut short (a file still being written, which NIST mass reads up to its
  /// last whole record); off_file::partial_record_bytes then says how many bytes were left out.
  bool allow_partial_record = false;
};

/// \brief The photon records of one TES channel: one record per detected pulse, each reduced to a
/// few coefficients of a linear pulse model (the raw samples are not stored).
/// \ingroup io
///
/// A record's modelled pulse is `basis * coefficients.row(i).transpose()` (samples × 1), and the
/// coefficients are `projectors * samples`. The coefficients are, in order, the pulse's mean, a
/// derivative-like term and the optimal-filter pulse height (NIST mass names them `pulseMean`,
/// `derivativeLike` and `filtValue`), then any further ones; pulse_heights() returns the third.
struct off_file {
  std::string version;                          ///< `FileFormatVersion`: "0.2.0" or "0.3.0"
  std::string channel_name;                     ///< `ChannelName`, e.g. "chan4" (empty when absent)
  long channel_number = -1;                     ///< `ChannelNumberMatchingName` (−1 when absent)
  double frame_period = 0;                      ///< s, `FramePeriodSeconds`: the time between samples
  index bases = 0;                              ///< `NumberOfBases`: coefficients per record
  index max_samples = 0;                        ///< `MaxSamples` (0 when absent)
  index max_presamples = 0;                     ///< `MaxPresamples` (0 when absent)
  matrix_d projectors;                          ///< bases × samples: coefficients = projectors · pulse
  matrix_d basis;                               ///< samples × bases: pulse ≈ basis · coefficients
  std::vector<std::int32_t> record_samples;     ///< samples in each record
  std::vector<std::int32_t> record_presamples;  ///< of them, before the trigger
  std::vector<std::int64_t> frame_count;        ///< the trigger's frame number
  std::vector<std::int64_t> unix_ns;            ///< the trigger's time, ns since 1970-01-01 UTC
  Eigen::VectorXf pretrigger_mean;              ///< mean of the samples before the trigger (raw units)
  Eigen::VectorXf pretrigger_delta;             ///< 0.3.0 only (empty for 0.2.0): the pretrigger's drift
  Eigen::VectorXf residual_std_dev;             ///< rms of the pulse minus its model (raw units)
  Eigen::MatrixXf coefficients;                 ///< records × bases
  std::string header;                           ///< the JSON header, as written
  index partial_record_bytes = 0;               ///< bytes of a last record cut short (see off_options)

  /// \brief The number of records (photons).
  /// \returns the length of every per-record column.
  [[nodiscard]] index records() const noexcept { return static_cast<index>(unix_ns.size()); }

  /// \brief The optimal-filter pulse height of every record (mass's `filtValue`), the quantity a
  /// pulse-height calibration turns into energy.
  /// \returns coefficient 2 of each record, as stored (float).
  /// \throws valence::invalid_input when the file has fewer than three bases.
  [[nodiscard]] Eigen::VectorXf pulse_heights() const {
    if (bases < 3) {
      throw invalid_input(core::detail::message(
          "valence::io::off_file::pulse_heights",
          "the file has " + std::to_string(bases) + " bases; expected at least 3 (the pulse height is the third)"));
    }
    return coefficients.col(2);
  }
};

namespace detail {

// Little-endian loads, whatever the host's byte order.
template <typename Unsigned>
Unsigned load_little_endian(const char* p) {
  Unsigned value = 0;
  for (std::size_t i = 0; i < sizeof(Unsigned); ++i) {
    value |= Unsigned(static_cast<unsigned char>(p[i])) << (8 * i);
  }
  return value;
}

inline float load_float32(const char* p) {
  const std::uint32_t bits = load_little_endian<std::uint32_t>(p);
  float value = 0;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

inline double load_float64(const char* p) {
  const std::uint64_t bits = load_little_endian<std::uint64_t>(p);
  double value = 0;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

// A non-negative integer member of an object no larger than `limit`; `required` members that are
// missing, and values that are not such integers, throw.
template <class = void>
index off_integer(const json_value& object, const char* name, index limit, bool required, const std::string& where,
                  const std::string& source) {
  const json_value* v = object.find(name);
  if (v == nullptr) {
    if (required) {
      throw parse_error(source, 0, "the header has no '" + where + name + "'; expected an OFF header");
    }
    return 0;
  }
  if (v->type != json_value::kind::number || !(v->number >= 0) || v->number > double(limit) ||
      v->number != std::floor(v->number)) {
    throw parse_error(source, 0,
                      "the header's '" + where + name + "' is not an integer from 0 to " + std::to_string(limit));
  }
  return static_cast<index>(v->number);
}

// The header's fields into `out` (version, channel, frame period, bases, sizes), checked; returns
// the samples of the model (the projectors' columns).
template <class = void>
index read_off_header(const json_value& json, const std::string& source, off_file& out) {
  const auto text_member = [&](const char* name) -> std::string {
    const auto* v = json.find(name);
    return v != nullptr && v->type == json_value::kind::string ? v->text : std::string();
  };
  if (text_member("FileFormat") != "OFF") {
    throw parse_error(source, 0, "'FileFormat' is " + quote(text_member("FileFormat")) + "; expected \"OFF\"");
  }
  out.version = text_member("FileFormatVersion");
  if (out.version != "0.2.0" && out.version != "0.3.0") {
    throw parse_error(source, 0,
                      "'FileFormatVersion' is " + quote(out.version) +
                          "; expected \"0.2.0\" or \"0.3.0\" (0.1.0, with the model in base64, is not read)");
  }
  out.channel_name = text_member("ChannelName");
  if (json.find("ChannelNumberMatchingName") != nullptr) {
    out.channel_number =
        static_cast<long>(off_integer(json, "ChannelNumberMatchingName", 2147483647, true, "", source));
  }
  const auto* period = json.find("FramePeriodSeconds");
  if (period == nullptr || period->type != json_value::kind::number || !(period->number > 0)) {
    throw parse_error(source, 0, "'FramePeriodSeconds' is missing or not positive; expected the sample period in s");
  }
  out.frame_period = period->number;
  constexpr index max_bases = 1024;
  constexpr index max_length = index(1) << 24;
  out.bases = off_integer(json, "NumberOfBases", max_bases, true, "", source);
  out.max_samples = off_integer(json, "MaxSamples", max_length, false, "", source);
  out.max_presamples = off_integer(json, "MaxPresamples", max_length, false, "", source);
  const auto* model = json.find("ModelInfo");
  const auto* projectors = model != nullptr ? model->find("Projectors") : nullptr;
  const auto* basis = model != nullptr ? model->find("Basis") : nullptr;
  if (projectors == nullptr || basis == nullptr) {
    throw parse_error(source, 0, "the header has no 'ModelInfo' with 'Projectors' and 'Basis'; expected an OFF header");
  }
  const index p_rows = off_integer(*projectors, "Rows", max_bases, true, "ModelInfo.Projectors.", source);
  const index p_cols = off_integer(*projectors, "Cols", max_length, true, "ModelInfo.Projectors.", source);
  const index b_rows = off_integer(*basis, "Rows", max_length, true, "ModelInfo.Basis.", source);
  const index b_cols = off_integer(*basis, "Cols", max_bases, true, "ModelInfo.Basis.", source);
  if (p_rows != out.bases || b_cols != out.bases || b_rows != p_cols || out.bases == 0) {
    throw parse_error(source, 0,
                      "projectors " + std::to_string(p_rows) + " x " + std::to_string(p_cols) + " and basis " +
                          std::to_string(b_rows) + " x " + std::to_string(b_cols) + " with NumberOfBases " +
                          std::to_string(out.bases) + "; expected bases x samples and its transpose, bases >= 1");
  }
  return p_cols;
}

// `count` records of `record_bytes` each from `p` into the columns of `out` (version and bases set).
template <class = void>
void read_off_records(const char* p, std::size_t count, std::size_t record_bytes, off_file& out) {
  const bool delta = out.version == "0.3.0";
  const auto n = static_cast<index>(count);
  out.record_samples.resize(count);
  out.record_presamples.resize(count);
  out.frame_count.resize(count);
  out.unix_ns.resize(count);
  out.pretrigger_mean.resize(n);
  out.pretrigger_delta.resize(delta ? n : 0);
  out.residual_std_dev.resize(n);
  out.coefficients.resize(n, out.bases);
  for (std::size_t i = 0; i < count; ++i, p += record_bytes) {
    const auto r = static_cast<index>(i);
    out.record_samples[i] = static_cast<std::int32_t>(load_little_endian<std::uint32_t>(p));
    out.record_presamples[i] = static_cast<std::int32_t>(load_little_endian<std::uint32_t>(p + 4));
    out.frame_count[i] = static_cast<std::int64_t>(load_little_endian<std::uint64_t>(p + 8));
    out.unix_ns[i] = static_cast<std::int64_t>(load_little_endian<std::uint64_t>(p + 16));
    out.pretrigger_mean(r) = load_float32(p + 24);
    const char* rest = p + 28;
    if (delta) {
      out.pretrigger_delta(r) = load_float32(rest);
      rest += 4;
    }
    out.residual_std_dev(r) = load_float32(rest);
    rest += 4;
    for (index b = 0; b < out.bases; ++b, rest += 4) {
      out.coefficients(r, b) = load_float32(rest);
    }
  }
}

}  // namespace detail

/// \brief Reads an OFF file (one TES channel's photon records) from a stream.
/// \ingroup io
///
/// Layout (DASTARD, NIST mass's `OffFile`): a JSON header ending with a line `}`; the projectors
/// (bases × samples) and then the basis (samples × bases), row-major little-endian float64; then
/// fixed-size little-endian records: `recordSamples` int32, `recordPreSamples` int32, `framecount`
/// int64, `unixnano` int64, `pretriggerMean` float32, `pretriggerDelta` float32 (0.3.0 only),
/// `residualStdDev` float32, then `NumberOfBases` float32 coefficients (36 + 4·bases bytes in
/// 0.3.0, 32 + 4·bases in 0.2.0). Version 0.1.0 (base64 model inside the JSON) is refused.
/// Every size is checked against the stream's length before anything is allocated.
/// \param in the file, opened in binary mode. \param source the name used in error messages.
/// \param options see off_options.
/// \returns the header's fields, the model and one column per record field.
/// \throws valence::parse_error (at byte 0 for the header, otherwise at the offending byte offset)
///         for a header that is not JSON or does not end with a line `}`, `FileFormat` other than
///         "OFF", an unsupported version, missing or non-integer sizes, projectors and basis whose
///         shapes are not each other's transpose or disagree with `NumberOfBases`, a file shorter
///         than its model, or a last record cut short (unless allowed).
///
/// **Reference.** NIST mass, `mass/off/off.py`; DASTARD (github.com/usnistgov/dastard), OFF writer.
template <class = void>
[[nodiscard]] off_file read_off(std::istream& in, const std::string& source, const off_options& options = {}) {
  const std::string bytes = detail::read_all(in);
  std::size_t position = 0;
  std::string error;
  detail::json_parser parser(bytes);
  const auto json = parser.parse(position, error);
  if (!json) {
    throw parse_error(source, position, "the header is not JSON (" + error + "); expected an OFF file's header");
  }
  if (json->type != detail::json_value::kind::object || position >= bytes.size() || bytes[position] != '\n') {
    throw parse_error(source, position, "the header does not end with a line '}'; expected an OFF file's header");
  }
  ++position;
  off_file out;
  out.header = bytes.substr(0, position);
  const index samples = detail::read_off_header(*json, source, out);
  const std::size_t model_bytes = static_cast<std::size_t>(out.bases * samples) * 8;
  if (bytes.size() - position < 2 * model_bytes) {
    throw parse_error(source, bytes.size(),
                      "the file ends inside the model (" + std::to_string(2 * model_bytes) +
                          " bytes of projectors and "
                          "basis after the header); expected a complete OFF file");
  }
  out.projectors.resize(out.bases, samples);
  out.basis.resize(samples, out.bases);
  const char* p = bytes.data() + position;
  for (index r = 0; r < out.bases; ++r) {
    for (index c = 0; c < samples; ++c, p += 8) {
      out.projectors(r, c) = detail::load_float64(p);
    }
  }
  for (index r = 0; r < samples; ++r) {
    for (index c = 0; c < out.bases; ++c, p += 8) {
      out.basis(r, c) = detail::load_float64(p);
    }
  }
  position += 2 * model_bytes;
  const std::size_t record_bytes = (out.version == "0.3.0" ? 36 : 32) + 4 * static_cast<std::size_t>(out.bases);
  const std::size_t count = (bytes.size() - position) / record_bytes;
  out.partial_record_bytes = static_cast<index>((bytes.size() - position) % record_bytes);
  if (out.partial_record_bytes != 0 && !options.allow_partial_record) {
    throw parse_error(source, position + count * record_bytes,
                      "the last record has " + std::to_string(out.partial_record_bytes) + " of its " +
                          std::to_string(record_bytes) +
                          " bytes; expected whole records (off_options::allow_partial_record reads a file "
                          "still being written)");
  }
  detail::read_off_records(bytes.data() + position, count, record_bytes, out);
  return out;
}

/// \brief Reads an OFF file from a path (see the stream overload).
/// \ingroup io
/// \param path the `.off` file. \param options see off_options.
/// \returns the channel's records.
/// \throws valence::parse_error when the file cannot be opened or is malformed.
template <class = void>
[[nodiscard]] off_file read_off(const std::string& path, const off_options& options = {}) {
  auto in = detail::open_input(path, "a readable OFF file");
  return read_off(in, path, options);
}

}  // namespace valence::io

#endif  // VALENCE_IO_OFF_HPP
