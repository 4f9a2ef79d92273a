/*
 * lspci -vv's PCI Express slot, root and version-2 registers (pciutils ls-caps.c:
 * cap_express_slot, cap_express_root, cap_express_dev2, cap_express_link2). Among them the
 * root port's ARIFwd, which decides whether VFs fit on the PF's bus.
 */
#include <linux/pci_regs.h>

#include "cli/lspci_priv.h"

/* Registers of the capability, as offsets from its start (PCIe base spec, 7.5.3). */
#define EXP_SLTCAP  0x14
#define EXP_SLTCTL  0x18
#define EXP_SLTSTA  0x1a
#define EXP_RTCTL   0x1c
#define EXP_RTCAP   0x1e
#define EXP_RTSTA   0x20
#define EXP_DEVCAP2 0x24
#define EXP_DEVCTL2 0x28
#define EXP_LNKCAP2 0x2c
#define EXP_LNKCTL2 0x30
#define EXP_LNKSTA2 0x32

static const char *pick(const char *const *names, unsigned n, unsigned i, const char *other)
{
	return i < n && names[i] ? names[i] : other;
}

#define PICK(names, i, other) pick(names, sizeof(names) / sizeof(names[0]), (i), (other))

void lspci__power_limit(FILE *out, unsigned value, unsigned scale)
{
	static const double scales[4] = {1.0, 0.1, 0.01, 0.001};

	if (scale == 0 && value == 0xff) {
		fputs(">600W", out);
		return;
	}
	if (scale == 0 && value >= 0xf0 && value <= 0xfe)
		value = 250 + 25 * (value - 0xf0);
	fprintf(out, "%gW", value * scales[scale & 3]);
}

void lspci__pcie_slot(FILE *out, const struct lspci_dev *d, unsigned at)
{
	static const char *const ind[] = {"Unknown", "On", "Blink", "Off"};
	uint32_t t = lspci__l(d, at + EXP_SLTCAP);
	unsigned w;

	fprintf(out,
		"\t\tSltCap:\tAttnBtn%c PwrCtrl%c MRL%c AttnInd%c PwrInd%c HotPlug%c Surprise%c\n",
		FLAG(t, 0x01), FLAG(t, 0x02), FLAG(t, 0x04), FLAG(t, 0x08), FLAG(t, 0x10),
		FLAG(t, 0x40), FLAG(t, 0x20));
	fprintf(out, "\t\t\tSlot #%u, PowerLimit ", (t & 0xfff80000u) >> 19);
	lspci__power_limit(out, (t & 0x7f80) >> 7, (t & 0x18000) >> 15);
	fprintf(out, "; Interlock%c NoCompl%c\n", FLAG(t, 0x20000), FLAG(t, 0x40000));
	w = lspci__w(d, at + EXP_SLTCTL);
	fprintf(
	    out,
	    "\t\tSltCtl:\tEnable: AttnBtn%c PwrFlt%c MRL%c PresDet%c CmdCplt%c HPIrq%c LinkChg%c\n",
	    FLAG(w, 0x01), FLAG(w, 0x02), FLAG(w, 0x04), FLAG(w, 0x08), FLAG(w, 0x10),
	    FLAG(w, 0x20), FLAG(w, 0x1000));
	fprintf(out, "\t\t\tControl: AttnInd %s, PwrInd %s, Power%c Interlock%c\n",
		ind[(w & 0xc0) >> 6], ind[(w & 0x300) >> 8], FLAG(w, 0x400), FLAG(w, 0x800));
	w = lspci__w(d, at + EXP_SLTSTA);
	fprintf(out,
		"\t\tSltSta:\tStatus: AttnBtn%c PowerFlt%c MRL%c CmdCplt%c PresDet%c Interlock%c\n",
		FLAG(w, 0x01), FLAG(w, 0x02), FLAG(w, 0x20), FLAG(w, 0x10), FLAG(w, 0x40),
		FLAG(w, 0x80));
	fprintf(out, "\t\t\tChanged: MRL%c PresDet%c LinkState%c\n", FLAG(w, 0x04), FLAG(w, 0x08),
		FLAG(w, 0x100));
}

void lspci__pcie_root(FILE *out, const struct lspci_dev *d, unsigned at)
{
	unsigned w = lspci__w(d, at + EXP_RTCAP);
	uint32_t l;

	fprintf(out, "\t\tRootCap: CRSVisible%c\n", FLAG(w, 0x01));
	w = lspci__w(d, at + EXP_RTCTL);
	fprintf(
	    out,
	    "\t\tRootCtl: ErrCorrectable%c ErrNon-Fatal%c ErrFatal%c PMEIntEna%c CRSVisible%c\n",
	    FLAG(w, 0x01), FLAG(w, 0x02), FLAG(w, 0x04), FLAG(w, 0x08), FLAG(w, 0x10));
	l = lspci__l(d, at + EXP_RTSTA);
	fprintf(out, "\t\tRootSta: PME ReqID %04x, PMEStatus%c PMEPending%c\n", l & 0xffff,
		FLAG(l, 0x10000), FLAG(l, 0x20000));
}

static bool has_mem_region(const struct lspci_dev *d)
{
	for (unsigned i = 0; i < d->nregions; i++)
		if (d->regions[i].kind != PCI_BAR_IO)
			return true;
	return false;
}

void lspci__pcie_dev2(FILE *out, const struct lspci_dev *d, unsigned at, unsigned type)
{
	static const char *const range[16] = {
	    [0] = "Not Supported", [1] = "Range A",   [2] = "Range B",	  [3] = "Range AB",
	    [6] = "Range BC",	   [7] = "Range ABC", [14] = "Range BCD", [15] = "Range ABCD"};
	static const char *const value[16] = {
	    [0] = "50us to 50ms", [1] = "50us to 100us", [2] = "1ms to 10ms",
	    [5] = "16ms to 55ms", [6] = "65ms to 210ms", [9] = "260ms to 900ms",
	    [10] = "1s to 3.5s",  [13] = "4s to 13s",	 [14] = "17s to 64s"};
	static const char *const obff_cap[] = {"Not Supported", "Via message", "Via WAKE#",
					       "Via message/WAKE#"};
	static const char *const epr[] = {"Not Supported", "Dev Specific",
					  "Form Factor Dev Specific", "Reserved"};
	static const char *const lncls[] = {"Not Supported", "64byte cachelines",
					    "128byte cachelines", "Reserved"};
	static const char *const tph[] = {"TPHComp- ExtTPHComp-", "TPHComp+ ExtTPHComp-", "",
					  "TPHComp+ ExtTPHComp+"};
	static const char *const obff_ctl[] = {"Disabled", "Via message A", "Via message B",
					       "Via WAKE#"};
	bool root = type == PCI_EXP_TYPE_ROOT_PORT, down = type == PCI_EXP_TYPE_DOWNSTREAM;
	bool up = type == PCI_EXP_TYPE_UPSTREAM, mem = has_mem_region(d);
	uint32_t l = lspci__l(d, at + EXP_DEVCAP2);
	unsigned w;

	fprintf(out, "\t\tDevCap2: Completion Timeout: %s, TimeoutDis%c NROPrPrP%c LTR%c",
		PICK(range, l & 0xf, "Unknown"), FLAG(l, 0x10), FLAG(l, 0x400), FLAG(l, 0x800));
	fprintf(out, "\n\t\t\t 10BitTagComp%c 10BitTagReq%c OBFF %s, ExtFmt%c EETLPPrefix%c",
		FLAG(l, 0x10000), FLAG(l, 0x20000), obff_cap[l >> 18 & 3], FLAG(l, 0x100000),
		FLAG(l, 0x200000));
	if (l & 0x200000)
		fprintf(out, ", MaxEETLPPrefixes %u", (l >> 22 & 3) ? (l >> 22 & 3) : 4);
	fprintf(out, "\n\t\t\t EmergencyPowerReduction %s, EmergencyPowerReductionInit%c",
		epr[l >> 24 & 3], FLAG(l, 0x4000000));
	fprintf(out, "\n\t\t\t FRS%c", FLAG(l, 0x80000000u));
	if (root)
		fprintf(out, " LN System CLS %s,", lncls[l >> 14 & 3]);
	if (root || type == PCI_EXP_TYPE_ENDPOINT)
		fprintf(out, " %s", tph[l >> 12 & 3]);
	if (root || down)
		fprintf(out, " ARIFwd%c\n", FLAG(l, 0x20));
	else
		fputc('\n', out);
	if (root || up || down || mem) {
		fputs("\t\t\t AtomicOpsCap:", out);
		if (root || up || down)
			fprintf(out, " Routing%c", FLAG(l, 0x40));
		if (root || mem)
			fprintf(out, " 32bit%c 64bit%c 128bitCAS%c", FLAG(l, 0x80), FLAG(l, 0x100),
				FLAG(l, 0x200));
		fputc('\n', out);
	}
	w = lspci__w(d, at + EXP_DEVCTL2);
	fprintf(out,
		"\t\tDevCtl2: Completion Timeout: %s, TimeoutDis%c LTR%c 10BitTagReq%c OBFF %s,",
		PICK(value, w & 0xf, "Unknown"), FLAG(w, 0x10), FLAG(w, 0x400), FLAG(w, 0x1000),
		obff_ctl[w >> 13 & 3]);
	if (root || down)
		fprintf(out, " ARIFwd%c\n", FLAG(w, 0x20));
	else
		fputc('\n', out);
	if (root || up || down || type == PCI_EXP_TYPE_ENDPOINT || type == PCI_EXP_TYPE_RC_END ||
	    type == PCI_EXP_TYPE_LEG_END) {
		fputs("\t\t\t AtomicOpsCtl:", out);
		if (root || type == PCI_EXP_TYPE_ENDPOINT || type == PCI_EXP_TYPE_RC_END ||
		    type == PCI_EXP_TYPE_LEG_END)
			fprintf(out, " ReqEn%c", FLAG(w, 0x40));
		if (root || up || down)
			fprintf(out, " EgressBlck%c", FLAG(w, 0x80));
		fputc('\n', out);
	}
}

static const char *speed_cap(unsigned v)
{
	if (v & 0x60)
		return "RsvdP";
	if (v & 0x10)
		return "2.5-32GT/s";
	if (v & 0x08)
		return "2.5-16GT/s";
	if (v & 0x04)
		return "2.5-8GT/s";
	if (v & 0x02)
		return "2.5-5GT/s";
	if (v & 0x01)
		return "2.5GT/s";
	return "Unknown";
}

void lspci__pcie_link2(FILE *out, const struct lspci_dev *d, unsigned at, unsigned type)
{
	static const char *const speed[] = {"2.5GT/s", "2.5GT/s", "5GT/s", "8GT/s",
					    "16GT/s",  "32GT/s",  "64GT/s"};
	static const char *const deemph[] = {"-6dB", "-3.5dB"};
	static const char *const preset[] = {
	    "-6dB de-emphasis, 0dB preshoot",	  "-3.5dB de-emphasis, 0dB preshoot",
	    "-4.4dB de-emphasis, 0dB preshoot",	  "-2.5dB de-emphasis, 0dB preshoot",
	    "0dB de-emphasis, 0dB preshoot",	  "0dB de-emphasis, 1.9dB preshoot",
	    "0dB de-emphasis, 2.5dB preshoot",	  "-6.0dB de-emphasis, 3.5dB preshoot",
	    "-3.5dB de-emphasis, 3.5dB preshoot", "0dB de-emphasis, 3.5dB preshoot"};
	static const char *const margin[] = {"Normal Operating Range",
					     "800-1200mV(full-swing)/400-700mV(half-swing)",
					     "200-400mV(full-swing)/100-200mV(half-swing)",
					     "200-400mV(full-swing)/100-200mV(half-swing)",
					     "200-400mV(full-swing)/100-200mV(half-swing)",
					     "200-400mV(full-swing)/100-200mV(half-swing)"};
	static const char *const xlink[] = {"unsupported", "Upstream Port", "Downstream Port",
					    "incomplete"};
	static const char *const comp[] = {
	    "Link Down - Not Determined", "Link Down - Not Present",
	    "Link Down - Present",	  NULL,
	    "Link Up - Present",	  "Link Up - Present and DRS Received"};
	uint32_t l = 0;
	unsigned w;

	/* Link Capabilities 2 was reserved before PCIe 3.0 in all but function 0 of device 0 */
	if (!((type == PCI_EXP_TYPE_ENDPOINT || type == PCI_EXP_TYPE_LEG_END) &&
	      PCI_RID_DEVFN(d->id.rid) != 0)) {
		l = lspci__l(d, at + EXP_LNKCAP2);
		if (l)
			fprintf(out,
				"\t\tLnkCap2: Supported Link Speeds: %s, Crosslink%c Retimer%c "
				"2Retimers%c DRS%c\n",
				speed_cap(l >> 1 & 0x7f), FLAG(l, 0x100), FLAG(l, 0x800000),
				FLAG(l, 0x1000000), FLAG(l, 0x80000000u));
		w = lspci__w(d, at + EXP_LNKCTL2);
		fprintf(out, "\t\tLnkCtl2: Target Link Speed: %s, EnterCompliance%c SpeedDis%c",
			PICK(speed, w & 0xf, "Unknown"), FLAG(w, 0x10), FLAG(w, 0x20));
		if (type == PCI_EXP_TYPE_DOWNSTREAM)
			fprintf(out, ", Selectable De-emphasis: %s", deemph[w >> 6 & 1]);
		fprintf(out,
			"\n\t\t\t Transmit Margin: %s, EnterModifiedCompliance%c ComplianceSOS%c\n"
			"\t\t\t Compliance Preset/De-emphasis: %s\n",
			PICK(margin, w >> 7 & 7, "Unknown"), FLAG(w, 0x400), FLAG(w, 0x800),
			PICK(preset, w >> 12 & 0xf, "Unknown"));
	}
	w = lspci__w(d, at + EXP_LNKSTA2);
	fprintf(out,
		"\t\tLnkSta2: Current De-emphasis Level: %s, EqualizationComplete%c "
		"EqualizationPhase1%c\n\t\t\t EqualizationPhase2%c EqualizationPhase3%c "
		"LinkEqualizationRequest%c\n\t\t\t Retimer%c 2Retimers%c CrosslinkRes: %s",
		deemph[w & 1], FLAG(w, 0x02), FLAG(w, 0x04), FLAG(w, 0x08), FLAG(w, 0x10),
		FLAG(w, 0x20), FLAG(w, 0x40), FLAG(w, 0x80), xlink[w >> 8 & 3]);
	if ((type == PCI_EXP_TYPE_ROOT_PORT || type == PCI_EXP_TYPE_DOWNSTREAM ||
	     type == PCI_EXP_TYPE_PCIE_BRIDGE) &&
	    (l & 0x80000000u))
		fprintf(out, ", DRS%c\n\t\t\t DownstreamComp: %s\n", FLAG(w, 0x8000),
			PICK(comp, w >> 12 & 7, "Reserved"));
	else
		fputc('\n', out);
}
