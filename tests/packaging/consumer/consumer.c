/* Links fidcpp with pkg-config from plain C: the C API alone. */
#include <stdio.h>

#include "fidcpp/fidcpp.h"

int main(void) {
  fidcpp_options o;
  fidcpp_evaluator* e = NULL;
  fidcpp_options_default(&o);
  o.feature_dim = 100;
  if (fidcpp_evaluator_create(&o, &e) != FIDCPP_STATUS_INVALID_ARGUMENT) return 1;
  printf("C API error: %s\n", fidcpp_last_error());
  fidcpp_options_default(&o);
  if (fidcpp_evaluator_create(&o, &e) != FIDCPP_STATUS_OK) return 1;
  fidcpp_evaluator_destroy(e);
  printf("ok\n");
  return 0;
}
