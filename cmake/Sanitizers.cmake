# ATR_SANITIZE=address,undefined (preset dev) or thread (preset tsan) instruments everything
# we build, tests included.
if(ATR_SANITIZE)
  add_compile_options(-fsanitize=${ATR_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${ATR_SANITIZE})
  # ASan/UBSan at -O0 give an executable over a million relative relocations (check-site and
  # global metadata); as a position-independent executable the loader applies them at every
  # start, which was about 30 % of the integration tests' CPU time. A fixed-address executable
  # has them resolved at link time. (ThreadSanitizer keeps PIE.)
  if(NOT ATR_SANITIZE MATCHES "thread")
    add_link_options(-no-pie)
  endif()
endif()
