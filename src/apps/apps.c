/* The list of apps a domain can run. */
#include <stddef.h>

#include "apps.h"

const struct app_type *const vfnet_apps[] = {
    &app_pktgen, &app_sink, &app_reflector, &app_responder, &app_tapbridge, &app_memtouch, NULL,
};
