# ATR_SANITIZE=address,undefined (preset dev) or thread (preset tsan) instruments everything
# we build, tests included.
if(ATR_SANITIZE)
  add_compile_options(-fsanitize=${ATR_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${ATR_SANITIZE})
endif()
