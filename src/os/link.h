/* link.c: the domain's "link-show" and "link-set" services (`vfnet ip link`). */
#ifndef VFNET_OS_LINK_H
#define VFNET_OS_LINK_H

int link__init(void);

#endif
