# Metrics tests: naive references and the Python packages' values (tools/ref_metrics.py -> FIDCPP_REF_DIR/metrics).
fidcpp_test(NAME test_metrics LABELS metrics SOURCES
  metrics/test_numpy_random.cpp
  metrics/test_moments.cpp
  metrics/test_fid.cpp
  metrics/test_fid_infinity.cpp
  metrics/test_bootstrap.cpp
  metrics/test_inception_score.cpp
  metrics/test_kid.cpp
  metrics/test_mifid.cpp
  metrics/test_prc.cpp
  metrics/test_dc.cpp
  metrics/test_stats_file.cpp)
