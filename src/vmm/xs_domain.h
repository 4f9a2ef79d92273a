/*
 * A domain's place in xenstore, as Xen's toolstack (libxl) writes it: /local/domain/<id> owned by
 * the domain, with name, domid, memory/target, and the directories device/ and data/ it may
 * write; dom0 also gets backend/. Removed when the domain goes (dom0's stays, so that backends'
 * entries outlive a dom0 restart).
 */
#ifndef VFNET_VMM_XS_DOMAIN_H
#define VFNET_VMM_XS_DOMAIN_H

struct hv;
struct domain;

int xs_domain__add(struct hv *hv, struct domain *d);
void xs_domain__remove(struct hv *hv, struct domain *d);
/* The hypervisor's xenstore tells a domain of watch events on its xenstore port. */
void xs_domain__notify(void *opaque, unsigned domid);

#endif
