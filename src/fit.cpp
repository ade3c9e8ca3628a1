// SPDX-License-Identifier: MIT
// The valence::compiled library, fit: the linear engine and the nonlinear least-squares solver,
// instantiated once for float and double, and the fits built on them. A program that links
// valence::compiled gets VALENCE_COMPILED_LIB, under which the headers declare these instantiations
// extern, so no file of the program instantiates them again. The extern declarations are in view
// here too: an explicit instantiation definition may follow its declaration ([temp.explicit]).

#include <valence/fit/detail/active_set.hpp>
#include <valence/fit/detail/column_update.hpp>
#include <valence/fit/detail/design.hpp>
#include <valence/fit/detail/householder.hpp>
#include <valence/fit/detail/small_least_squares.hpp>
#include <valence/fit/least_squares.hpp>
#include <valence/fit/least_squares_batch.hpp>
#include <valence/fit/levenberg_marquardt.hpp>
#include <valence/fit/lineshape_model.hpp>
#include <valence/fit/pca.hpp>

namespace valence::fit::detail {

template class householder_qr<float>;
template class householder_qr<double>;
template class active_set_solver<float>;
template class active_set_solver<double>;
template class small_least_squares<double>;
template struct fixed_columns<double>;
template bool extend_factor<double>(const fixed_columns<double>&, const double*, const double*, double, double,
                                    Eigen::Ref<matrix_x<double>>, Eigen::Ref<vector_x<double>>, double&,
                                    Eigen::Ref<vector_x<double>>);
template bool add_column<double>(const fixed_columns<double>&, const double*, const double*,
                                 Eigen::Ref<matrix_x<double>>, Eigen::Ref<vector_x<double>>, double&,
                                 Eigen::Ref<vector_x<double>>);

template design_factorization<float> factorize_design<float>(const char*, Eigen::Ref<const matrix_x<float>>,
                                                             const vector_x<float>&, float, bool);
template design_factorization<double> factorize_design<double>(const char*, Eigen::Ref<const matrix_x<double>>,
                                                               const vector_x<double>&, double, bool);

template least_squares_result<float> solve_least_squares<float>(Eigen::Ref<const matrix_x<float>>,
                                                                Eigen::Ref<const vector_x<float>>,
                                                                const least_squares_options<float>&);
template least_squares_result<double> solve_least_squares<double>(Eigen::Ref<const matrix_x<double>>,
                                                                  Eigen::Ref<const vector_x<double>>,
                                                                  const least_squares_options<double>&);

template least_squares_batch_result<float> solve_batch<float>(Eigen::Ref<const matrix_x<float>>,
                                                              const batch_data<float>&,
                                                              const least_squares_options<float>&,
                                                              const batch_options<float>&);
template least_squares_batch_result<double> solve_batch<double>(Eigen::Ref<const matrix_x<double>>,
                                                                const batch_data<double>&,
                                                                const least_squares_options<double>&,
                                                                const batch_options<double>&);

template levenberg_marquardt_result<float> levenberg_marquardt_impl<float>(const char*, const residual_function<float>&,
                                                                           const jacobian_function<float>&,
                                                                           const vector_x<float>&,
                                                                           const levenberg_marquardt_options<float>&,
                                                                           float);
template levenberg_marquardt_result<double> levenberg_marquardt_impl<double>(
    const char*, const residual_function<double>&, const jacobian_function<double>&, const vector_x<double>&,
    const levenberg_marquardt_options<double>&, double);
template matrix_x<float> difference_jacobian<float>(const residual_function<float>&, const vector_x<float>&,
                                                    const vector_x<float>&, const lm_bounds<float>&,
                                                    const levenberg_marquardt_options<float>&, index&);
template matrix_x<double> difference_jacobian<double>(const residual_function<double>&, const vector_x<double>&,
                                                      const vector_x<double>&, const lm_bounds<double>&,
                                                      const levenberg_marquardt_options<double>&, index&);

}  // namespace valence::fit::detail

namespace valence::fit {

template target_transform_result target_transform<>(const pca_result&, const vector_ref&, index, double);
template pca_result detail::principal_components<double>(const Eigen::Ref<const matrix_d>&, const pca_options&);
template lineshape_fit lineshape_model::fit<>(const vector_ref&, const vector_ref&, const lineshape_fit_options&) const;

}  // namespace valence::fit
