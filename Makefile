# The two commands a newcomer needs (see README.md).
.PHONY: demo test format

demo:   ## set up, build, and run the product on the example workspace
	bash scripts/demo

test:   ## set up, build, and run every test, lint and benchmark smoke run
	bash scripts/test

format: ## rewrite C++ files with clang-format
	bash scripts/format.sh fix
