# Metrics: Moments, FID, IS, KID, MiFID, PRC, density/coverage and statistics files (BLAS/LAPACK through
# ${LAPACK_LIBRARIES}).
set(FIDCPP_METRICS_SOURCES
  src/metrics/numpy_random.cpp
  src/metrics/moments.cpp
  src/metrics/fid.cpp
  src/metrics/fid_infinity.cpp
  src/metrics/bootstrap.cpp
  src/metrics/inception_score.cpp
  src/metrics/kid.cpp
  src/metrics/mifid.cpp
  src/metrics/pairwise_distance.cpp
  src/metrics/prc.cpp
  src/metrics/dc.cpp
  src/metrics/stats_file.cpp
)
