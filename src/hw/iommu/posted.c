#include "hw/iommu/posted.h"

#include <string.h>

void pi_desc__init(struct pi_desc *pd, uint8_t nv, uint32_t ndst)
{
	memset(pd, 0, sizeof(*pd));
	__atomic_store_n(&pd->control,
			 (uint64_t)nv << PI_CTRL_NV_SHIFT | (uint64_t)ndst << PI_CTRL_NDST_SHIFT,
			 __ATOMIC_RELEASE);
}

void pi_desc__suppress(struct pi_desc *pd, bool sn)
{
	if (sn)
		__atomic_fetch_or(&pd->control, PI_CTRL_SN, __ATOMIC_SEQ_CST);
	else
		__atomic_fetch_and(&pd->control, ~PI_CTRL_SN, __ATOMIC_SEQ_CST);
}

bool pi_desc__post(struct pi_desc *pd, uint8_t vector, bool urgent)
{
	uint64_t ctl;

	/* The PIR bit must be visible before ON: whoever sees ON clear and takes the PIR must find
	 * it. */
	__atomic_fetch_or(&pd->pir[vector / 64], BIT64(vector % 64), __ATOMIC_SEQ_CST);
	ctl = __atomic_load_n(&pd->control, __ATOMIC_SEQ_CST);
	do {
		if (ctl & PI_CTRL_ON)
			return false;
		if ((ctl & PI_CTRL_SN) && !urgent)
			return false;
	} while (!__atomic_compare_exchange_n(&pd->control, &ctl, ctl | PI_CTRL_ON, false,
					      __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
	return true;
}

bool pi_desc__take(struct pi_desc *pd, uint64_t pending[4])
{
	uint64_t any = 0;

	__atomic_fetch_and(&pd->control, ~PI_CTRL_ON, __ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < 4; i++) {
		pending[i] = __atomic_exchange_n(&pd->pir[i], 0, __ATOMIC_SEQ_CST);
		any |= pending[i];
	}
	return any != 0;
}
