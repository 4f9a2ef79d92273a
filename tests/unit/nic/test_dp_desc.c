/*
 * Descriptor rings at their edges: zero-length buffers, frames over several Tx descriptors and
 * several Rx buffers, ring wrap, tail == head, tail beyond the ring, a frame without its EOP
 * yet, no Rx descriptors (DROP_EN/QDE), frames too long, descriptors the model refuses, and
 * DMA faults that stop one queue while the others go on.
 */
#include <string.h>

#include "fixture.h"

static uint8_t buf[16384], got[16384];

#define DATA (E1000_ADVTXD_DCMD_DEXT | E1000_ADVTXD_DTYP_DATA | E1000_ADVTXD_DCMD_IFCS)
#define LAST (E1000_ADVTXD_DCMD_EOP | E1000_ADVTXD_DCMD_RS)

static void setup(unsigned rx_kib)
{
	fx__start(3);
	for (unsigned i = 0; i < 3; i++) {
		fx__rings(i, 16, 16, rx_kib);
		fx__rx_post(i, 15);
	}
}

static uint32_t frame_to(unsigned to, unsigned from, uint32_t payload, uint8_t seed)
{
	return fx__frame(buf, fx.fn[to].mac, fx.fn[from].mac, -1, 0x88b5, payload, seed);
}

static void test_zero_length_buffers_in_a_frame(void **state)
{
	uint64_t b = FX_TX_BUF;
	uint32_t len;

	setup(2);
	len = frame_to(1, 0, 186, 1);
	memcpy(fx__ram(0, b), buf, 100);
	memcpy(fx__ram(0, b + 0x1000), buf + 100, len - 100);
	fx__tx_desc(0, 0, b + 0x8000, DATA | 0, len << E1000_ADVTXD_PAYLEN_SHIFT);
	fx__tx_desc(0, 1, b, DATA | 100, 0);
	fx__tx_desc(0, 2, b + 0x9000, DATA | 0, 0);
	fx__tx_desc(0, 3, b + 0x1000, DATA | LAST | (len - 100), 0);
	fx__tx_tail(0, 4);
	fx__poll();
	assert_int_equal(fx__rx(1, got, sizeof(got), NULL), len);
	assert_memory_equal(got, buf, len);
	assert_true(fx__tx_done(0, 3));
	assert_false(fx__tx_done(0, 1)); /* no RS, no write-back */
	/* A frame of nothing but empty buffers is no frame: dropped, completed. */
	fx__tx_desc(0, 4, b, DATA | LAST | 0, 0);
	fx__tx_tail(0, 5);
	fx__poll();
	assert_true(fx__tx_done(0, 4));
	assert_int_equal(fx__stats().drops[E82576_DROP_BAD_DESC], 1);
}

static void test_frame_over_several_rx_buffers(void **state)
{
	const struct fx_txopt four = {.frags = 4};
	struct fx_rxd wb;
	uint32_t len;

	setup(1);
	/* 1 KiB Rx buffers, a 3000-byte frame in 4 Tx descriptors (VF 1 takes long frames). */
	fx__pf_wr(E1000_VMOLR(1), fx__pf_rd(E1000_VMOLR(1)) | E1000_VMOLR_LPE);
	len = frame_to(1, 0, 3000 - 14, 2);
	fx__tx(0, buf, len, &four);
	fx__poll();
	assert_int_equal(fx__rx(1, got, sizeof(got), &wb), len);
	assert_int_equal(wb.ndesc, 3);
	assert_memory_equal(got, buf, len);
	assert_int_equal(le16_get(fx__ram(1, FX_RX_RING + 0 * 16 + 12)), 1024);
	assert_int_equal(le16_get(fx__ram(1, FX_RX_RING + 2 * 16 + 12)), len - 2048);
	assert_int_equal(fx__rd(1, E1000_VF_RXQ(0) + E1000_QR_HEAD), 3);
}

static void test_rings_wrap(void **state)
{
	setup(2);
	/* 16-descriptor rings, 40 frames one by one: both rings wrap twice. */
	for (unsigned k = 0; k < 40; k++) {
		uint32_t len = frame_to(2, 0, 60 + k, (uint8_t)k);

		fx__tx(0, buf, len, NULL);
		fx__poll();
		assert_int_equal(fx__rx(2, got, sizeof(got), NULL), len);
		assert_memory_equal(got, buf, len);
		fx__rx_post(2, 1);
	}
	assert_int_equal(fx__rd(0, E1000_VF_TXQ(0) + E1000_QR_HEAD), 40 % 16);
	assert_int_equal(fx__rd(2, E1000_VF_RXQ(0) + E1000_QR_HEAD), 40 % 16);
	/* A batch that crosses the end of the ring in one pass. */
	for (unsigned k = 0; k < 12; k++)
		fx__tx(0, buf, frame_to(2, 0, 60, (uint8_t)k), NULL);
	fx__poll();
	for (unsigned k = 0; k < 12; k++)
		assert_true(fx__rx(2, got, sizeof(got), NULL) > 0);
}

static void test_tail_equal_head_is_idle(void **state)
{
	setup(2);
	fx__tx_tail(0, 0);
	assert_int_equal(nic_dp__poll(fx.port, 64), 0);
	assert_int_equal(fx__stats().tx_frames, 0);
	/* Rx: head == tail means no buffers. */
	fx__rings(1, 16, 16, 2);
	fx__tx(0, buf, frame_to(1, 0, 60, 1), NULL);
	fx__poll();
	assert_int_equal(fx__stats().drops[E82576_DROP_NO_DESC], 1);
}

static void test_tail_beyond_the_ring_is_ignored(void **state)
{
	uint32_t len;

	setup(2);
	len = frame_to(1, 0, 60, 1);
	fx__tx(0, buf, len, NULL);
	fx__tx_tail(0, 16 + 3);
	fx__poll();
	assert_int_equal(fx__rd(0, E1000_VF_TXQ(0) + E1000_QR_HEAD), 0);
	assert_int_equal(fx__rx(1, got, sizeof(got), NULL), -1);
	assert_true(fx__stats().bad_tail >= 1);
	fx__tx_tail(0, 1);
	fx__poll();
	assert_int_equal(fx__rx(1, got, sizeof(got), NULL), len);
	/* An Rx tail beyond the ring gives no buffers. */
	fx__wr(1, E1000_VF_RXQ(0) + E1000_QR_TAIL, 40);
	fx__tx(0, buf, len, NULL);
	fx__poll();
	assert_int_equal(fx__stats().drops[E82576_DROP_NO_DESC], 1);
}

static void test_frame_waits_for_its_eop(void **state)
{
	uint32_t len;

	setup(2);
	len = frame_to(1, 0, 200, 3);
	memcpy(fx__ram(0, FX_TX_BUF), buf, len);
	fx__tx_desc(0, 0, FX_TX_BUF, DATA | 100, len << E1000_ADVTXD_PAYLEN_SHIFT);
	fx__tx_desc(0, 1, FX_TX_BUF + 100, DATA | LAST | (len - 100), 0);
	fx__tx_tail(0, 1);
	fx__poll();
	assert_int_equal(fx__rd(0, E1000_VF_TXQ(0) + E1000_QR_HEAD), 0);
	assert_int_equal(fx__rx(1, got, sizeof(got), NULL), -1);
	fx__tx_tail(0, 2);
	fx__poll();
	assert_int_equal(fx__rx(1, got, sizeof(got), NULL), len);
	assert_memory_equal(got, buf, len);
}

struct nodesc_case {
	bool drop_en, qde;
	bool rqdpc; /* else MPC */
};

static void test_no_rx_descriptor_drop_and_count(void **state)
{
	static const struct nodesc_case cases[] = {
	    {true, false, true},
	    {false, true, true},
	    {false, false, false},
	};

	for (unsigned c = 0; c < 3; c++) {
		uint32_t len;

		setup(2);
		fx__rings(1, 16, 16, 2); /* no buffers posted */
		if (!cases[c].drop_en)
			fx__wr(1, E1000_VF_RXQ(0) + E1000_QR_SRRCTL,
			       2 | E1000_SRRCTL_DESCTYPE_ADV_ONEBUF);
		fx__pf_wr(E1000_QDE, cases[c].qde ? BIT(1) : 0);
		len = frame_to(1, 0, 60, 1);
		fx__tx(0, buf, len, NULL);
		fx__poll();
		assert_int_equal(fx__stats().drops[E82576_DROP_NO_DESC], 1);
		assert_int_equal(fx__pf_rd(E1000_RNBC), 1);
		assert_int_equal(fx__rd(1, E1000_VF_RXQ(0) + E1000_QR_RQDPC), cases[c].rqdpc);
		assert_int_equal(fx__pf_rd(E1000_MPC), !cases[c].rqdpc);
		/* Buffers posted: the next frame lands. */
		fx__rx_post(1, 4);
		fx__tx(0, buf, len, NULL);
		fx__poll();
		assert_int_equal(fx__rx(1, got, sizeof(got), NULL), len);
		fx__teardown(NULL);
	}
	fx__start(0); /* for the group teardown */
}

static void test_too_long(void **state)
{
	uint32_t len;
	unsigned last;

	setup(2);
	/* Tx: over the largest frame the port sends (jumbo payload + header + tag). */
	len = frame_to(1, 0, NIC_TX_FRAME_MAX - 14 + 1, 1);
	memcpy(fx__ram(0, FX_TX_BUF), buf, len);
	fx__tx_desc(0, 0, FX_TX_BUF, DATA | LAST | len, len << E1000_ADVTXD_PAYLEN_SHIFT);
	fx__tx_tail(0, 1);
	fx.fn[0].tx.next = 1;
	fx__poll();
	assert_true(fx__tx_done(0, 0));
	assert_int_equal(fx__stats().drops[E82576_DROP_TX_TOO_LONG], 1);
	/* Rx: 1519 bytes + FCS is over 1522 without LPE; fine with LPE and RLPML 2000. */
	len = frame_to(1, 0, 1519 - 14, 2);
	last = fx__tx(0, buf, len, NULL);
	fx__poll();
	assert_true(fx__tx_done(0, last));
	assert_int_equal(fx__rx(1, got, sizeof(got), NULL), -1);
	assert_int_equal(fx__stats().drops[E82576_DROP_RX_TOO_LONG], 1);
	assert_int_equal(fx__pf_rd(E1000_ROC), 1);
	fx__pf_wr(E1000_VMOLR(1),
		  (fx__pf_rd(E1000_VMOLR(1)) & ~E1000_VMOLR_RLPML_MASK) | E1000_VMOLR_LPE | 2000);
	fx__rings(1, 16, 16, 4);
	fx__rx_post(1, 15);
	fx__tx(0, buf, len, NULL);
	fx__poll();
	assert_int_equal(fx__rx(1, got, sizeof(got), NULL), len);
	len = frame_to(1, 0, 2000 - 14 - 4 + 1, 3);
	fx__tx(0, buf, len, NULL);
	fx__poll();
	assert_int_equal(fx__stats().drops[E82576_DROP_RX_TOO_LONG], 2);
}

static void test_refused_descriptors(void **state)
{
	uint32_t len;

	setup(2);
	len = frame_to(1, 0, 60, 1);
	memcpy(fx__ram(0, FX_TX_BUF), buf, len);
	/* Legacy (no DEXT), TSO, and an unknown DTYP: each frame is dropped and completed. */
	fx__tx_desc(0, 0, FX_TX_BUF, E1000_ADVTXD_DCMD_IFCS | LAST | len, 0);
	fx__tx_desc(0, 1, FX_TX_BUF, DATA | E1000_ADVTXD_DCMD_TSE | LAST | len, 0);
	fx__tx_desc(0, 2, FX_TX_BUF, E1000_ADVTXD_DCMD_DEXT | 0x00700000 | LAST | len, 0);
	fx__tx_desc(0, 3, FX_TX_BUF, DATA | LAST | len, len << E1000_ADVTXD_PAYLEN_SHIFT);
	fx__tx_tail(0, 4);
	fx__poll();
	for (unsigned i = 0; i < 4; i++)
		assert_true(fx__tx_done(0, i));
	assert_int_equal(fx__stats().drops[E82576_DROP_BAD_DESC], 3);
	assert_int_equal(fx__rx(1, got, sizeof(got), NULL), len);
	assert_int_equal(fx__rx(1, got, sizeof(got), NULL), -1);
}

static void test_runaway_frame_stops_the_queue(void **state)
{
	setup(2);
	fx__rings(0, 128, 16, 2);
	for (unsigned i = 0; i < 100; i++)
		fx__tx_desc(0, i, FX_TX_BUF, DATA | 10, 0);
	fx__tx_tail(0, 100);
	fx__poll();
	assert_false(fx__rd(0, E1000_VF_TXQ(0) + E1000_QR_DCTL) & E1000_TXDCTL_QUEUE_ENABLE);
	assert_int_equal(fx__stats().queue_errors, 1);
	assert_int_equal(fx__rd(0, E1000_VF_TXQ(0) + E1000_QR_HEAD), 0);
}

/* The IOMMU refused a descriptor ring or buffer: that queue stops; the rest go on. */
static void test_dma_faults_stop_one_queue(void **state)
{
	uint32_t len;
	struct iommu_fault rec;

	setup(2);
	/* VF 0's Tx ring is outside its domain. */
	fx__wr(0, E1000_VF_TXQ(0) + E1000_QR_BAL, 0x7000000);
	fx__wr(0, E1000_VF_TXQ(0) + E1000_QR_BAH, 0);
	fx__tx(0, buf, frame_to(1, 0, 60, 1), NULL);
	len = frame_to(2, 1, 100, 2);
	fx__tx(1, buf, len, NULL);
	fx__poll();
	assert_false(fx__rd(0, E1000_VF_TXQ(0) + E1000_QR_DCTL) & E1000_TXDCTL_QUEUE_ENABLE);
	assert_int_equal(fx__stats().queue_errors, 1);
	assert_int_equal(iommu__fault_pop(fx.iommu, &rec), 0);
	assert_int_equal(rec.sid, fx.fn[0].rid);
	assert_int_equal(rec.addr, 0x7000000);
	assert_int_equal(fx__rx(2, got, sizeof(got), NULL), len);
	/* A Tx buffer outside the domain: VF 1's queue stops, VF 2 still sends. */
	fx__tx_desc(1, 1, 0x9000000, DATA | LAST | 60, 0);
	fx__tx_tail(1, 2);
	fx.fn[1].tx.next = 2;
	len = frame_to(1, 2, 80, 3);
	fx__tx(2, buf, len, NULL);
	fx__poll();
	assert_false(fx__rd(1, E1000_VF_TXQ(0) + E1000_QR_DCTL) & E1000_TXDCTL_QUEUE_ENABLE);
	assert_int_equal(fx__rx(1, got, sizeof(got), NULL), len);
	assert_int_equal(fx__stats().drops[E82576_DROP_DMA_FAULT], 2);
}

static void test_rx_buffer_fault_writes_nothing(void **state)
{
	uint8_t *first;
	uint32_t len;

	setup(1);
	fx__pf_wr(E1000_VMOLR(1), fx__pf_rd(E1000_VMOLR(1)) | E1000_VMOLR_LPE);
	fx__rings(1, 16, 16, 1);
	fx__rx_post(1, 2);
	/* The second buffer of a two-buffer frame is outside VF 1's domain. */
	le64_put(fx__ram(1, FX_RX_RING + 16), 0xA000000);
	first = fx__ram(1, FX_RX_BUF);
	memset(first, 0x5a, 1024);
	len = frame_to(1, 0, 1500, 4);
	fx__tx(0, buf, len, NULL);
	len = frame_to(2, 0, 100, 5);
	fx__tx(0, buf, len, NULL);
	fx__poll();
	for (unsigned k = 0; k < 1024; k++)
		assert_int_equal(first[k], 0x5a);
	assert_int_equal(le32_get(fx__ram(1, FX_RX_RING + 8)), 0); /* no write-back */
	assert_false(fx__rd(1, E1000_VF_RXQ(0) + E1000_QR_DCTL) & E1000_RXDCTL_QUEUE_ENABLE);
	assert_int_equal(fx__stats().drops[E82576_DROP_DMA_FAULT], 1);
	/* VF 2 got the next frame, and VF 1's stopped queue drops what comes for it. */
	assert_int_equal(fx__rx(2, got, sizeof(got), NULL), len);
	fx__tx(0, buf, frame_to(1, 0, 60, 6), NULL);
	fx__poll();
	assert_int_equal(fx__stats().drops[E82576_DROP_RX_QUEUE_OFF], 1);
}

static void test_head_write_back(void **state)
{
	setup(2);
	/* TDWBAL bit 0: the hardware writes TDH to memory after completing descriptors. */
	fx__wr(0, E1000_VF_TXQ(0) + E1000_QR_TDWBAL, 0x30000 | E1000_TX_HEAD_WB_ENABLE);
	fx__wr(0, E1000_VF_TXQ(0) + E1000_QR_TDWBAH, 0);
	for (unsigned k = 0; k < 3; k++)
		fx__tx(0, buf, frame_to(1, 0, 60, (uint8_t)k), &(struct fx_txopt){.no_rs = true});
	fx__poll();
	assert_int_equal(le32_get(fx__ram(0, 0x30000)), 3);
	assert_false(fx__tx_done(0, 2));
	assert_int_equal(fx__rd(0, E1000_VF_EICR) & BIT(0), 0); /* IVAR not set: no vector */
}

static void test_bus_master_off_blocks_dma(void **state)
{
	uint32_t len;

	setup(2);
	assert_int_equal(pci_func__cfg_write(fx.fn[0].fn, PCI_COMMAND, 2, 0), 0);
	len = frame_to(1, 0, 60, 1);
	fx__tx(0, buf, len, NULL);
	fx__poll();
	assert_int_equal(fx__rx(1, got, sizeof(got), NULL), -1);
	assert_int_equal(fx__rd(0, E1000_VF_TXQ(0) + E1000_QR_HEAD), 0);
	/* The frame waited; Bus Master back on, it goes without another doorbell. */
	assert_int_equal(pci_func__cfg_write(fx.fn[0].fn, PCI_COMMAND, 2, PCI_COMMAND_MASTER), 0);
	fx__poll();
	assert_int_equal(fx__rx(1, got, sizeof(got), NULL), len);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_zero_length_buffers_in_a_frame, fx__teardown),
	    cmocka_unit_test_teardown(test_frame_over_several_rx_buffers, fx__teardown),
	    cmocka_unit_test_teardown(test_rings_wrap, fx__teardown),
	    cmocka_unit_test_teardown(test_tail_equal_head_is_idle, fx__teardown),
	    cmocka_unit_test_teardown(test_tail_beyond_the_ring_is_ignored, fx__teardown),
	    cmocka_unit_test_teardown(test_frame_waits_for_its_eop, fx__teardown),
	    cmocka_unit_test_teardown(test_no_rx_descriptor_drop_and_count, fx__teardown),
	    cmocka_unit_test_teardown(test_too_long, fx__teardown),
	    cmocka_unit_test_teardown(test_refused_descriptors, fx__teardown),
	    cmocka_unit_test_teardown(test_runaway_frame_stops_the_queue, fx__teardown),
	    cmocka_unit_test_teardown(test_dma_faults_stop_one_queue, fx__teardown),
	    cmocka_unit_test_teardown(test_rx_buffer_fault_writes_nothing, fx__teardown),
	    cmocka_unit_test_teardown(test_head_write_back, fx__teardown),
	    cmocka_unit_test_teardown(test_bus_master_off_blocks_dma, fx__teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
