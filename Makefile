# The two commands a newcomer needs (see README.md).
.PHONY: demo test format

demo:   ## set up, build, and serve a generated demo workspace with the RunPod emulator and s3rver
	bash scripts/demo

test:   ## set up, build, and run every test (unit, integration, browser), lint and benchmark smoke run
	bash scripts/test

format: ## rewrite C++ files with clang-format
	bash scripts/format.sh fix
