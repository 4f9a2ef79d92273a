/*
 * lspci -v/-vv's capability lines for the capabilities the machine's functions carry: PM, MSI,
 * MSI-X, PCI Express (device and link registers), AER, DSN, ARI and SR-IOV, in pciutils'
 * formats (ls-caps.c, ls-ecaps.c). PCIe's version-2 registers, slot and root registers are not
 * decoded (`vfnet lspci -xxxx | lspci -F -` decodes them).
 */
#include <linux/pci_regs.h>

#include "cli/lspci_priv.h"

/* pciutils' names of bits linux/pci_regs.h has no name for */
#define AER_CAP_MULT_HDRC  0x00000200
#define AER_CAP_MULT_HDRE  0x00000400
#define AER_CAP_TLP_PFX	   0x00000800
#define AER_CAP_HDR_LOG	   0x00001000
#define IOV_CAP_10BIT_TAG  0x00000004
#define IOV_CTRL_10BIT_TAG 0x0020

static void cap_pm(FILE *out, const struct lspci_dev *d, unsigned at, unsigned verbose)
{
	static const int aux[8] = {0, 55, 100, 160, 220, 270, 320, 375};
	unsigned cap = lspci__w(d, at + PCI_PM_PMC), t, b;

	fprintf(out, "Power Management version %u\n", cap & PCI_PM_CAP_VER_MASK);
	if (verbose < 2)
		return;
	fprintf(out,
		"\t\tFlags: PMEClk%c DSI%c D1%c D2%c AuxCurrent=%dmA "
		"PME(D0%c,D1%c,D2%c,D3hot%c,D3cold%c)\n",
		FLAG(cap, PCI_PM_CAP_PME_CLOCK), FLAG(cap, PCI_PM_CAP_DSI),
		FLAG(cap, PCI_PM_CAP_D1), FLAG(cap, PCI_PM_CAP_D2),
		aux[(cap & PCI_PM_CAP_AUX_POWER) >> 6], FLAG(cap, PCI_PM_CAP_PME_D0),
		FLAG(cap, PCI_PM_CAP_PME_D1), FLAG(cap, PCI_PM_CAP_PME_D2),
		FLAG(cap, PCI_PM_CAP_PME_D3hot), FLAG(cap, PCI_PM_CAP_PME_D3cold));
	t = lspci__w(d, at + PCI_PM_CTRL);
	fprintf(out, "\t\tStatus: D%u NoSoftRst%c PME-Enable%c DSel=%u DScale=%u PME%c\n",
		t & PCI_PM_CTRL_STATE_MASK, FLAG(t, PCI_PM_CTRL_NO_SOFT_RESET),
		FLAG(t, PCI_PM_CTRL_PME_ENABLE), (t & PCI_PM_CTRL_DATA_SEL_MASK) >> 9,
		(t & PCI_PM_CTRL_DATA_SCALE_MASK) >> 13, FLAG(t, PCI_PM_CTRL_PME_STATUS));
	b = lspci__b(d, at + PCI_PM_PPB_EXTENSIONS);
	if (b)
		fprintf(out, "\t\tBridge: PM%c B3%c\n", FLAG(b, PCI_PM_BPCC_ENABLE),
			FLAG(~b, PCI_PM_PPB_B2_B3));
}

static void cap_msi(FILE *out, const struct lspci_dev *d, unsigned at, unsigned verbose)
{
	unsigned cap = lspci__w(d, at + PCI_MSI_FLAGS);
	bool is64 = cap & PCI_MSI_FLAGS_64BIT;

	fprintf(out, "MSI: Enable%c Count=%u/%u Maskable%c 64bit%c\n",
		FLAG(cap, PCI_MSI_FLAGS_ENABLE), 1u << ((cap & PCI_MSI_FLAGS_QSIZE) >> 4),
		1u << ((cap & PCI_MSI_FLAGS_QMASK) >> 1), FLAG(cap, PCI_MSI_FLAGS_MASKBIT),
		FLAG(cap, PCI_MSI_FLAGS_64BIT));
	if (verbose < 2)
		return;
	fputs("\t\tAddress: ", out);
	if (is64)
		fprintf(out, "%08x", lspci__l(d, at + PCI_MSI_ADDRESS_HI));
	fprintf(out, "%08x  Data: %04x\n", lspci__l(d, at + PCI_MSI_ADDRESS_LO),
		lspci__w(d, at + (is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32)));
	if (cap & PCI_MSI_FLAGS_MASKBIT)
		fprintf(out, "\t\tMasking: %08x  Pending: %08x\n",
			lspci__l(d, at + (is64 ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32)),
			lspci__l(d, at + (is64 ? PCI_MSI_PENDING_64 : PCI_MSI_PENDING_32)));
}

static void cap_msix(FILE *out, const struct lspci_dev *d, unsigned at, unsigned verbose)
{
	unsigned cap = lspci__w(d, at + PCI_MSIX_FLAGS);
	uint32_t off;

	fprintf(out, "MSI-X: Enable%c Count=%u Masked%c\n", FLAG(cap, PCI_MSIX_FLAGS_ENABLE),
		(cap & PCI_MSIX_FLAGS_QSIZE) + 1, FLAG(cap, PCI_MSIX_FLAGS_MASKALL));
	if (verbose < 2)
		return;
	off = lspci__l(d, at + PCI_MSIX_TABLE);
	fprintf(out, "\t\tVector table: BAR=%u offset=%08x\n", off & PCI_MSIX_TABLE_BIR,
		off & ~(uint32_t)PCI_MSIX_TABLE_BIR);
	off = lspci__l(d, at + PCI_MSIX_PBA);
	fprintf(out, "\t\tPBA: BAR=%u offset=%08x\n", off & PCI_MSIX_TABLE_BIR,
		off & ~(uint32_t)PCI_MSIX_TABLE_BIR);
}

static const char *latency_l0s(unsigned v)
{
	static const char *const l[] = {"<64ns", "<128ns", "<256ns", "<512ns",
					"<1us",	 "<2us",   "<4us",   "unlimited"};
	return l[v & 7];
}

static const char *latency_l1(unsigned v)
{
	static const char *const l[] = {"<1us",	 "<2us",  "<4us",  "<8us",
					"<16us", "<32us", "<64us", "unlimited"};
	return l[v & 7];
}

static bool is_endpoint(unsigned type)
{
	return type == PCI_EXP_TYPE_ENDPOINT || type == PCI_EXP_TYPE_LEG_END;
}

static void express_dev(FILE *out, const struct lspci_dev *d, unsigned at, unsigned type)
{
	uint32_t t = lspci__l(d, at + PCI_EXP_DEVCAP);
	unsigned w;

	fprintf(out, "\t\tDevCap:\tMaxPayload %u bytes, PhantFunc %u",
		128u << (t & PCI_EXP_DEVCAP_PAYLOAD),
		(1u << ((t & PCI_EXP_DEVCAP_PHANTOM) >> 3)) - 1);
	if (is_endpoint(type))
		fprintf(out, ", Latency L0s %s, L1 %s", latency_l0s((t & PCI_EXP_DEVCAP_L0S) >> 6),
			latency_l1((t & PCI_EXP_DEVCAP_L1) >> 9));
	fprintf(out, "\n\t\t\tExtTag%c", FLAG(t, PCI_EXP_DEVCAP_EXT_TAG));
	if (is_endpoint(type) || type == PCI_EXP_TYPE_UPSTREAM || type == PCI_EXP_TYPE_PCI_BRIDGE)
		fprintf(out, " AttnBtn%c AttnInd%c PwrInd%c", FLAG(t, PCI_EXP_DEVCAP_ATN_BUT),
			FLAG(t, PCI_EXP_DEVCAP_ATN_IND), FLAG(t, PCI_EXP_DEVCAP_PWR_IND));
	fprintf(out, " RBE%c", FLAG(t, PCI_EXP_DEVCAP_RBER));
	if (is_endpoint(type) || type == PCI_EXP_TYPE_RC_END)
		fprintf(out, " FLReset%c", FLAG(t, PCI_EXP_DEVCAP_FLR));
	if (type == PCI_EXP_TYPE_ENDPOINT || type == PCI_EXP_TYPE_UPSTREAM ||
	    type == PCI_EXP_TYPE_PCI_BRIDGE) {
		fputs(" SlotPowerLimit ", out);
		lspci__power_limit(out, (t & PCI_EXP_DEVCAP_PWR_VAL) >> 18,
			    (t & PCI_EXP_DEVCAP_PWR_SCL) >> 26);
	}
	fputc('\n', out);

	w = lspci__w(d, at + PCI_EXP_DEVCTL);
	fprintf(out, "\t\tDevCtl:\tCorrErr%c NonFatalErr%c FatalErr%c UnsupReq%c\n",
		FLAG(w, PCI_EXP_DEVCTL_CERE), FLAG(w, PCI_EXP_DEVCTL_NFERE),
		FLAG(w, PCI_EXP_DEVCTL_FERE), FLAG(w, PCI_EXP_DEVCTL_URRE));
	fprintf(out, "\t\t\tRlxdOrd%c ExtTag%c PhantFunc%c AuxPwr%c NoSnoop%c",
		FLAG(w, PCI_EXP_DEVCTL_RELAX_EN), FLAG(w, PCI_EXP_DEVCTL_EXT_TAG),
		FLAG(w, PCI_EXP_DEVCTL_PHANTOM), FLAG(w, PCI_EXP_DEVCTL_AUX_PME),
		FLAG(w, PCI_EXP_DEVCTL_NOSNOOP_EN));
	if (type == PCI_EXP_TYPE_PCI_BRIDGE)
		fprintf(out, " BrConfRtry%c", FLAG(w, PCI_EXP_DEVCTL_BCR_FLR));
	if ((is_endpoint(type) || type == PCI_EXP_TYPE_RC_END) && (t & PCI_EXP_DEVCAP_FLR))
		fprintf(out, " FLReset%c", FLAG(w, PCI_EXP_DEVCTL_BCR_FLR));
	fprintf(out, "\n\t\t\tMaxPayload %u bytes, MaxReadReq %u bytes\n",
		128u << ((w & PCI_EXP_DEVCTL_PAYLOAD) >> 5),
		128u << ((w & PCI_EXP_DEVCTL_READRQ) >> 12));

	w = lspci__w(d, at + PCI_EXP_DEVSTA);
	fprintf(out,
		"\t\tDevSta:\tCorrErr%c NonFatalErr%c FatalErr%c UnsupReq%c AuxPwr%c TransPend%c\n",
		FLAG(w, PCI_EXP_DEVSTA_CED), FLAG(w, PCI_EXP_DEVSTA_NFED),
		FLAG(w, PCI_EXP_DEVSTA_FED), FLAG(w, PCI_EXP_DEVSTA_URD),
		FLAG(w, PCI_EXP_DEVSTA_AUXPD), FLAG(w, PCI_EXP_DEVSTA_TRPND));
}

static const char *link_speed(unsigned s)
{
	static const char *const sp[] = {"unknown", "2.5GT/s", "5GT/s", "8GT/s",
					 "16GT/s",  "32GT/s",  "64GT/s"};
	return s < sizeof(sp) / sizeof(sp[0]) ? sp[s] : "unknown";
}

static const char *link_compare(unsigned type, unsigned sta, unsigned cap)
{
	if (sta > cap)
		return " (overdriven)";
	if (sta == cap || type == PCI_EXP_TYPE_ROOT_PORT || type == PCI_EXP_TYPE_DOWNSTREAM ||
	    type == PCI_EXP_TYPE_PCIE_BRIDGE)
		return "";
	return " (downgraded)";
}

static void express_link(FILE *out, const struct lspci_dev *d, unsigned at, unsigned type)
{
	static const char *const aspm_sup[] = {"not supported", "L0s", "L1", "L0s L1"};
	static const char *const aspm_en[] = {"Disabled", "L0s Enabled", "L1 Enabled",
					      "L0s L1 Enabled"};
	uint32_t t = lspci__l(d, at + PCI_EXP_LNKCAP);
	unsigned aspm = (t & PCI_EXP_LNKCAP_ASPMS) >> 10, cap_speed = t & PCI_EXP_LNKCAP_SLS;
	unsigned cap_width = (t & PCI_EXP_LNKCAP_MLW) >> 4, w, sta_speed, sta_width;

	fprintf(out, "\t\tLnkCap:\tPort #%u, Speed %s, Width x%u, ASPM %s", t >> 24,
		link_speed(cap_speed), cap_width, aspm_sup[aspm]);
	if (aspm) {
		fputs(", Exit Latency ", out);
		if (aspm & 1)
			fprintf(out, "L0s %s", latency_l0s((t & PCI_EXP_LNKCAP_L0SEL) >> 12));
		if (aspm & 2)
			fprintf(out, "%sL1 %s", aspm & 1 ? ", " : "",
				latency_l1((t & PCI_EXP_LNKCAP_L1EL) >> 15));
	}
	fprintf(out, "\n\t\t\tClockPM%c Surprise%c LLActRep%c BwNot%c ASPMOptComp%c\n",
		FLAG(t, PCI_EXP_LNKCAP_CLKPM), FLAG(t, PCI_EXP_LNKCAP_SDERC),
		FLAG(t, PCI_EXP_LNKCAP_DLLLARC), FLAG(t, PCI_EXP_LNKCAP_LBNC), FLAG(t, 0x400000));

	w = lspci__w(d, at + PCI_EXP_LNKCTL);
	fprintf(out, "\t\tLnkCtl:\tASPM %s;", aspm_en[w & PCI_EXP_LNKCTL_ASPMC]);
	if (type == PCI_EXP_TYPE_ROOT_PORT || is_endpoint(type) || type == PCI_EXP_TYPE_PCI_BRIDGE)
		fprintf(out, " RCB %d bytes,", w & PCI_EXP_LNKCTL_RCB ? 128 : 64);
	fprintf(
	    out,
	    " Disabled%c CommClk%c\n\t\t\tExtSynch%c ClockPM%c AutWidDis%c BWInt%c AutBWInt%c\n",
	    FLAG(w, PCI_EXP_LNKCTL_LD), FLAG(w, PCI_EXP_LNKCTL_CCC), FLAG(w, PCI_EXP_LNKCTL_ES),
	    FLAG(w, PCI_EXP_LNKCTL_CLKREQ_EN), FLAG(w, PCI_EXP_LNKCTL_HAWD),
	    FLAG(w, PCI_EXP_LNKCTL_LBMIE), FLAG(w, PCI_EXP_LNKCTL_LABIE));

	w = lspci__w(d, at + PCI_EXP_LNKSTA);
	sta_speed = w & PCI_EXP_LNKSTA_CLS;
	sta_width = (w & PCI_EXP_LNKSTA_NLW) >> 4;
	fprintf(out, "\t\tLnkSta:\tSpeed %s%s, Width x%u%s\n", link_speed(sta_speed),
		link_compare(type, sta_speed, cap_speed), sta_width,
		link_compare(type, sta_width, cap_width));
	fprintf(out, "\t\t\tTrErr%c Train%c SlotClk%c DLActive%c BWMgmt%c ABWMgmt%c\n",
		FLAG(w, 0x0400), FLAG(w, PCI_EXP_LNKSTA_LT), FLAG(w, PCI_EXP_LNKSTA_SLC),
		FLAG(w, PCI_EXP_LNKSTA_DLLLA), FLAG(w, PCI_EXP_LNKSTA_LBMS),
		FLAG(w, PCI_EXP_LNKSTA_LABS));
}

/* The Express capability's line (and -vv's device and link registers); its port type. */
static int cap_express(FILE *out, const struct lspci_dev *d, unsigned at, unsigned verbose)
{
	unsigned cap = lspci__w(d, at + PCI_EXP_FLAGS), type = (cap & PCI_EXP_FLAGS_TYPE) >> 4;
	bool link = true;

	fputs("Express ", out);
	if (verbose >= 2)
		fprintf(out, "(v%u) ", cap & PCI_EXP_FLAGS_VERS);
	switch (type) {
	case PCI_EXP_TYPE_ENDPOINT:
		fputs("Endpoint", out);
		break;
	case PCI_EXP_TYPE_LEG_END:
		fputs("Legacy Endpoint", out);
		break;
	case PCI_EXP_TYPE_ROOT_PORT:
		fprintf(out, "Root Port (Slot%c)", FLAG(cap, PCI_EXP_FLAGS_SLOT));
		break;
	case PCI_EXP_TYPE_UPSTREAM:
		fputs("Upstream Port", out);
		break;
	case PCI_EXP_TYPE_DOWNSTREAM:
		fprintf(out, "Downstream Port (Slot%c)", FLAG(cap, PCI_EXP_FLAGS_SLOT));
		break;
	case PCI_EXP_TYPE_PCI_BRIDGE:
		fputs("PCI-Express to PCI/PCI-X Bridge", out);
		break;
	case PCI_EXP_TYPE_PCIE_BRIDGE:
		fprintf(out, "PCI/PCI-X to PCI-Express Bridge (Slot%c)",
			FLAG(cap, PCI_EXP_FLAGS_SLOT));
		break;
	case PCI_EXP_TYPE_RC_END:
		link = false;
		fputs("Root Complex Integrated Endpoint", out);
		break;
	case PCI_EXP_TYPE_RC_EC:
		link = false;
		fputs("Root Complex Event Collector", out);
		break;
	default:
		fprintf(out, "Unknown type %u", type);
	}
	fprintf(out, ", MSI %02x\n", (cap & PCI_EXP_FLAGS_IRQ) >> 9);
	if (verbose >= 2) {
		bool slot = (cap & PCI_EXP_FLAGS_SLOT) &&
			    (type == PCI_EXP_TYPE_ROOT_PORT || type == PCI_EXP_TYPE_DOWNSTREAM ||
			     type == PCI_EXP_TYPE_PCIE_BRIDGE);

		express_dev(out, d, at, type);
		if (link)
			express_link(out, d, at, type);
		if (slot)
			lspci__pcie_slot(out, d, at);
		if (type == PCI_EXP_TYPE_ROOT_PORT || type == PCI_EXP_TYPE_RC_EC)
			lspci__pcie_root(out, d, at);
		if ((cap & PCI_EXP_FLAGS_VERS) >= 2) {
			lspci__pcie_dev2(out, d, at, type);
			if (link)
				lspci__pcie_link2(out, d, at, type);
		}
	}
	return (int)type;
}

#define UNC_FLAGS(l)                                                                               \
	FLAG(l, PCI_ERR_UNC_DLP), FLAG(l, PCI_ERR_UNC_SURPDN), FLAG(l, PCI_ERR_UNC_POISON_TLP),    \
	    FLAG(l, PCI_ERR_UNC_FCP), FLAG(l, PCI_ERR_UNC_COMP_TIME),                              \
	    FLAG(l, PCI_ERR_UNC_COMP_ABORT), FLAG(l, PCI_ERR_UNC_UNX_COMP),                        \
	    FLAG(l, PCI_ERR_UNC_RX_OVER), FLAG(l, PCI_ERR_UNC_MALF_TLP),                           \
	    FLAG(l, PCI_ERR_UNC_ECRC), FLAG(l, PCI_ERR_UNC_UNSUP), FLAG(l, PCI_ERR_UNC_ACSV)
#define UNC_FMT                                                                                    \
	"DLP%c SDES%c TLP%c FCP%c CmpltTO%c CmpltAbrt%c UnxCmplt%c RxOF%c MalfTLP%c ECRC%c "       \
	"UnsupReq%c ACSViol%c\n"
#define COR_FLAGS(l)                                                                               \
	FLAG(l, PCI_ERR_COR_RCVR), FLAG(l, PCI_ERR_COR_BAD_TLP), FLAG(l, PCI_ERR_COR_BAD_DLLP),    \
	    FLAG(l, PCI_ERR_COR_REP_ROLL), FLAG(l, PCI_ERR_COR_REP_TIMER),                         \
	    FLAG(l, PCI_ERR_COR_ADV_NFAT)
#define COR_FMT "RxErr%c BadTLP%c BadDLLP%c Rollover%c Timeout%c AdvNonFatalErr%c\n"

static void cap_aer(FILE *out, const struct lspci_dev *d, unsigned at, unsigned verbose, int type)
{
	uint32_t l;

	fputs("Advanced Error Reporting\n", out);
	if (verbose < 2)
		return;
	l = lspci__l(d, at + PCI_ERR_UNCOR_STATUS);
	fprintf(out, "\t\tUESta:\t" UNC_FMT, UNC_FLAGS(l));
	l = lspci__l(d, at + PCI_ERR_UNCOR_MASK);
	fprintf(out, "\t\tUEMsk:\t" UNC_FMT, UNC_FLAGS(l));
	l = lspci__l(d, at + PCI_ERR_UNCOR_SEVER);
	fprintf(out, "\t\tUESvrt:\t" UNC_FMT, UNC_FLAGS(l));
	l = lspci__l(d, at + PCI_ERR_COR_STATUS);
	fprintf(out, "\t\tCESta:\t" COR_FMT, COR_FLAGS(l));
	l = lspci__l(d, at + PCI_ERR_COR_MASK);
	fprintf(out, "\t\tCEMsk:\t" COR_FMT, COR_FLAGS(l));
	l = lspci__l(d, at + PCI_ERR_CAP);
	fprintf(out,
		"\t\tAERCap:\tFirst Error Pointer: %02x, ECRCGenCap%c ECRCGenEn%c ECRCChkCap%c "
		"ECRCChkEn%c\n\t\t\tMultHdrRecCap%c MultHdrRecEn%c TLPPfxPres%c HdrLogCap%c\n",
		PCI_ERR_CAP_FEP(l), FLAG(l, PCI_ERR_CAP_ECRC_GENC), FLAG(l, PCI_ERR_CAP_ECRC_GENE),
		FLAG(l, PCI_ERR_CAP_ECRC_CHKC), FLAG(l, PCI_ERR_CAP_ECRC_CHKE),
		FLAG(l, AER_CAP_MULT_HDRC), FLAG(l, AER_CAP_MULT_HDRE), FLAG(l, AER_CAP_TLP_PFX),
		FLAG(l, AER_CAP_HDR_LOG));
	fprintf(out, "\t\tHeaderLog: %08x %08x %08x %08x\n", lspci__l(d, at + PCI_ERR_HEADER_LOG),
		lspci__l(d, at + PCI_ERR_HEADER_LOG + 4), lspci__l(d, at + PCI_ERR_HEADER_LOG + 8),
		lspci__l(d, at + PCI_ERR_HEADER_LOG + 12));
	if (type != PCI_EXP_TYPE_ROOT_PORT && type != PCI_EXP_TYPE_RC_EC)
		return;
	l = lspci__l(d, at + PCI_ERR_ROOT_COMMAND);
	fprintf(out, "\t\tRootCmd: CERptEn%c NFERptEn%c FERptEn%c\n", FLAG(l, 1), FLAG(l, 2),
		FLAG(l, 4));
	l = lspci__l(d, at + PCI_ERR_ROOT_STATUS);
	fprintf(out,
		"\t\tRootSta: CERcvd%c MultCERcvd%c UERcvd%c MultUERcvd%c\n"
		"\t\t\t FirstFatal%c NonFatalMsg%c FatalMsg%c IntMsg %u\n",
		FLAG(l, 0x01), FLAG(l, 0x02), FLAG(l, 0x04), FLAG(l, 0x08), FLAG(l, 0x10),
		FLAG(l, 0x20), FLAG(l, 0x40), l >> 27);
	fprintf(out, "\t\tErrorSrc: ERR_COR: %04x ERR_FATAL/NONFATAL: %04x\n",
		lspci__w(d, at + PCI_ERR_ROOT_ERR_SRC), lspci__w(d, at + PCI_ERR_ROOT_ERR_SRC + 2));
}

static void cap_dsn(FILE *out, const struct lspci_dev *d, unsigned at)
{
	uint32_t lo = lspci__l(d, at + 4), hi = lspci__l(d, at + 8);

	fprintf(out, "Device Serial Number %02x-%02x-%02x-%02x-%02x-%02x-%02x-%02x\n", hi >> 24,
		hi >> 16 & 0xff, hi >> 8 & 0xff, hi & 0xff, lo >> 24, lo >> 16 & 0xff,
		lo >> 8 & 0xff, lo & 0xff);
}

static void cap_ari(FILE *out, const struct lspci_dev *d, unsigned at, unsigned verbose)
{
	unsigned w;

	fputs("Alternative Routing-ID Interpretation (ARI)\n", out);
	if (verbose < 2)
		return;
	w = lspci__w(d, at + PCI_ARI_CAP);
	fprintf(out, "\t\tARICap:\tMFVC%c ACS%c, Next Function: %u\n", FLAG(w, PCI_ARI_CAP_MFVC),
		FLAG(w, PCI_ARI_CAP_ACS), w >> 8 & 0xff);
	w = lspci__w(d, at + PCI_ARI_CTRL);
	fprintf(out, "\t\tARICtl:\tMFVC%c ACS%c, Function Group: %u\n", FLAG(w, PCI_ARI_CTRL_MFVC),
		FLAG(w, PCI_ARI_CTRL_ACS), w >> 4 & 7);
}

static void cap_sriov(FILE *out, const struct lspci_dev *d, unsigned at, unsigned verbose)
{
	uint32_t l;
	unsigned w;

	fputs("Single Root I/O Virtualization (SR-IOV)\n", out);
	if (verbose < 2)
		return;
	l = lspci__l(d, at + PCI_SRIOV_CAP);
	fprintf(out, "\t\tIOVCap:\tMigration%c 10BitTagReq%c Interrupt Message Number: %03x\n",
		FLAG(l, PCI_SRIOV_CAP_VFM), FLAG(l, IOV_CAP_10BIT_TAG), l >> 21);
	w = lspci__w(d, at + PCI_SRIOV_CTRL);
	fprintf(
	    out,
	    "\t\tIOVCtl:\tEnable%c Migration%c Interrupt%c MSE%c ARIHierarchy%c 10BitTagReq%c\n",
	    FLAG(w, PCI_SRIOV_CTRL_VFE), FLAG(w, PCI_SRIOV_CTRL_VFM), FLAG(w, PCI_SRIOV_CTRL_INTR),
	    FLAG(w, PCI_SRIOV_CTRL_MSE), FLAG(w, PCI_SRIOV_CTRL_ARI), FLAG(w, IOV_CTRL_10BIT_TAG));
	fprintf(out, "\t\tIOVSta:\tMigration%c\n", FLAG(lspci__w(d, at + PCI_SRIOV_STATUS), 1));
	fprintf(out,
		"\t\tInitial VFs: %u, Total VFs: %u, Number of VFs: %u, Function Dependency Link: "
		"%02x\n",
		lspci__w(d, at + PCI_SRIOV_INITIAL_VF), lspci__w(d, at + PCI_SRIOV_TOTAL_VF),
		lspci__w(d, at + PCI_SRIOV_NUM_VF), lspci__b(d, at + PCI_SRIOV_FUNC_LINK));
	fprintf(out, "\t\tVF offset: %u, stride: %u, Device ID: %04x\n",
		lspci__w(d, at + PCI_SRIOV_VF_OFFSET), lspci__w(d, at + PCI_SRIOV_VF_STRIDE),
		lspci__w(d, at + PCI_SRIOV_VF_DID));
	fprintf(out, "\t\tSupported Page Size: %08x, System Page Size: %08x\n",
		lspci__l(d, at + PCI_SRIOV_SUP_PGSIZE), lspci__l(d, at + PCI_SRIOV_SYS_PGSIZE));
	for (unsigned i = 0; i < 6; i++) {
		uint32_t bar = lspci__l(d, at + PCI_SRIOV_BAR + 4 * i);
		unsigned type = bar & PCI_BASE_ADDRESS_MEM_TYPE_MASK;

		if (bar == 0xffffffff || !bar)
			continue;
		fprintf(out, "\t\tRegion %u: Memory at ", i);
		if (type == PCI_BASE_ADDRESS_MEM_TYPE_64)
			fprintf(out, "%08x", lspci__l(d, at + PCI_SRIOV_BAR + 4 * ++i));
		fprintf(out, "%08x (%s-bit, %sprefetchable)\n",
			bar & (uint32_t)PCI_BASE_ADDRESS_MEM_MASK,
			type == PCI_BASE_ADDRESS_MEM_TYPE_32 ? "32" : "64",
			bar & PCI_BASE_ADDRESS_MEM_PREFETCH ? "" : "non-");
	}
	l = lspci__l(d, at + PCI_SRIOV_VFM);
	fprintf(out, "\t\tVF Migration: offset: %08x, BIR: %x\n", l & 0xfffffff8u, l & 7);
}

static void ext_caps(FILE *out, const struct lspci_dev *d, unsigned verbose, int type)
{
	bool seen[PCI_CFG_SIZE / 4] = {0};
	unsigned at = 0x100;

	if (d->cfg_len <= at)
		return;
	do {
		uint32_t h = lspci__l(d, at);
		unsigned id = h & 0xffff;

		if (!h || h == 0xffffffff)
			break;
		fprintf(out, "\tCapabilities: [%03x", at);
		if (verbose > 1)
			fprintf(out, " v%u", h >> 16 & 0xf);
		fputs("] ", out);
		if (seen[at / 4]) {
			fputs("<chain looped>\n", out);
			break;
		}
		seen[at / 4] = true;
		switch (id) {
		case PCI_EXT_CAP_ID_ERR:
			cap_aer(out, d, at, verbose, type);
			break;
		case PCI_EXT_CAP_ID_DSN:
			cap_dsn(out, d, at);
			break;
		case PCI_EXT_CAP_ID_ARI:
			cap_ari(out, d, at, verbose);
			break;
		case PCI_EXT_CAP_ID_SRIOV:
			cap_sriov(out, d, at, verbose);
			break;
		default:
			fprintf(out, "Extended Capability ID %#02x\n", id);
		}
		at = h >> 20 & ~3u;
	} while (at >= 0x100 && at + 4 <= d->cfg_len);
}

void lspci__caps(FILE *out, const struct lspci_dev *d, unsigned verbose)
{
	bool seen[64] = {0}, pcie = false;
	unsigned at;
	int type = -1;

	if (!(lspci__w(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return;
	for (at = lspci__b(d, PCI_CAPABILITY_LIST) & ~3u; at; at = lspci__b(d, at + 1) & ~3u) {
		unsigned id = lspci__b(d, at);

		fprintf(out, "\tCapabilities: [%02x] ", at);
		if (seen[at / 4]) {
			fputs("<chain looped>\n", out);
			break;
		}
		seen[at / 4] = true;
		if (id == 0xff) {
			fputs("<chain broken>\n", out);
			break;
		}
		switch (id) {
		case PCI_CAP_ID_PM:
			cap_pm(out, d, at, verbose);
			break;
		case PCI_CAP_ID_MSI:
			cap_msi(out, d, at, verbose);
			break;
		case PCI_CAP_ID_EXP:
			type = cap_express(out, d, at, verbose);
			pcie = true;
			break;
		case PCI_CAP_ID_MSIX:
			cap_msix(out, d, at, verbose);
			break;
		default:
			fprintf(out, "Capability ID %#02x [%04x]\n", id, lspci__w(d, at + 2));
		}
	}
	if (pcie)
		ext_caps(out, d, verbose, type);
}
