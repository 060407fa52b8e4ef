# cmake -DPROGRAM=<binary> -DOUT=<file> [-DENABLE=<key = value>] -P write_config.cmake
# The default config file a package installs: the program's own
# --config-template (every key, commented out, with its default), with the
# line for ENABLE's key set, when given.
execute_process(COMMAND ${PROGRAM} --config-template OUTPUT_VARIABLE text RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${PROGRAM} --config-template failed (${rc})")
endif()
if(ENABLE)
  string(REGEX MATCH "^[a-z_]+" key "${ENABLE}")
  string(REGEX REPLACE "\n#${key} = [^\n]*\n" "\n${ENABLE}\n" text "${text}")
endif()
file(WRITE ${OUT} "${text}")
