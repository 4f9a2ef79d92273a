/*
 * Link state and recovery. The link is up only with STATUS.LU and the PF's CTS (vf.c). When the
 * PF forgets the VF (a PF_CONTROL_MSG without CTS, RSTI or RSTD in the mailbox, a reply without
 * CTS, a mailbox timeout), the driver re-initialises by itself: a reset work redoes the
 * handshake, restores the filters and brings the rings back if the device was open, so traffic
 * resumes without the user. While the PF is still in reset the handshake fails and is tried
 * again, after VDD_RESET_RETRY_NS doubling up to VDD_RESET_RETRY_MAX_NS; a device that is gone
 * ends the attempts.
 *
 * The watchdog (every 2 s, as igbvf's) re-checks the link and kicks the Rx vector through EICS,
 * so that a lost interrupt costs at most one period.
 */
#include <errno.h>

#include "regs.h"
#include "vdd.h"

void vdd_set_carrier(struct vdd *a, bool up, unsigned speed)
{
	if (up == a->link)
		return;
	a->link = up;
	a->nd.speed_mbps = up ? speed : 0;
	if (a->registered)
		netdev__carrier(&a->nd, up);
	os__log(VDD_NAME, "%s: link %s%s", a->nd.name, up ? "up" : "down",
		up && speed == 1000 ? ", 1000 Mb/s" : "");
}

void vdd_schedule_reset(struct vdd *a)
{
	/* a handshake in progress already is the reset */
	if (a->removing || a->in_reset)
		return;
	a->reset_pending = true;
	vdd_set_carrier(a, false, 0);
	os__schedule(&a->reset_work);
}

void vdd_update_link(struct vdd *a)
{
	unsigned speed;
	bool up;
	int err = vdd_vf_check_link(a, &up, &speed);

	if (err && err != -ENODEV)
		vdd_schedule_reset(a);
	vdd_set_carrier(a, up, speed);
}

static int vdd_reinit(struct vdd *a)
{
	int err;

	a->in_reset = true;
	vdd_set_carrier(a, false, 0);
	if (a->running)
		vdd_down(a);
	err = vdd_hw_init(a, false);
	if (!err && a->opened)
		err = vdd_up(a);
	a->in_reset = false;
	return err;
}

void vdd_reset_work(struct os_work *w)
{
	struct vdd *a = container_of(w, struct vdd, reset_work);
	int err;

	if (!vdd_work_begin(a) || !a->reset_pending)
		return;
	err = vdd_reinit(a);
	if (err == -ENODEV || a->pdev->gone) {
		os__log(VDD_NAME, "%s: device gone, no more resets", a->nd.name);
		a->reset_pending = false;
		return;
	}
	if (err) {
		if (!a->reset_failed_logged)
			os__log(VDD_NAME, "%s: reset failed (%d)%s, retrying", a->nd.name, err,
				err == -EAGAIN ? ": PF still in reset state" : "");
		a->reset_failed_logged = true;
		/* back off: a PF that does not answer costs a busy mailbox wait per attempt */
		a->retry_ns = a->retry_ns ? a->retry_ns * 2 : VDD_RESET_RETRY_NS;
		if (a->retry_ns > VDD_RESET_RETRY_MAX_NS)
			a->retry_ns = VDD_RESET_RETRY_MAX_NS;
		os__timer_arm(a->retry, a->retry_ns);
		return;
	}
	a->reset_pending = false;
	a->reset_failed_logged = false;
	a->retry_ns = 0;
	a->nd.stats.resets++;
	os__log(VDD_NAME, "%s: reset done", a->nd.name);
	vdd_update_link(a);
}

void vdd_retry_timer(void *opaque)
{
	struct vdd *a = opaque;

	if (!a->removing && a->reset_pending)
		os__schedule(&a->reset_work);
}

/* The mailbox vector's work: the PF's word, then the link, then the vector again. */
void vdd_mbx_work(struct os_work *w)
{
	struct vdd *a = container_of(w, struct vdd, mbx_work);

	if (!vdd_work_begin(a))
		return;
	if (!a->reset_pending)
		vdd_vf_handle_mbx(a);
	if (!a->reset_pending)
		vdd_update_link(a);
	vdd_intr_enable(a, 1u << VDD_VEC_MBX);
}

void vdd_watchdog(void *opaque)
{
	struct vdd *a = opaque;

	if (a->removing)
		return;
	if (!a->reset_pending) {
		vdd_update_link(a);
		if (a->running)
			ew32(a, E1000_EICS, 1u << VDD_VEC_RX);
	}
	os__timer_arm(a->watchdog, VDD_WATCHDOG_NS);
}
