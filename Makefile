# Everyday commands; the build itself is Meson + ninja (meson.build).
#   make          build into build/
#   make check    install missing Debian packages, build, run every test (unit, unit under
#                 ASan+UBSan, integration, a bounded fuzz run); ends with "N passed, N failed"
#   make demo     build and run the main job
#   make bench    run the microbenchmarks
#   make fuzz     a longer fuzz run (FUZZ_SECONDS, default 300 per target)
#   make format   clang-format every C file

BUILD ?= build
FUZZ_SECONDS ?= 300

.PHONY: all deps check demo bench fuzz format clean

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

deps:
	@scripts/deps.sh

$(BUILD)/build.ninja:
	@scripts/deps.sh
	meson setup $(BUILD) $(if $(CI),-Dwerror=true) >/dev/null

check:
	@scripts/deps.sh
	@scripts/check.sh

demo: all
	$(BUILD)/src/cli/vfnet demo

bench: all
	@scripts/bench.sh $(BUILD)

fuzz:
	@scripts/deps.sh
	@scripts/fuzz.sh $(FUZZ_SECONDS)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-asan build-fuzz
